// Bundles the CLI with esbuild: one small entry chunk for `--help`, one chunk per lazily imported command.
// Dependencies stay external (better-sqlite3 is native; the rest load from node_modules only when needed).
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

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
  packages: 'external',
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  define: { __AGENTCTL_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});
