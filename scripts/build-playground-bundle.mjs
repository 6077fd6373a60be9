// The playground command with everything it imports (session, core, Ink, React, Yoga, our components) as one
// script for node:vm, so the CLI can keep a V8 code cache of it (src/cli/code-cache.ts). Node 20 caches no
// compiled code for ES modules (module.enableCompileCache needs Node 22.1), and compiling and linking the
// ~50 modules of this graph, then the functions the first frame runs, was most of the playground's first frame.
//
// The file is the body of an async function (Yoga and Ink await at their top level, which CommonJS cannot):
//   (async function (require, __agentctlExports, __agentctlImportMetaUrl, __agentctlInjected) { … })
// Node built-ins and the few unbundled packages are reached through that `require`; nothing is imported.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { stringWidthFastPath, yogaWithoutFetch } from './build-plugins.mjs';

const OUT = 'dist/cli/playground.js';
const EXTERNAL = new Set(['better-sqlite3', 'enquirer', 'react-devtools-core']);
const isExternal = (path) => path.startsWith('node:') || builtinModules.includes(path) || EXTERNAL.has(path);

/** Every import of a built-in or external package (static or dynamic) becomes a `require` of it. */
const requireExternals = {
  name: 'require-externals',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, ({ path, namespace }) => {
      if (!isExternal(path)) return undefined;
      return namespace === 'require-external' ? { path, external: true } : { path, namespace: 'require-external' };
    });
    build.onLoad({ filter: /.*/, namespace: 'require-external' }, ({ path }) => ({
      contents: `module.exports = require(${JSON.stringify(path)});`,
      loader: 'js',
    }));
  },
};

/**
 * What the bundle must share with the rest of the CLI rather than copy (src/cli/commands/playground.ts passes
 * them in): core/errors, because main reports an AgentctlError by `instanceof`; and the import of a module
 * tool's file, because import() in a vm.Script has no loader unless the script is compiled with
 * `importModuleDynamically` (else ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING, with or without a code cache), and
 * the CLI's own import() needs no experimental vm option.
 */
const shared = {
  name: 'shared-with-the-cli',
  setup(build) {
    const errors = resolve('src/core/errors.ts');
    build.onResolve({ filter: /\/errors\.js$/ }, ({ path, resolveDir }) =>
      resolve(resolveDir, path.replace(/\.js$/, '.ts')) === errors ? { path: 'errors', namespace: 'injected' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'injected' }, () => ({ contents: 'module.exports = __agentctlInjected.errors;', loader: 'js' }));
    build.onLoad({ filter: /src[\\/]core[\\/]runtime[\\/]tools\.ts$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      const from = 'await import(resolve(context.toolDir, impl.path))';
      if (!source.includes(from)) throw new Error(`${path}: expected text not found: revisit scripts/build-playground-bundle.mjs\n  ${from}`);
      return { contents: source.replace(from, 'await __agentctlInjected.importModule(resolve(context.toolDir, impl.path))'), loader: 'ts' };
    });
  },
};

/** Builds dist/cli/playground.js; `define` is the main build's. */
export async function buildPlaygroundBundle(define) {
  const result = await build({
    stdin: {
      contents: "import { runPlayground } from './src/cli/commands/playground-run.ts'; __agentctlExports.runPlayground = runPlayground;",
      resolveDir: '.',
      sourcefile: 'playground-entry.js',
      loader: 'js',
    },
    outfile: OUT,
    bundle: true,
    format: 'esm', // top-level await stays legal: the file runs as the body of an async function
    platform: 'node',
    target: 'node20',
    define: { ...define, 'import.meta.url': '__agentctlImportMetaUrl' },
    jsx: 'automatic',
    logLevel: 'warning',
    write: false,
    plugins: [requireExternals, shared, yogaWithoutFetch, stringWidthFastPath],
  });
  const text = result.outputFiles[0].text;
  // The function wrapper is the loader's: the file must hold no module syntax of its own.
  if (/^\s*(import|export)\s[^(]/m.test(text)) throw new Error(`${OUT}: an import or export statement was left in the bundle`);
  // No dynamic import() either (see `shared`), but the one in the text the assertion sandbox runs in its own process.
  const imports = [...text.matchAll(/(^|[^\w$.])import\(/gm)].map((m) => text.slice(m.index, m.index + 40));
  const allowed = (s) => s.includes('import(call.url)');
  if (!imports.every(allowed)) throw new Error(`${OUT}: a dynamic import() was left in the bundle:\n  ${imports.filter((s) => !allowed(s)).join('\n  ')}`);
  await mkdir('dist/cli', { recursive: true });
  await writeFile(OUT, text);
}
