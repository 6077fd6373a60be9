import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeOutputFile } from './output-file.js';

describe('writeOutputFile', () => {
  it('streams chunks into the file and replaces it only when the last chunk is written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentctl-out-'));
    writeFileSync(join(dir, 'report.xml'), 'the previous report');
    const chunks = function* () {
      for (let i = 0; i < 20_000; i++) yield `<case n="${i}"/>\n`;
    };
    writeOutputFile(dir, 'report.xml', chunks(), '--junit');
    const text = readFileSync(join(dir, 'report.xml'), 'utf8');
    expect(text.split('\n')).toHaveLength(20_001);
    expect(text.endsWith('<case n="19999"/>\n')).toBe(true);
    expect(readdirSync(dir)).toEqual(['report.xml']);
  });

  it('leaves the previous file whole, and no temporary file, when the chunks fail midway', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentctl-out-'));
    writeFileSync(join(dir, 'report.md'), 'the previous report');
    const failing = function* () {
      yield 'x'.repeat(100_000);
      throw new Error('the store went away');
    };
    expect(() => writeOutputFile(dir, 'report.md', failing(), '--md')).toThrow('the store went away');
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toBe('the previous report');
    expect(readdirSync(dir)).toEqual(['report.md']);
  });

  it('says which folder is missing, with the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentctl-out-'));
    expect(() => writeOutputFile(dir, 'nope/report.xml', ['x'], '--junit')).toThrow(/the folder .*nope does not exist/);
  });
});
