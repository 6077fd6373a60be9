/**
 * Writing a file the user named on the command line (--out, --junit, --md). A path that cannot be
 * written is the user's to fix, so it becomes an error with its exit code and fix, never an internal error.
 */
import { closeSync, openSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { EnvironmentError, UsageError } from '../core/errors.js';

/**
 * Writes the text, or streams the chunks (a report too big to hold as one string), to a regular file
 * atomically: a temporary file beside it, renamed over it at the end, so an error or a Ctrl-C midway
 * never leaves half a report. A path that is not a regular file (/dev/stdout, a pipe) is written directly.
 */
export function writeOutputFile(cwd: string, path: string, content: string | Iterable<string>, flag: string): void {
  const absolute = resolve(cwd, path);
  try {
    if (!isRegularOrMissing(absolute)) {
      writeDirect(absolute, content);
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
    const code = (error as NodeJS.ErrnoException).code;
    const details = { where: absolute, cause: error, code: 'cannot-write' };
    switch (code) {
      case 'ENOENT':
      case 'ENOTDIR':
        throw new UsageError(`cannot write ${flag} ${path}: the folder ${dirname(absolute)} does not exist`, {
          ...details,
          fix: `create it first (mkdir -p ${dirname(absolute)}) or give ${flag} a path in an existing folder`,
        });
      case 'EISDIR':
        throw new UsageError(`cannot write ${flag} ${path}: it is a folder`, {
          ...details,
          fix: `give ${flag} a file name, e.g. ${flag} ${path.replace(/\/$/, '')}/report.out`,
        });
      case 'EACCES':
      case 'EPERM':
      case 'EROFS':
      case 'ENOSPC':
        throw new EnvironmentError(`cannot write ${flag} ${path} (${code})`, {
          ...details,
          fix: `check the permissions and free space of ${dirname(absolute)}`,
        });
      default:
        throw error;
    }
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

function isRegularOrMissing(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return true;
  }
}
