/**
 * Writing a file the user named on the command line (--out, --junit, --md). A path that cannot be
 * written is the user's to fix, so it becomes an error with its exit code and fix, never an internal error.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EnvironmentError, UsageError } from '../core/errors.js';

export function writeOutputFile(cwd: string, path: string, text: string, flag: string): void {
  const absolute = resolve(cwd, path);
  try {
    writeFileSync(absolute, text);
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
