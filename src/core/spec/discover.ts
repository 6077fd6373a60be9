/** Finding spec files: agents/<name>/agent.yaml, tools/<name>/tool.yaml, policies/*.yaml. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

const SKIP = new Set(['node_modules', '.git', '.agentctl', 'dist']);
const MAX_DEPTH = 8;

function isSpecFileName(dir: string, name: string): boolean {
  if (name === 'agent.yaml' || name === 'agent.yml' || name === 'tool.yaml' || name === 'tool.yml') return true;
  return basename(dir) === 'policies' && /\.ya?ml$/.test(name);
}

/**
 * A workspace's specs live in its conventional folders only (agents/, tools/, policies/), so fixtures
 * or vendored files elsewhere in the tree are never picked up by accident.
 */
export function workspaceSpecFiles(root: string): string[] {
  return ['agents', 'tools', 'policies'].flatMap((folder) => {
    const dir = join(root, folder);
    return existsSync(dir) ? discoverSpecFiles(dir, folder === 'policies' ? 0 : 1) : [];
  });
}

/** Every spec file under `dir` (at most `maxDepth` folders down), sorted, so output is stable. */
export function discoverSpecFiles(dir: string, maxDepth = MAX_DEPTH): string[] {
  const found: string[] = [];
  const walk = (current: string, depth: number): void => {
    if (depth > maxDepth) return;
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.isDirectory() && !SKIP.has(entry.name) && !entry.name.startsWith('.')) walk(join(current, entry.name), depth + 1);
      else if (entry.isFile() && isSpecFileName(current, entry.name)) found.push(join(current, entry.name));
    }
  };
  walk(dir, 0);
  return found.sort();
}

/** Expands the paths a user gave (files or folders) into spec files; a missing path is a usage error. */
export function expandSpecPaths(cwd: string, paths: readonly string[]): string[] {
  const out = new Set<string>();
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    if (!existsSync(absolute)) {
      throw new UsageError(`no such file or folder: ${path}`, {
        where: absolute,
        fix: 'check the path, or run `agentctl validate` with no path for the whole workspace',
      });
    }
    if (statSync(absolute).isDirectory()) {
      const files = discoverSpecFiles(absolute);
      if (files.length === 0) {
        throw new UsageError(`no spec files in ${path}`, {
          where: absolute,
          fix: 'specs are named agent.yaml, tool.yaml, or live in a policies/ folder',
        });
      }
      for (const file of files) out.add(file);
    } else out.add(absolute);
  }
  return [...out];
}
