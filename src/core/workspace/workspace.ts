/** A workspace is a folder with .agentctl/ in it, found by walking up from cwd like git. */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { NoWorkspaceError } from '../errors.js';
import { type ConfigFlags, type ResolvedConfig, readConfigFile, resolveConfig, userConfigPath } from './config.js';

export const STATE_DIR = '.agentctl';

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

export function workspacePaths(root: string): Omit<Workspace, 'config'> {
  const stateDir = join(root, STATE_DIR);
  return {
    root,
    stateDir,
    configPath: join(stateDir, 'config.yaml'),
    registryPath: join(stateDir, 'registry.db'),
    blobsDir: join(stateDir, 'blobs'),
  };
}

/** Finds the workspace above `cwd` and resolves its configuration, or throws NoWorkspaceError (exit 3). */
export function openWorkspace(cwd: string, flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): Workspace {
  const root = findWorkspaceRoot(cwd);
  if (root === undefined) throw new NoWorkspaceError(resolve(cwd));
  const paths = workspacePaths(root);
  const config = resolveConfig({
    flags,
    env,
    workspace: readConfigFile(paths.configPath, relative(cwd, paths.configPath) || paths.configPath),
    user: readConfigFile(userConfigPath(env)),
  });
  return { ...paths, config };
}

/** A path as the user should see it: relative to the workspace root, with forward slashes. */
export function displayPath(root: string, absolute: string): string {
  const rel = relative(root, absolute);
  return rel.startsWith('..') ? absolute : rel.split(sep).join('/');
}
