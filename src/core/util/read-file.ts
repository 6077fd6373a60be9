/**
 * Reading a file a user named (a spec, a prompt, a sample set, a cassette, a config). Opening a FIFO
 * blocks for ever, reading /dev/zero never ends, and a file can grow between stat and read; so the type
 * and the size are checked before the file is opened, the open does not block, the opened descriptor is
 * checked again, and at most maxBytes + 1 bytes are read whatever the file claims.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** Files a spec references (prompt, knowledge, cassette, sample set, assertion code), unless configured otherwise. */
export const DEFAULT_REFERENCED_FILE_BYTES = 16 * 1024 * 1024;

export interface FileProblem {
  /** Stable diagnostic code: missing-file, not-a-file, special-file, too-large, unreadable. */
  code: string;
  message: string;
  fix: string;
}

export interface ReadOptions {
  maxBytes: number;
  /** How to raise the cap, shown when the file is too large. */
  raise?: string;
}

export type ReadResult = { ok: true; bytes: Buffer } | { ok: false; problem: FileProblem };

const mib = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${bytes} bytes`);

/** What kind of not-a-regular-file it is, in words a user recognises. */
function special(stats: Stats): string | undefined {
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isDirectory()) return 'a folder';
  return stats.isFile() ? undefined : 'not a regular file';
}

function typeProblem(stats: Stats): FileProblem | undefined {
  const kind = special(stats);
  if (kind === undefined) return undefined;
  if (kind === 'a folder') return { code: 'not-a-file', message: 'is a folder, not a file', fix: 'point at a file' };
  return {
    code: 'special-file',
    message: `is ${kind}, not a regular file: it is refused before it is opened (reading it could block or never end)`,
    fix: 'point at a regular file (replace the link or the device with the file itself)',
  };
}

function sizeProblem(size: number, options: ReadOptions): FileProblem | undefined {
  if (size <= options.maxBytes) return undefined;
  return {
    code: 'too-large',
    message: `is ${size > options.maxBytes + 1 ? mib(size) : `more than ${mib(options.maxBytes)}`}; the cap is ${mib(options.maxBytes)}`,
    fix: options.raise ?? 'make the file smaller',
  };
}

function errnoProblem(error: unknown): FileProblem {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return { code: 'missing-file', message: 'file not found', fix: 'create the file or fix the path' };
  if (code === 'ELOOP') return { code: 'unreadable', message: 'is a symbolic link that loops', fix: 'replace the link with the file' };
  return { code: 'unreadable', message: `cannot be read (${code ?? String(error)})`, fix: 'check the path and its permissions' };
}

/** The type and size check alone (stat follows links, so a link to /dev/zero is a character device). */
export function checkUserFile(path: string, options: ReadOptions): FileProblem | undefined {
  try {
    const stats = statSync(path);
    return typeProblem(stats) ?? sizeProblem(stats.size, options);
  } catch (error) {
    return errnoProblem(error);
  }
}

type Read<T> = { ok: true; value: T } | { ok: false; problem: FileProblem };

/**
 * Opens a regular file of at most `maxBytes` and lets `read` take at most `maxBytes + 1` of its bytes (one more
 * tells a file that grew past the cap); or says why not. Never blocks on a FIFO.
 */
function readChecked<T>(path: string, options: ReadOptions, read: (fd: number, size: number) => { value: T; length: number }): Read<T> {
  const before = checkUserFile(path, options);
  if (before) return { ok: false, problem: before };
  let fd: number;
  try {
    // O_NONBLOCK: if the path was swapped for a FIFO after the check, open returns instead of waiting for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return { ok: false, problem: errnoProblem(error) };
  }
  try {
    const stats = fstatSync(fd);
    const after = typeProblem(stats) ?? sizeProblem(stats.size, options);
    if (after) return { ok: false, problem: after };
    const { value, length } = read(fd, Math.max(stats.size, 0));
    const tooLarge = sizeProblem(length, options);
    if (tooLarge) return { ok: false, problem: tooLarge };
    return { ok: true, value };
  } catch (error) {
    return { ok: false, problem: errnoProblem(error) };
  } finally {
    closeSync(fd);
  }
}

/** The bytes of a regular file of at most `maxBytes`, or why not. Never blocks on a FIFO, never reads past the cap. */
export function readUserFile(path: string, options: ReadOptions): ReadResult {
  const read = readChecked(path, options, (fd, size) => readBytes(fd, size, options));
  return read.ok ? { ok: true, bytes: read.value } : read;
}

function readBytes(fd: number, size: number, options: ReadOptions): { value: Buffer; length: number } {
  let chunk = Buffer.alloc(Math.min(options.maxBytes + 1, size + 1));
  let length = 0;
  for (;;) {
    if (length === chunk.length) {
      if (length > options.maxBytes) break;
      // The file grew after fstat: keep reading, but never past the cap.
      const bigger = Buffer.alloc(Math.min(options.maxBytes + 1, length * 2 + 1));
      chunk.copy(bigger, 0, 0, length);
      chunk = bigger;
    }
    const n = readSync(fd, chunk, length, chunk.length - length, null);
    if (n === 0) break;
    length += n;
  }
  return { value: chunk.subarray(0, length), length };
}

/**
 * Text above this size is read and decoded 64 KB at a time. Read whole, a 10 MB sample set was a 10 MB buffer,
 * then a 10 MB string outside the heap, and freeing buffers that large makes glibc keep up to twice their size
 * of freed memory for the rest of the process (a 100,000-sample eval peaked 20–40 MB higher).
 */
const TEXT_READ_WHOLE = 1 << 20;
const TEXT_CHUNK = 1 << 16;

/** readUserFile for text (UTF-8; what is not is replaced, as Buffer#toString does). */
export function readUserText(path: string, options: ReadOptions): { ok: true; text: string } | { ok: false; problem: FileProblem } {
  const read = readChecked(path, options, (fd, size) => {
    if (size > TEXT_READ_WHOLE) return readTextChunks(fd, options);
    const { value, length } = readBytes(fd, size, options);
    return { value: value.toString('utf8'), length };
  });
  return read.ok ? { ok: true, text: read.value } : read;
}

function readTextChunks(fd: number, options: ReadOptions): { value: string; length: number } {
  const decoder = new StringDecoder('utf8');
  const parts: string[] = [];
  const buffer = Buffer.allocUnsafe(TEXT_CHUNK);
  let length = 0;
  for (;;) {
    const want = Math.min(TEXT_CHUNK, options.maxBytes + 1 - length);
    if (want <= 0) break;
    const n = readSync(fd, buffer, 0, want, null);
    if (n === 0) break;
    length += n;
    parts.push(decoder.write(buffer.subarray(0, n)));
  }
  parts.push(decoder.end());
  return { value: parts.join(''), length };
}
