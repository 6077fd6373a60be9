/**
 * better-sqlite3's JavaScript is bundled with the CLI and its native addon opened from its install path
 * (src/core/registry/db.ts): no CommonJS loading of the package, no `bindings` search. An install without the
 * addon says what is missing and how to fix it.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/core/util/package-root.js';
import { agentctl, BIN, cliEnv } from '../support/cli.js';
import { tempDir } from '../support/workspace.js';

describe("SQLite's native addon", () => {
  it('is the only file a registry command loads from better-sqlite3, and bindings is never loaded', async () => {
    const cwd = tempDir();
    const init = await agentctl(['init', '.', '--yes', '--name', 'triage', '--owner', 'team-qa'], { cwd });
    expect(init.exitCode, init.stderr).toBe(0);
    // On the main thread (an eval of 200 samples or more starts a write thread, which loads the package itself);
    // list opens the registry the eval made.
    for (const args of [
      ['eval', 'triage', '--json'],
      ['list', '--json'],
    ]) {
      const report = join(cwd, 'loaded.json');
      const result = await execa('node', ['--require', join(import.meta.dirname, '../support/loaded-files.cjs'), BIN, ...args], {
        cwd,
        reject: false,
        env: { ...cliEnv(cwd), LOADED_REPORT: report },
      });
      expect(result.exitCode, result.stderr).toBe(0);
      const loaded = (JSON.parse(readFileSync(report, 'utf8')) as string[]).filter((f) => f.includes('node_modules'));
      expect(loaded.filter((f) => /[\\/]node_modules[\\/](better-sqlite3|bindings)[\\/]/.test(f)).map((f) => f.replace(/^.*node_modules[\\/]/, ''))).toEqual([
        'better-sqlite3/build/Release/better_sqlite3.node',
      ]);
    }
  });

  it('missing from the install: the command says which file and how to fix it, exit 3', async () => {
    // A copy of the package whose node_modules has better-sqlite3 without its build folder.
    const root = packageRoot();
    const install = tempDir();
    for (const part of ['bin', 'dist', 'package.json', 'scaffolds']) cpSync(join(root, part), join(install, part), { recursive: true });
    mkdirSync(join(install, 'node_modules'));
    for (const name of readdirSync(join(root, 'node_modules'))) {
      if (name !== 'better-sqlite3') symlinkSync(join(root, 'node_modules', name), join(install, 'node_modules', name));
    }
    const sqlite = join(install, 'node_modules', 'better-sqlite3');
    for (const part of ['package.json', 'lib']) cpSync(join(root, 'node_modules', 'better-sqlite3', part), join(sqlite, part), { recursive: true });

    const cwd = tempDir();
    const init = await agentctl(['init', '.', '--yes', '--name', 'triage', '--owner', 'team-qa'], { cwd });
    expect(init.exitCode, init.stderr).toBe(0);
    const broken = (args: string[]) => execa('node', [join(install, 'bin', 'agentctl.js'), ...args], { cwd, reject: false, env: cliEnv(cwd) });
    const said = (result: { exitCode?: number; stderr: string }) => {
      expect(result.exitCode, result.stderr).toBe(3);
      expect(result.stderr).toContain("SQLite's native addon is missing (better-sqlite3/build/Release/better_sqlite3.node)");
      expect(result.stderr).toContain('npm rebuild better-sqlite3');
    };
    // From the eval's bundle, before anything is written: the workspace still has no registry.
    said(await broken(['eval', 'triage']));
    expect(existsSync(join(cwd, '.agentctl', 'registry.db'))).toBe(false);
    // From the CLI's own chunks, reading a registry a working install made.
    expect((await agentctl(['eval', 'triage'], { cwd })).exitCode).toBe(0);
    said(await broken(['list']));
  });
});
