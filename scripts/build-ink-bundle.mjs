// The playground's TUI (Ink, React, Yoga and our components) as one script for node:vm, so the CLI can
// keep a V8 code cache of it (src/cli/code-cache.ts). Node 20 caches no compiled code for ES modules
// (module.enableCompileCache needs Node 22.1), and compiling this ~1 MB of code plus the functions the
// first frame runs was the largest single cost of the playground's first frame.
//
// The file is the body of an async function (Yoga and Ink await at their top level, which CommonJS cannot):
//   (async function (require, __agentctlExports, __agentctlImportMetaUrl) { … })
// Node built-ins and the few unbundled packages are reached through that `require`; nothing is imported.
import { builtinModules } from 'node:module';
import { build } from 'esbuild';
import { stringWidthFastPath, yogaWithoutFetch } from './build-plugins.mjs';

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

/** Builds dist/tui/playground.js from src/tui/playground/index.tsx; `define` is the main build's. */
export async function buildInkBundle(define) {
  const result = await build({
    stdin: {
      contents: "import { startPlayground } from './src/tui/playground/index.tsx'; __agentctlExports.startPlayground = startPlayground;",
      resolveDir: '.',
      sourcefile: 'playground-tui-entry.js',
      loader: 'js',
    },
    outfile: 'dist/tui/playground.js',
    bundle: true,
    format: 'esm', // top-level await stays legal: the file runs as the body of an async function
    platform: 'node',
    target: 'node20',
    define: { ...define, 'import.meta.url': '__agentctlImportMetaUrl' },
    jsx: 'automatic',
    logLevel: 'warning',
    write: false,
    plugins: [requireExternals, yogaWithoutFetch, stringWidthFastPath],
  });
  const text = result.outputFiles[0].text;
  // The function wrapper is the loader's: the file must hold no module syntax of its own.
  if (/^\s*(import|export)\s[^(]/m.test(text)) throw new Error('dist/tui/playground.js: an import or export statement was left in the bundle');
  // A script compiled from a V8 code cache loses its dynamic import() callback (Node 20): none may be left.
  if (/(^|[^\w$.])import\(/m.test(text)) throw new Error('dist/tui/playground.js: a dynamic import() was left in the bundle');
  const { mkdir, writeFile } = await import('node:fs/promises');
  await mkdir('dist/tui', { recursive: true });
  await writeFile('dist/tui/playground.js', text);
}
