// Bundles the CLI with esbuild: one small entry chunk for `--help`, one chunk per lazily imported command.
// Two dependencies stay external (enquirer, loaded only to prompt, and react-devtools-core, never); better-sqlite3's
// JavaScript is bundled and its native addon loaded from its install path (src/core/registry/db.ts).
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';
import { buildCommandBundles } from './build-command-bundle.mjs';
import { sqliteWithoutBindings, stringWidthFastPath, yogaWithoutFetch } from './build-plugins.mjs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

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
  external: ['enquirer', 'react-devtools-core'],
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  // Bundled CommonJS dependencies (commander, yaml, semver) call require(): give every chunk one.
  banner: { js: "import { createRequire as __agentctlRequire } from 'node:module'; const require = __agentctlRequire(import.meta.url);" },
  define: { __AGENTCTL_VERSION__: JSON.stringify(pkg.version), 'process.env.NODE_ENV': '"production"' },
  jsx: 'automatic',
  logLevel: 'warning',
  // Two start-up costs of Ink's dependencies the playground's first frame does not need (see build-plugins.mjs).
  plugins: [yogaWithoutFetch, stringWidthFastPath, sqliteWithoutBindings],
});

// The playground and eval once more, each as one script the CLI runs with a V8 code cache (see build-command-bundle.mjs).
await buildCommandBundles({ __AGENTCTL_VERSION__: JSON.stringify(pkg.version), 'process.env.NODE_ENV': '"production"' });
