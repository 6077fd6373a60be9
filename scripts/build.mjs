// Bundles the CLI with esbuild: one small entry chunk for `--help`, one chunk per lazily imported command.
// Dependencies stay external (better-sqlite3 is native; the rest load from node_modules only when needed).
import { readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

/**
 * Yoga (Ink's layout engine) embeds its WebAssembly as a base64 data: URL and, when `fetch` exists, loads
 * it with fetch(). On Node 20 the first touch of the global `fetch` loads undici: ~40 ms of the
 * playground's first frame spent to decode a string already in memory. Its own synchronous decoder is
 * used instead (the path it takes where fetch is missing); the build fails if Yoga's loader changes shape.
 */
const yogaWithoutFetch = {
  name: 'yoga-without-fetch',
  setup(b) {
    b.onLoad({ filter: /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const fetchPath = 'function ya(){return w||"function"!=typeof fetch?';
      if (!source.includes(fetchPath)) throw new Error(`${args.path}: Yoga's wasm loader changed; revisit yogaWithoutFetch in scripts/build.mjs`);
      return { contents: source.replace(fetchPath, 'function ya(){return true?'), loader: 'js' };
    });
  },
};

await build({
  entryPoints: { 'cli/main': 'src/cli/main.ts', 'core/index': 'src/core/index.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Pure-JS dependencies are bundled and tree-shaken: loading one file is much cheaper than hundreds.
  // Ink and React are bundled too (into the playground's chunk only): unbundled, Ink alone takes ~0.6 s to import.
  external: ['better-sqlite3', 'enquirer', 'react-devtools-core'],
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  // Bundled CommonJS dependencies (commander, yaml, semver) call require(): give every chunk one.
  banner: { js: "import { createRequire as __agentctlRequire } from 'node:module'; const require = __agentctlRequire(import.meta.url);" },
  define: { __AGENTCTL_VERSION__: JSON.stringify(pkg.version), 'process.env.NODE_ENV': '"production"' },
  jsx: 'automatic',
  logLevel: 'warning',
  plugins: [yogaWithoutFetch],
});
