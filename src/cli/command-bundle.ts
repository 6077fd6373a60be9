/**
 * Runs a command from its bundle (scripts/build-command-bundle.mjs: the command and everything it imports as one
 * script) with a V8 code cache (./code-cache.ts): Node 20 caches no compiled code for ES modules, and compiling
 * and linking a command's ~50 modules, then the functions its start runs, was most of the playground's first
 * frame and about a third of an eval's start-up. Without the bundle (running from source), the ES module.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as errors from '../core/errors.js';
import { runCachedScript } from './code-cache.js';

export type BundledCommand = 'playground' | 'eval';

export interface LoadedCommand<T> {
  exports: T;
  /**
   * Writes the code cache when this start had none (see CachedScript.save): call it once the command has run what
   * it runs on every start, so the cache holds those functions compiled too.
   */
  save(): void;
}

/**
 * The imports each bundle leaves out (COMMAND_BUNDLES' `deferred` in the build script), loaded by this module's
 * import() from the CLI's chunks when used. Keyed by the specifier as written where it is imported.
 */
export const DEFERRED_IMPORTS: Record<string, () => Promise<unknown>> = {
  '../../tui/eval/index.js': () => import('../tui/eval/index.js'),
  execa: () => import('execa'),
  '@modelcontextprotocol/sdk/client/index.js': () => import('@modelcontextprotocol/sdk/client/index.js'),
  '@modelcontextprotocol/sdk/client/streamableHttp.js': () => import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
  '@modelcontextprotocol/sdk/client/stdio.js': () => import('@modelcontextprotocol/sdk/client/stdio.js'),
};

export async function loadCommand<T>(name: BundledCommand, fromSource: () => Promise<T>): Promise<LoadedCommand<T>> {
  const bundle = fileURLToPath(new URL(`../cli/${name}.js`, import.meta.url)); // from dist/chunks/
  if (!existsSync(bundle)) return { exports: await fromSource(), save: () => {} };
  // Shared with the rest of the CLI, not copied: main reports an AgentctlError by `instanceof`, and a module
  // tool (like every deferred import) is imported by the CLI's own loader: import() in a vm.Script compiled
  // without importModuleDynamically throws ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING, code cache or not.
  const inject = { errors, importModule: (specifier: string) => import(specifier), deferred: DEFERRED_IMPORTS };
  const script = await runCachedScript<T>(bundle, undefined, inject);
  return { exports: script.exports, save: () => script.save() };
}
