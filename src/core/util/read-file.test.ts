import { execFileSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/workspace.js';
import { checkUserFile, readUserFile, readUserText } from './read-file.js';

const cap = { maxBytes: 1024, raise: 'raise limits.referencedFileBytes' };

describe('readUserFile', () => {
  it('reads a regular file', () => {
    const path = join(tempDir(), 'a.md');
    writeFileSync(path, 'hello');
    const read = readUserFile(path, cap);
    expect(read.ok && read.bytes.toString()).toBe('hello');
  });

  it('refuses a FIFO without opening it (an open would block for ever)', () => {
    const path = join(tempDir(), 'agent.yaml');
    execFileSync('mkfifo', [path]);
    const read = readUserFile(path, cap);
    expect(read).toMatchObject({ ok: false, problem: { code: 'special-file' } });
    expect(!read.ok && read.problem.message).toContain('FIFO');
  });

  it('refuses a link to /dev/zero (a device), which would read for ever', () => {
    const path = join(tempDir(), 'prompt.md');
    symlinkSync('/dev/zero', path);
    const read = readUserFile(path, cap);
    expect(read).toMatchObject({ ok: false, problem: { code: 'special-file' } });
    expect(!read.ok && read.problem.message).toContain('character device');
  });

  it('refuses a socket', async () => {
    const path = join(tempDir(), 'samples.yaml');
    const server = createServer();
    await new Promise<void>((done) => server.listen(path, done));
    try {
      expect(readUserFile(path, cap)).toMatchObject({ ok: false, problem: { code: 'special-file' } });
    } finally {
      server.close();
    }
  });

  it('refuses a file over the cap before reading it, saying the size, the cap and how to raise it', () => {
    const path = join(tempDir(), 'big.md');
    writeFileSync(path, Buffer.alloc(3 * 1024 * 1024, 'x'));
    const read = readUserFile(path, cap);
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.problem).toMatchObject({ code: 'too-large', fix: 'raise limits.referencedFileBytes' });
    expect(read.problem.message).toBe('is 3.0 MiB; the cap is 1024 bytes');
  });

  it('reports a missing file and a folder as such', () => {
    const dir = tempDir();
    expect(checkUserFile(join(dir, 'nope'), cap)?.code).toBe('missing-file');
    expect(checkUserFile(dir, cap)?.code).toBe('not-a-file');
  });
});

describe('readUserText of a large file (read and decoded 64 KB at a time)', () => {
  /** Over 1 MB, with multi-byte characters, pairs and bytes that are not UTF-8 across every 64 KB bound. */
  function awkwardBytes(): Buffer {
    const parts: Buffer[] = [];
    let size = 0;
    for (let bound = 1 << 16; bound < 1_300_000; bound += 1 << 16) {
      const filler = Buffer.alloc(bound - size - 1 - ((bound >> 16) % 2), 'a'); // the next piece starts 1 or 2 bytes before the bound
      const awkward = [Buffer.from('é😀語'), Buffer.from([0xff, 0xe2, 0x82]), Buffer.from('😀')][(bound >> 16) % 3] as Buffer;
      parts.push(filler, awkward);
      size += filler.length + awkward.length;
    }
    return Buffer.concat(parts);
  }

  it('gives what decoding the whole file gives', () => {
    const path = join(tempDir(), 'big.jsonl');
    const bytes = awkwardBytes();
    writeFileSync(path, bytes);
    const read = readUserText(path, { maxBytes: bytes.length });
    expect(read.ok && read.text === bytes.toString('utf8')).toBe(true);
  });

  it('refuses it past the cap', () => {
    const path = join(tempDir(), 'big.jsonl');
    writeFileSync(path, awkwardBytes());
    const read = readUserText(path, { maxBytes: 1_100_000, raise: 'raise it' });
    expect(read.ok ? 'read' : read.problem.code).toBe('too-large');
  });
});
