import { execFileSync } from 'node:child_process';
import { createReadStream, lstatSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openOutputFile, writeOutputFile } from './output-file.js';

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

describe('openOutputFile', () => {
  it('writes into a named pipe (export --out /dev/stdout, a FIFO) instead of renaming a file over it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentctl-out-'));
    const fifo = join(dir, 'runs.jsonl');
    execFileSync('mkfifo', [fifo]);
    // The reader opens the pipe first, as `agentctl export --out runs.jsonl` would find `cat < runs.jsonl` waiting.
    const received = new Promise<string>((resolve, reject) => {
      let text = '';
      createReadStream(fifo, 'utf8')
        .on('data', (d) => {
          text += d;
        })
        .on('end', () => resolve(text))
        .on('error', reject);
    });
    const sink = await openOutputFile(dir, 'runs.jsonl', '--out');
    await sink.write('{"run":1}\n');
    await sink.write('{"run":2}\n');
    await sink.commit();
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('nothing reached the pipe'), 5_000).unref());
    expect(await Promise.race([received, timeout])).toBe('{"run":1}\n{"run":2}\n');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(['runs.jsonl']);
  });
});
