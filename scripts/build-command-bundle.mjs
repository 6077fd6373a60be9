// A command with everything it imports (session, core, its dependencies) as one script for node:vm, so the CLI
// can keep a V8 code cache of it (src/cli/code-cache.ts, src/cli/command-bundle.ts). Node 20 caches no compiled
// code for ES modules (module.enableCompileCache needs Node 22.1), and compiling and linking the command's ES
// modules, then the functions its start runs, was most of the playground's first frame and about a third of an
// eval's start-up.
//
// The file is the body of an async function (Yoga and Ink await at their top level, which CommonJS cannot):
//   (async function (require, __agentctlExports, __agentctlImportMetaUrl, __agentctlInjected) { … })
// Node built-ins and the few unbundled packages are reached through that `require`; nothing is imported.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { build, transform } from 'esbuild';
import { sqliteWithoutBindings, stringWidthFastPath, yogaWithoutFetch } from './build-plugins.mjs';

const EXTERNAL = new Set(['enquirer', 'react-devtools-core']);
const isExternal = (path) => path.startsWith('node:') || builtinModules.includes(path) || EXTERNAL.has(path);

/**
 * The bundled commands. `deferred`: dynamic imports left out of the bundle (what a command needs only on some
 * paths: the eval's Ink view on a terminal, execa for a command tool, the MCP client), each rewritten to a loader
 * the CLI passes in (`__agentctlInjected.deferred[specifier]`, DEFERRED_IMPORTS in src/cli/command-bundle.ts): the CLI's own import()
 * loads them from its ES module chunks when they are used, and the bundle, read and deserialized on every start,
 * stays the size of what the command always runs.
 */
export const COMMAND_BUNDLES = [
  { name: 'playground', entry: './src/cli/commands/playground-run.ts', exportName: 'runPlayground', deferred: {} },
  {
    name: 'eval',
    entry: './src/cli/commands/eval-run.ts',
    exportName: 'evalCommand',
    deferred: {
      'src/cli/commands/eval-run.ts': ['../../tui/eval/index.js'],
      'src/core/runtime/command-tool.ts': ['execa'],
      'src/core/mcp/connect.ts': [
        '@modelcontextprotocol/sdk/client/index.js',
        '@modelcontextprotocol/sdk/client/streamableHttp.js',
        '@modelcontextprotocol/sdk/client/stdio.js',
      ],
    },
  },
];

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

/** Replaces `from` in `source` (every occurrence, and there must be one) with `to`. */
function rewrite(path, source, from, to) {
  if (!source.includes(from)) throw new Error(`${path}: expected text not found: revisit scripts/build-command-bundle.mjs\n  ${from}`);
  return source.replaceAll(from, () => to);
}

/**
 * What the bundle must share with the rest of the CLI rather than copy (src/cli/command-bundle.ts passes them
 * in): core/errors, because main reports an AgentctlError by `instanceof`; the import of a module tool's file and
 * every deferred import, because import() in a vm.Script has no loader unless the script is compiled with
 * `importModuleDynamically` (else ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING, with or without a code cache), and
 * the CLI's own import() needs no experimental vm option.
 */
function sharedWithTheCli(deferred) {
  const tools = resolve('src/core/runtime/tools.ts');
  const rewrites = new Map(Object.entries(deferred).map(([file, specifiers]) => [resolve(file), specifiers]));
  if (!rewrites.has(tools)) rewrites.set(tools, []);
  return {
    name: 'shared-with-the-cli',
    setup(build) {
      // A listed file the build never loads (renamed, or no longer imported) would leave its import in the bundle unnoticed.
      const loaded = new Set();
      build.onEnd(() => {
        const missed = [...rewrites.keys()].filter((file) => file !== tools && !loaded.has(file));
        if (missed.length) throw new Error(`deferred imports listed for files the bundle never loads: ${missed.join(', ')}`);
      });
      const errors = resolve('src/core/errors.ts');
      build.onResolve({ filter: /\/errors\.js$/ }, ({ path, resolveDir }) =>
        resolve(resolveDir, path.replace(/\.js$/, '.ts')) === errors ? { path: 'errors', namespace: 'injected' } : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: 'injected' }, () => ({ contents: 'module.exports = __agentctlInjected.errors;', loader: 'js' }));
      build.onLoad({ filter: /\.tsx?$/ }, async ({ path }) => {
        const specifiers = rewrites.get(path);
        if (!specifiers) return undefined;
        loaded.add(path);
        let source = await readFile(path, 'utf8');
        // `await import(…)` only: the same text in a type (`import('…').Client`) is not a call.
        for (const s of specifiers) source = rewrite(path, source, `await import('${s}')`, `await __agentctlInjected.deferred[${JSON.stringify(s)}]()`);
        if (path === tools)
          source = rewrite(
            path,
            source,
            'await import(resolve(context.toolDir, impl.path))',
            'await __agentctlInjected.importModule(resolve(context.toolDir, impl.path))',
          );
        return { contents: source, loader: path.endsWith('.tsx') ? 'tsx' : 'ts' };
      });
    },
  };
}

/**
 * esbuild gives every module that imports a CommonJS one (node:fs, node:path, …) its own copy of that module's
 * namespace, a getter per export: 143 copies, 6–9 ms of every eval's start. A namespace only reads through
 * to the module, so one per module (and mode) serves every importer. It holds the export names the module
 * had when first imported, which is all of them unless a CommonJS module is imported while it is still
 * loading (a require cycle); the modules converted here are Node's own, the CLI's injected ones and a few
 * npm packages, none in a cycle.
 */
const TO_ESM = 'var __toESM = (mod, isNodeMode, target) => (';
function oneNamespacePerModule(text, out) {
  if (!text.includes(TO_ESM)) throw new Error(`${out}: esbuild's __toESM helper changed; update oneNamespacePerModule`);
  return text.replace(
    TO_ESM,
    [
      'var __toESMOnce = new WeakMap();',
      'var __toESM = (mod, isNodeMode) => {',
      '  if (mod === null || (typeof mod !== "object" && typeof mod !== "function")) return __toESMCopy(mod, isNodeMode);',
      '  let made = __toESMOnce.get(mod);',
      '  if (!made) __toESMOnce.set(mod, (made = []));',
      '  return (made[isNodeMode ? 1 : 0] ??= __toESMCopy(mod, isNodeMode));',
      '};',
      'var __toESMCopy = (mod, isNodeMode, target) => (',
    ].join('\n'),
  );
}

/**
 * The bundle as ASCII: the CLI reads it as text at every start, and one non-ASCII character makes that a UTF-8
 * decode into a string of two bytes a character (~3 ms for the eval's 1.4 MB instead of under 1 ms, and twice
 * the memory). esbuild escapes such characters in code but keeps them in the comments it keeps (a few em
 * dashes); each is written as its \uXXXX escape, which is inert in a comment. Outside a comment an escape
 * can mean something else (a raw template, an identity escape in a regular expression), and a line separator
 * ends a // comment where its escape would not: the build checks that neither occurs, and fails otherwise.
 */
export async function asciiOnly(text, out) {
  if (!/[\u0080-\uffff]/.test(text)) return text;
  const separator = /[\u2028\u2029]/.exec(text);
  if (separator) throw new Error(`${out}: a line or paragraph separator (U+2028/U+2029) at ${separator.index}: escaping it would change the code`);
  // The code without its comments, printed as esbuild prints ASCII: what it cannot escape without changing
  // the code (raw templates, regular expressions) stays as it is, and is refused.
  const code = (await transform(text, { loader: 'js', format: 'esm', minifyWhitespace: true, legalComments: 'none' })).code;
  const stray = /[\u0080-\uffff]/.exec(code);
  if (stray)
    throw new Error(
      `${out}: a non-ASCII character outside a comment, which an escape could change: …${code.slice(Math.max(0, stray.index - 40), stray.index + 40)}…`,
    );
  return text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Builds dist/cli/<name>.js for each of COMMAND_BUNDLES; `define` is the main build's. */
export async function buildCommandBundles(define) {
  for (const bundle of COMMAND_BUNDLES) await buildCommandBundle(bundle, define);
}

async function buildCommandBundle({ name, entry, exportName, deferred }, define) {
  const out = `dist/cli/${name}.js`;
  const result = await build({
    stdin: {
      contents: `import { ${exportName} } from '${entry}'; __agentctlExports.${exportName} = ${exportName};`,
      resolveDir: '.',
      sourcefile: `${name}-entry.js`,
      loader: 'js',
    },
    outfile: out,
    bundle: true,
    format: 'esm', // top-level await stays legal: the file runs as the body of an async function
    platform: 'node',
    target: 'node20',
    define: { ...define, 'import.meta.url': '__agentctlImportMetaUrl' },
    jsx: 'automatic',
    logLevel: 'warning',
    write: false,
    plugins: [requireExternals, sharedWithTheCli(deferred), yogaWithoutFetch, stringWidthFastPath, sqliteWithoutBindings],
  });
  const text = await asciiOnly(oneNamespacePerModule(result.outputFiles[0].text, out), out);
  // The function wrapper is the loader's: the file must hold no module syntax of its own.
  if (/^\s*(import|export)\s[^(]/m.test(text)) throw new Error(`${out}: an import or export statement was left in the bundle`);
  // No dynamic import() either (see sharedWithTheCli), but the one in the text the assertion sandbox runs in its own process.
  const imports = [...text.matchAll(/(^|[^\w$.])import\(/gm)].map((m) => text.slice(m.index, m.index + 40));
  const allowed = (s) => s.includes('import(call.url)');
  if (!imports.every(allowed)) throw new Error(`${out}: a dynamic import() was left in the bundle:\n  ${imports.filter((s) => !allowed(s)).join('\n  ')}`);
  await mkdir('dist/cli', { recursive: true });
  await writeFile(out, text);
}
