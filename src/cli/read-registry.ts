/**
 * Read commands (list, show, diff, history, runs, trace, stats, export) open the registry read-only and
 * never create it: a workspace with nothing registered reads as an empty registry, so `trace last` says
 * there are no runs yet, exactly as it would with an empty database file. They only locate the workspace: resolving its configuration
 * loads YAML and the schema library, which they do not need, so they start fast. Keep this module free
 * of imports from workspace/open.ts.
 */
import { existsSync } from 'node:fs';
import { translateSqliteError } from '../core/registry/db.js';
import { Registry } from '../core/registry/registry.js';
import { locateWorkspace, type WorkspacePaths } from '../core/workspace/workspace.js';
import type { CliContext } from './context.js';

export function readRegistry<T>(ctx: CliContext, fn: (registry: Registry, paths: WorkspacePaths) => T, empty?: () => T): T {
  const paths = locateWorkspace(ctx.cwd);
  if (!existsSync(paths.registryPath)) return empty ? empty() : using(emptyRegistry(paths), (registry) => fn(registry, paths));
  return using(Registry.open(paths, { readonly: true }), (registry) => fn(registry, paths));
}

/** A migrated, empty registry in memory: answers every query as a fresh workspace would, writes no file. */
function emptyRegistry(paths: WorkspacePaths): Registry {
  return Registry.open({ registryPath: ':memory:', blobsDir: paths.blobsDir });
}

/**
 * Reading runs: first mark runs whose process died as interrupted (when the database is writable),
 * so `runs` and `trace` never show a dead run as still running.
 */
export function readEventLog<T>(ctx: CliContext, fn: (registry: Registry, paths: WorkspacePaths) => T, empty?: () => T): T {
  const paths = locateWorkspace(ctx.cwd);
  if (!existsSync(paths.registryPath)) return empty ? empty() : using(emptyRegistry(paths), (registry) => fn(registry, paths));
  let registry: Registry | undefined;
  try {
    registry = Registry.open(paths);
    registry.recoverInterrupted();
  } catch {
    registry?.close();
    registry = Registry.open(paths, { readonly: true });
  }
  return using(registry, (r) => fn(r, paths));
}

/**
 * Runs `fn` (sync or async) and closes the registry when it is done, whatever happens. Any SQLite error
 * on the way (a read-only file, a busy or corrupt database) becomes the error that says what to do,
 * whichever part of core raised it.
 */
export function using<T>(registry: Registry, fn: (registry: Registry) => T): T {
  const fail = (error: unknown): never => {
    throw translateSqliteError(error, registry.path);
  };
  let result: T;
  try {
    result = fn(registry);
  } catch (error) {
    registry.close();
    return fail(error);
  }
  if (result instanceof Promise) return result.catch(fail).finally(() => registry.close()) as T;
  registry.close();
  return result;
}
