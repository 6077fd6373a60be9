/**
 * A workspace is a folder with .agentctl/ in it, found by walking up from cwd like git. Locating one
 * loads nothing heavy; resolving its configuration (YAML + schema) is a separate step, in open.ts, so
 * read commands such as `list` start fast.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { NoWorkspaceError } from '../errors.js';
import type { ResolvedConfig } from './config.js';

export const STATE_DIR = '.agentctl';

/** A `.` or `..` segment, or a doubled separator: the paths that relative() would normalise. */
const ODD_SEGMENT = /(?:^|[\\/])\.\.?(?:[\\/]|$)|[\\/]{2}/;

export interface Workspace {
  root: string;
  stateDir: string;
  configPath: string;
  registryPath: string;
  blobsDir: string;
  config: ResolvedConfig;
}

export function findWorkspaceRoot(from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, STATE_DIR);
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export type WorkspacePaths = Omit<Workspace, 'config'>;

export function workspacePaths(root: string): WorkspacePaths {
  const stateDir = join(root, STATE_DIR);
  return {
    root,
    stateDir,
    configPath: join(stateDir, 'config.yaml'),
    registryPath: join(stateDir, 'registry.db'),
    blobsDir: join(stateDir, 'blobs'),
  };
}

/** Finds the workspace above `cwd`, or throws NoWorkspaceError (exit 3). */
export function locateWorkspace(cwd: string): WorkspacePaths {
  const root = findWorkspaceRoot(cwd);
  if (root === undefined) throw new NoWorkspaceError(resolve(cwd));
  return workspacePaths(root);
}

/** A path as the user should see it: relative to the workspace root, with forward slashes. */
export function displayPath(root: string, absolute: string): string {
  // A path below the root as written (no `.` or `..` segment, no doubled separator) is the root and a tail:
  // no need for relative(), which resolves both paths (a twentieth of registering 1,000 specs).
  const prefix = root.endsWith(sep) ? root : `${root}${sep}`;
  if (isAbsolute(root) && absolute.startsWith(prefix) && !absolute.endsWith(sep) && !ODD_SEGMENT.test(absolute))
    return absolute.slice(prefix.length).split(sep).join('/');
  const rel = relative(root, absolute);
  return rel.startsWith('..') ? absolute : rel.split(sep).join('/');
}
