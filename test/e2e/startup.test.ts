/** `agentctl --help` must stay near bare node start-up: its static import graph holds commander and nothing heavy. */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/core/util/package-root.js';
import { agentctl } from '../support/cli.js';
import { tempDir } from '../support/workspace.js';

/** Bare packages reachable from a built file through static imports only (dynamic import() is lazy). */
function staticPackages(entry: string, seen = new Set<string>(), packages = new Set<string>()): Set<string> {
  if (seen.has(entry)) return packages;
  seen.add(entry);
  const source = readFileSync(entry, 'utf8');
  for (const match of source.matchAll(/^\s*import\s+(?:[^'"]*?\s+from\s+)?["']([^"']+)["'];?/gm)) {
    const specifier = match[1] as string;
    if (specifier.startsWith('.')) staticPackages(resolve(dirname(entry), specifier), seen, packages);
    else if (!specifier.startsWith('node:')) packages.add(specifier);
  }
  return packages;
}

describe('start-up path', () => {
  it('loads commander only: no SQLite, YAML, zod, Ink, React or enquirer before a command runs', () => {
    const packages = staticPackages(join(packageRoot(), 'dist/cli/main.js'));
    expect([...packages]).toEqual(['commander']);
  });

  it('--help and --version work and exit 0', async () => {
    const cwd = tempDir();
    const help = await agentctl(['--help'], { cwd });
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('validate');
    const version = await agentctl(['--version'], { cwd });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
