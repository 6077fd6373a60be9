/** The installed package's root (where scaffolds/ and schemas/ live), found from this module's location. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This project's npm package name (`agentctl` on npm is another author's); the command is still `agentctl`. */
export const PACKAGE_NAME = 'agentctl-cli';

let cached: string | undefined;

/** This agentctl's version, from its package.json (recorded with evidence). */
export function agentctlVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
}

export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    // Found by the command it installs, not its npm name (which may be scoped or renamed).
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { bin?: Record<string, string> }).bin?.agentctl) {
      cached = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('agentctl: cannot find its own package folder');
    dir = parent;
  }
}
