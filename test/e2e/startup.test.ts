/** `agentctl --help` must stay near bare node start-up: its static import graph holds commander and nothing heavy. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/core/util/package-root.js';
import { agentctl } from '../support/cli.js';
import { tempDir } from '../support/workspace.js';

/** Files reachable from a built file through static imports only (dynamic import() is lazy), and the bare packages they import. */
function staticGraph(entry: string, files = new Set<string>(), packages = new Set<string>()) {
  if (files.has(entry)) return { files, packages };
  files.add(entry);
  const source = readFileSync(entry, 'utf8');
  for (const match of source.matchAll(/^\s*import\s+(?:[^'"]*?\s+from\s+)?["']([^"']+)["'];?/gm)) {
    const specifier = match[1] as string;
    if (specifier.startsWith('.')) staticGraph(resolve(dirname(entry), specifier), files, packages);
    else if (!specifier.startsWith('node:')) packages.add(specifier);
  }
  return { files, packages };
}

describe('start-up path', () => {
  it('loads only the bundled command tree: no SQLite, YAML, zod, semver, Ink, React or enquirer before a command runs', () => {
    const { files, packages } = staticGraph(join(packageRoot(), 'dist/cli/main.js'));
    expect([...packages]).toEqual([]);
    const bundled = [...files].map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(bundled).toContain('node_modules/commander');
    for (const heavy of [
      'node_modules/zod',
      'node_modules/yaml',
      'node_modules/semver',
      'better-sqlite3',
      'node_modules/ink',
      'node_modules/react',
      'enquirer',
      'node_modules/ajv',
      'node_modules/@modelcontextprotocol',
    ]) {
      expect(bundled, heavy).not.toContain(heavy);
    }
  });

  it('bundles ajv only into the commands that check JSON Schemas, never into read commands', () => {
    const chunks = join(packageRoot(), 'dist/chunks');
    // A command may have more than one chunk of its name (eval: the command and its view): any of them counts.
    const reaches = (name: string) => {
      const own = readdirSync(chunks).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.js'));
      if (own.length === 0) throw new Error(`no chunk for ${name} in dist/chunks (run npm run build)`);
      return own.some((f) => [...staticGraph(join(chunks, f)).files].some((g) => readFileSync(g, 'utf8').includes('node_modules/ajv/dist/2020.js')));
    };
    for (const name of ['validate', 'register', 'run', 'eval']) expect(reaches(name), name).toBe(true);
    for (const name of ['list', 'show', 'runs', 'history', 'templates', 'help']) expect(reaches(name), name).toBe(false);
  });

  it('list reaches neither the YAML library nor zod: its redactor parses a config only when the config names a gateway', () => {
    const chunks = join(packageRoot(), 'dist/chunks');
    const own = readdirSync(chunks).filter((f) => f.startsWith('list-') && f.endsWith('.js'));
    expect(own).toHaveLength(1);
    const reached = [...staticGraph(join(chunks, own[0] as string)).files].map((g) => readFileSync(g, 'utf8')).join('\n');
    expect(reached).toContain('src/core/registry/versions.ts');
    expect(reached).not.toContain('node_modules/yaml/');
    expect(reached).not.toContain('node_modules/zod/');
    // Nor the Registry class and what it imports (the eval and run stores, semver), nor chalk for --json.
    for (const heavy of [
      'src/core/registry/registry.ts',
      'src/core/eval/store.ts',
      'src/core/events/run-store.ts',
      'node_modules/semver/',
      'node_modules/chalk/',
      // Nor the signing of statements (stages.ts) and the file output (output.ts): both load node:crypto.
      'src/core/trust/statements.ts',
      'src/core/remote/sign.ts',
      'src/cli/output-file.ts',
    ]) {
      expect(reached, heavy).not.toContain(heavy);
    }
    expect(reached).not.toMatch(/from ["']node:crypto["']/);
  });

  it('loads the MCP SDK only where an MCP server is listed or called: no command reaches it through static imports', () => {
    const chunks = join(packageRoot(), 'dist/chunks');
    const sdk = readdirSync(chunks).filter(
      (f) => f.endsWith('.js') && readFileSync(join(chunks, f), 'utf8').includes('node_modules/@modelcontextprotocol/sdk'),
    );
    expect(sdk.length).toBeGreaterThan(0);
    for (const name of ['run', 'eval', 'validate', 'new']) {
      const own = readdirSync(chunks).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.js'));
      expect(own.length, name).toBeGreaterThan(0);
      for (const f of own) {
        const reached = [...staticGraph(join(chunks, f)).files].map((g) => readFileSync(g, 'utf8')).join('\n');
        expect(reached, `${f} statically reaches the MCP SDK`).not.toContain('node_modules/@modelcontextprotocol/sdk');
      }
    }
  });

  it('--help and --version work and exit 0', async () => {
    const cwd = tempDir();
    const help = await agentctl(['--help'], { cwd });
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('validate');
    const version = await agentctl(['--version'], { cwd });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
