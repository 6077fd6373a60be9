/** Opening the workspace with its resolved configuration, for commands that act as a user and team. */
import { type Actor, Registry } from '../core/registry/registry.js';
import { resolveIdentity } from '../core/trust/identity.js';
import { openWorkspace } from '../core/workspace/open.js';
import type { Workspace } from '../core/workspace/workspace.js';
import type { CliContext } from './context.js';
import { using } from './read-registry.js';

export function workspaceOf(ctx: CliContext): Workspace {
  return openWorkspace(ctx.cwd, ctx.flags, ctx.env);
}

export function actorOf(workspace: Workspace): Actor {
  return { user: workspace.config.user, team: workspace.config.team };
}

/**
 * Who records a change (register, promote, rollback, approve): with a trust file, the holder of the
 * signing key — who signs it; without one, the configured user and team (single-developer mode).
 */
export function signingActorOf(ctx: CliContext, workspace: Workspace): Actor {
  return resolveIdentity(workspace, ctx.env).actor;
}

/** Write commands resolve the configuration: they need the acting user and team. */
export function writeRegistry<T>(ctx: CliContext, fn: (registry: Registry, workspace: Workspace) => T): T {
  const workspace = workspaceOf(ctx);
  return using(Registry.open(workspace), (registry) => fn(registry, workspace));
}
