/** Finding spec files: agents/<name>/agent.yaml, tools/<name>/tool.yaml, policies/*.yaml. */
import { type Dirent, existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';

/**
 * Folder listings already read in this command, by path: `register tools` lists tools/ as part of the
 * workspace and again as the folder named, and 1,000 tool folders made 2,000 readdir calls.
 */
export type Listings = Map<string, Dirent[]>;

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
export function workspaceSpecFiles(root: string, listings?: Listings): string[] {
  return ['agents', 'tools', 'policies'].flatMap((folder) => {
    const dir = join(root, folder);
    return existsSync(dir) ? discoverSpecFiles(dir, folder === 'policies' ? 0 : 1, listings) : [];
  });
}

/**
 * Every spec file under `dir` (at most `maxDepth` folders down), sorted, so output is stable. Nothing with
 * a spec's name is skipped silently: links, FIFOs, sockets and devices are listed too, and loading them
 * reports what they are, or where a link leads (see load.ts). Linked folders are followed when they stay
 * inside `dir`'s tree, once each.
 */
export function discoverSpecFiles(dir: string, maxDepth = MAX_DEPTH, listings: Listings = new Map()): string[] {
  const found: string[] = [];
  const top = realpathOrSelf(dir);
  const seen = new Set<string>([top]);
  // `real` is `current`'s real path: a plain folder's is its parent's plus its name, so only links cost a
  // realpath (1,000 tool folders took 1,000 realpath calls, each an lstat per path component).
  const walk = (current: string, real: string, depth: number): void => {
    if (depth > maxDepth) return;
    let entries = listings.get(current);
    if (!entries) {
      try {
        entries = readdirSync(current, { withFileTypes: true });
      } catch {
        return;
      }
      listings.set(current, entries);
    }
    for (const entry of entries) {
      const path = join(current, entry.name);
      const folder = entry.isDirectory() || (entry.isSymbolicLink() && isFolder(path));
      if (folder) {
        if (SKIP.has(entry.name) || entry.name.startsWith('.')) continue;
        const link = entry.isSymbolicLink();
        const target = link ? realpathOrSelf(path) : join(real, entry.name);
        // A linked folder leading out of the tree is not walked: it is data (a knowledge folder), not specs.
        if (link && !isInside(top, target)) continue;
        if (!seen.has(target)) {
          seen.add(target);
          walk(path, target, depth + 1);
        }
      } else if (isSpecFileName(current, entry.name)) found.push(path);
    }
  };
  walk(dir, top, 0);
  return found.sort();
}

/** Expands the paths a user gave (files or folders) into spec files; a missing path is a usage error. */
export function expandSpecPaths(cwd: string, paths: readonly string[], listings?: Listings): string[] {
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
      const files = discoverSpecFiles(absolute, MAX_DEPTH, listings);
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

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Whether `path` is `root` or below it. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
