/** The installed package's root (where scaffolds/ and schemas/ live), found from this module's location. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This project's npm package name (`agentctl` on npm is another author's); the command is still `agentctl`. */
export const PACKAGE_NAME = 'agentctl-cli';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) {
      cached = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('agentctl: cannot find its own package folder');
    dir = parent;
  }
}
