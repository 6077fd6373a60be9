/**
 * Read commands (list, show, diff, history) open the registry read-only and never create it (a workspace
 * with nothing registered reads as empty). They only locate the workspace: resolving its configuration
 * loads YAML and the schema library, which they do not need, so they start fast. Keep this module free
 * of imports from workspace/open.ts.
 */
import { existsSync } from 'node:fs';
import { Registry } from '../core/registry/registry.js';
import { locateWorkspace, type WorkspacePaths } from '../core/workspace/workspace.js';
import type { CliContext } from './context.js';

export function readRegistry<T>(ctx: CliContext, fn: (registry: Registry, paths: WorkspacePaths) => T, empty?: () => T): T {
  const paths = locateWorkspace(ctx.cwd);
  if (!existsSync(paths.registryPath) && empty) return empty();
  return using(Registry.open(paths, { readonly: true }), (registry) => fn(registry, paths));
}

/** Runs `fn` and closes the registry whatever happens. */
export function using<T>(registry: Registry, fn: (registry: Registry) => T): T {
  try {
    return fn(registry);
  } finally {
    registry.close();
  }
}
