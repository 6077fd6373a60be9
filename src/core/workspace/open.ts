/** Opening a workspace: locate it, then resolve its configuration with every layer of precedence. */
import { relative } from 'node:path';
import { type ConfigFlags, readConfigFile, resolveConfig, userConfigPath } from './config.js';
import { locateWorkspace, type Workspace } from './workspace.js';

/** Finds the workspace above `cwd` and resolves its configuration, or throws NoWorkspaceError (exit 3). */
export function openWorkspace(cwd: string, flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): Workspace {
  const paths = locateWorkspace(cwd);
  const config = resolveConfig({
    flags,
    env,
    workspace: readConfigFile(paths.configPath, relative(cwd, paths.configPath) || paths.configPath),
    user: readConfigFile(userConfigPath(env)),
  });
  return { ...paths, config };
}
