/** Content-addressed blobs in .agentctl/blobs/sha256/<2>/<62>: written once, atomically, read by digest. */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../errors.js';
import { type Digest, sha256 } from '../util/canonical.js';

export class BlobStore {
  constructor(readonly dir: string) {}

  pathOf(digest: string): string {
    const hex = digest.replace(/^sha256:/, '');
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`not a sha256 digest: ${digest}`);
    return join(this.dir, 'sha256', hex.slice(0, 2), hex.slice(2));
  }

  has(digest: string): boolean {
    return existsSync(this.pathOf(digest));
  }

  /** Stores bytes under their digest; a second put of the same bytes writes nothing. */
  put(bytes: Uint8Array): Digest {
    const digest = sha256(bytes);
    const path = this.pathOf(digest);
    if (existsSync(path)) return digest;
    mkdirSync(join(path, '..'), { recursive: true });
    const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(temp, bytes);
    renameSync(temp, path);
    return digest;
  }

  /** The bytes stored under `digest`; a missing or damaged blob is an EnvironmentError (exit 3) saying what to do. */
  get(digest: string): Buffer {
    const path = this.pathOf(digest);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'EISDIR' && code !== 'EACCES') throw error;
      throw new EnvironmentError(`blob ${digest} is ${code === 'EACCES' ? 'not readable' : 'missing'} from the blob store`, {
        where: path,
        fix: code === 'EACCES' ? `make it readable: chmod u+r ${path}` : DAMAGED_FIX,
        code: 'blob-missing',
        cause: error,
      });
    }
    if (sha256(bytes) !== digest)
      throw new EnvironmentError(`blob ${digest} is corrupt: its content (${bytes.length} bytes) no longer matches its digest`, {
        where: path,
        fix: DAMAGED_FIX,
        code: 'blob-corrupt',
      });
    return bytes;
  }
}

const DAMAGED_FIX =
  'restore .agentctl/blobs from a backup or version control; or pull the version again from its remote (agentctl pull <remote>/<name>@<version>)';
