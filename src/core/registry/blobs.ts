/** Content-addressed blobs in .agentctl/blobs/sha256/<2>/<62>: written once, atomically, read by digest. */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

  get(digest: string): Buffer {
    const bytes = readFileSync(this.pathOf(digest));
    if (sha256(bytes) !== digest) throw new Error(`blob ${digest} is corrupt: its content no longer matches its digest`);
    return bytes;
  }
}
