/**
 * Writing a file the user named on the command line (--out, --junit, --md). A path that cannot be
 * written is the user's to fix, so it becomes an error with its exit code and fix, never an internal error.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { EnvironmentError, UsageError } from '../core/errors.js';
import { isClosedReader } from './closed-reader.js';

/**
 * Writes the text, or streams the chunks (a report too big to hold as one string), to a regular file
 * atomically: a temporary file beside it, renamed over it at the end, so an error or a Ctrl-C midway
 * never leaves half a report. A path that is not a regular file (/dev/stdout, a pipe) is written directly.
 */
export function writeOutputFile(cwd: string, path: string, content: string | Iterable<string>, flag: string): void {
  const absolute = resolve(cwd, path);
  try {
    if (!isRegularOrMissing(absolute)) {
      try {
        writeDirect(absolute, content);
      } catch (error) {
        // A pipe whose reader went away (--junit /dev/stdout | head): the rest is not written (./closed-reader.ts).
        if (!isClosedReader(error)) throw error;
      }
      return;
    }
    const temporary = join(dirname(absolute), `.${basename(absolute)}.${process.pid}.tmp`);
    try {
      writeDirect(temporary, content);
      renameSync(temporary, absolute);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
  } catch (error) {
    throw cannotWrite(error, path, absolute, flag);
  }
}

function writeDirect(path: string, content: string | Iterable<string>): void {
  if (typeof content === 'string') {
    writeFileSync(path, content);
    return;
  }
  const fd = openSync(path, 'w');
  try {
    let buffer = '';
    for (const chunk of content) {
      buffer += chunk;
      if (buffer.length >= 65536) {
        writeSync(fd, buffer);
        buffer = '';
      }
    }
    if (buffer) writeSync(fd, buffer);
  } finally {
    closeSync(fd);
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A sink's write: the chunk into the file, a failure as the user's error (cannotWrite). */
function chunkWriter(file: FileHandle, path: string, absolute: string, flag: string): (chunk: string) => Promise<void> {
  return async (chunk) => {
    try {
      await file.write(chunk);
    } catch (error) {
      throw cannotWrite(error, path, absolute, flag);
    }
  };
}

/** A sink straight into a device or a named pipe: nothing to rename, so nothing to undo either. */
async function directSink(absolute: string, path: string, flag: string): Promise<OutputSink> {
  let handle: FileHandle;
  try {
    handle = await open(absolute, 'w');
  } catch (error) {
    throw cannotWrite(error, path, absolute, flag);
  }
  let closed = false;
  const close = () => {
    if (closed) return Promise.resolve();
    closed = true;
    return handle.close();
  };
  return {
    write: chunkWriter(handle, path, absolute, flag),
    async commit() {
      try {
        await close();
      } catch (error) {
        throw cannotWrite(error, path, absolute, flag);
      }
    },
    abort() {
      close().catch(() => {});
    },
  };
}

function isRegularOrMissing(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return true;
  }
}

/** The error a failed write of `path` is for the user (what, where, fix); an unexpected one as it came. */
function cannotWrite(error: unknown, path: string, absolute: string, flag: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const details = { where: absolute, cause: error, code: 'cannot-write' };
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new UsageError(`cannot write ${flag} ${path}: the folder ${dirname(absolute)} does not exist`, {
        ...details,
        fix: `create it first (mkdir -p ${dirname(absolute)}) or give ${flag} a path in an existing folder`,
      });
    case 'EISDIR':
      return new UsageError(`cannot write ${flag} ${path}: it is a folder`, {
        ...details,
        fix: `give ${flag} a file name, e.g. ${flag} ${path.replace(/\/$/, '')}/report.out`,
      });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
    case 'ENOSPC':
      return new EnvironmentError(`cannot write ${flag} ${path} (${code})`, {
        ...details,
        fix: `check the permissions and free space of ${dirname(absolute)}`,
      });
    default:
      return error;
  }
}

/** Output written in pieces, with back-pressure: nothing counts as written until `commit`. */
export interface OutputSink {
  /** Resolves when the chunk is handed over and the destination can take more. */
  write(chunk: string): Promise<void>;
  commit(): Promise<void>;
  /** Stops after an error or a signal: a file sink leaves nothing behind. */
  abort(): void;
}

/**
 * A file written atomically: the chunks go to a temporary file beside it, renamed into place by
 * `commit`, so an error or Ctrl-C half way never leaves a truncated file where the user expects one.
 * A path that is not a regular file (/dev/stdout, a named pipe) is written directly, as writeOutputFile does:
 * a temporary file renamed over it would replace the device or the pipe with a regular file.
 */
export async function openOutputFile(cwd: string, path: string, flag: string): Promise<OutputSink> {
  const absolute = resolve(cwd, path);
  if (isFolder(absolute)) throw cannotWrite(Object.assign(new Error('EISDIR'), { code: 'EISDIR' }), path, absolute, flag);
  if (!isRegularOrMissing(absolute)) return directSink(absolute, path, flag);
  const temp = join(dirname(absolute), `.${basename(absolute)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, 'wx');
  } catch (error) {
    throw cannotWrite(error, path, absolute, flag);
  }
  const file = handle;
  let done = false;
  const remove = () => {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
  };
  return {
    write: chunkWriter(file, path, absolute, flag),
    async commit() {
      try {
        await file.close();
        renameSync(temp, absolute);
        done = true;
      } catch (error) {
        remove();
        throw cannotWrite(error, path, absolute, flag);
      }
    },
    abort() {
      if (done) return;
      done = true;
      // The descriptor closes with the process if close() has not finished; the name goes now.
      file.close().catch(() => {});
      remove();
    },
  };
}

/**
 * A stream (stdout) written with back-pressure: a write that fills the stream's buffer waits for
 * 'drain', so a slow reader slows the export instead of piling the whole output up in memory. A reader
 * that goes away (EPIPE: `| head`) rejects the pending write with that error.
 */
export function streamSink(stream: NodeJS.WritableStream): OutputSink {
  let failure: Error | undefined;
  const onError = (error: Error) => {
    failure = error;
  };
  stream.on('error', onError);
  return {
    write(chunk) {
      if (failure) return Promise.reject(failure);
      if (stream.write(chunk)) return Promise.resolve();
      return new Promise<void>((resolvePromise, reject) => {
        const settle = (error?: Error) => {
          stream.off('drain', drained);
          stream.off('error', settle);
          stream.off('close', closed);
          if (error) reject(error);
          else resolvePromise();
        };
        const drained = () => settle();
        const closed = () => settle(failure ?? Object.assign(new Error('the output closed'), { code: 'EPIPE' }));
        stream.on('drain', drained);
        stream.on('error', settle);
        stream.on('close', closed);
      });
    },
    // The error listener stays: an EPIPE reported after the last write must not crash the process.
    async commit() {},
    abort() {},
  };
}
