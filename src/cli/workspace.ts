/** Opening the workspace and registry for a command, and closing the registry whatever happens. */
import { existsSync } from 'node:fs';
import { type Actor, Registry } from '../core/registry/registry.js';
import { openWorkspace, type Workspace } from '../core/workspace/workspace.js';
import type { CliContext } from './context.js';

export function workspaceOf(ctx: CliContext): Workspace {
  return openWorkspace(ctx.cwd, ctx.flags, ctx.env);
}

export function actorOf(workspace: Workspace): Actor {
  return { user: workspace.config.user, team: workspace.config.team };
}

/**
 * Read commands open the registry read-only and never create it: a workspace with nothing
 * registered yet reads as empty, not as an error.
 */
export function withRegistry<T>(ctx: CliContext, mode: 'read' | 'write', fn: (registry: Registry, workspace: Workspace) => T, empty?: () => T): T {
  const workspace = workspaceOf(ctx);
  if (mode === 'read' && !existsSync(workspace.registryPath) && empty) return empty();
  const registry = Registry.open(workspace, { readonly: mode === 'read' });
  try {
    return fn(registry, workspace);
  } finally {
    registry.close();
  }
}
