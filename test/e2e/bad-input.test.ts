/** Bad input through the real binary: the exit code, what/where/how-to-fix, and the registry unchanged. */
import { chmodSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentctl } from '../support/cli.js';
import { tempDir, writeFile } from '../support/workspace.js';

async function workspace(registered = true) {
  const cwd = tempDir();
  await agentctl(['init', '.', '--yes', '--template', 'basic', '--name', 'triage', '--owner', 'team-qa'], { cwd });
  if (registered) expect((await agentctl(['register', 'agents/triage'], { cwd })).exitCode).toBe(0);
  return cwd;
}

const listJson = async (cwd: string) => (await agentctl(['list', '--json'], { cwd })).stdout;

describe('bad specs', () => {
  it('malformed YAML: exit 1, file:line:col on stdout', async () => {
    const cwd = await workspace(false);
    writeFile(cwd, 'agents/triage/agent.yaml', 'apiVersion: agentctl/v1\nkind: Agent\nmetadata:\n  name: [triage\n');
    const result = await agentctl(['validate'], { cwd });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^agents\/triage\/agent\.yaml:\d+:\d+ {2}error {2}/m);
    expect(result.stderr).toContain('1 error');
  });

  it('an alias bomb and a 50 MB spec are refused quickly', async () => {
    const cwd = await workspace(false);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++) bomb.push(`${'bcdefghi'[i]}: &${'bcdefghi'[i]} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`);
    writeFile(cwd, 'policies/bomb.yaml', `${bomb.join('\n')}\n`);
    writeFileSync(join(cwd, 'tools/triage-lookup/tool.yaml'), `a: "${'x'.repeat(50 * 1024 * 1024)}"\n`);
    const started = Date.now();
    const result = await agentctl(['validate', '--json'], { cwd });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.exitCode).toBe(1);
    const codes = JSON.parse(result.stdout).diagnostics.map((d: { file: string; code: string }) => `${d.file} ${d.code}`);
    expect(codes).toContain('policies/bomb.yaml yaml-alias');
    expect(codes).toContain('tools/triage-lookup/tool.yaml too-large');
  });

  it('unknown keys, wrong types, missing prompt and dangling refs are all reported in one pass', async () => {
    const cwd = await workspace(false);
    const spec = readFileSync(join(cwd, 'agents/triage/agent.yaml'), 'utf8')
      .replace('prompts/v1/system.md', 'prompts/v9/system.md')
      .replace('triage-lookup@^0.1.0', 'triage-lookpu@^0.1.0')
      .replace('maxSteps: 6', 'maxSteps: six');
    writeFileSync(join(cwd, 'agents/triage/agent.yaml'), `${spec}  colour: blue\n`);
    const result = await agentctl(['validate', '--json'], { cwd });
    expect(result.exitCode).toBe(1);
    const found = JSON.parse(result.stdout).diagnostics.map((d: { code: string }) => d.code);
    expect(found).toEqual(expect.arrayContaining(['wrong-type', 'unknown-key']));
    // Schema errors stop that file's reference checks; fix the types and the references are checked.
    writeFileSync(join(cwd, 'agents/triage/agent.yaml'), spec.replace('maxSteps: six', 'maxSteps: 6'));
    const second = JSON.parse((await agentctl(['validate', '--json'], { cwd })).stdout);
    expect(second.diagnostics.map((d: { code: string; message: string }) => d.code)).toEqual(['missing-file', 'dangling-ref']);
    expect(second.diagnostics[1].message).toContain('did you mean "triage-lookup"');
  });
});

describe('registry faults', () => {
  it('re-registering a changed spec under the same version: exit 1, both digests, registry unchanged', async () => {
    const cwd = await workspace();
    const before = await listJson(cwd);
    writeFile(cwd, 'agents/triage/prompts/v1/system.md', 'changed\n');
    const result = await agentctl(['register', 'agents/triage'], { cwd });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.match(/sha256:[0-9a-f]{64}/g)).toHaveLength(2);
    expect(result.stderr).toContain('metadata.version: 0.1.1');
    expect(await listJson(cwd)).toBe(before);
  });

  it('promoting out of order and a non-owner transition are refused', async () => {
    const cwd = await workspace();
    const out = await agentctl(['promote', 'triage@0.1.0', '--to', 'prod'], { cwd });
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toContain('agentctl promote triage@0.1.0 --to dev');
    const stranger = await agentctl(['promote', 'triage@0.1.0', '--to', 'dev', '--with-deps'], { cwd, env: { AGENTCTL_TEAM: 'team-x' } });
    expect(stranger.exitCode).toBe(1);
    expect(stranger.stderr).toContain('owned by team team-qa');
    expect(JSON.parse(await listJson(cwd))[0]).toMatchObject({ status: 'draft' });
  });

  it('a corrupt registry file: exit 3 with what to do', async () => {
    const cwd = await workspace(false);
    writeFile(cwd, '.agentctl/registry.db', 'this is not a database, it is a text file that got copied over it');
    const result = await agentctl(['list'], { cwd });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('not a valid SQLite database');
    expect(result.stderr).toContain('agentctl doctor');
  });

  it('a read-only registry: reads work, writes exit 3 and change nothing', async () => {
    const cwd = await workspace();
    const db = join(cwd, '.agentctl/registry.db');
    const before = readFileSync(db);
    chmodSync(db, 0o444);
    expect((await agentctl(['list', '--json'], { cwd })).exitCode).toBe(0);
    const result = await agentctl(['promote', 'triage@0.1.0', '--to', 'dev', '--with-deps'], { cwd });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('cannot be written');
    expect(result.stderr).toContain('chmod u+w');
    // Every writer says the same, not only the registry's own transitions.
    for (const args of [
      ['approve', 'triage@0.1.0'],
      ['eval', 'triage'],
      ['run', 'triage', '-i', 'What is our refund policy?'],
    ]) {
      const write = await agentctl(args, { cwd, env: { AGENTCTL_USER: 'bob' } });
      expect(write.exitCode, args.join(' ')).toBe(3);
      expect(write.stderr, args.join(' ')).toContain('cannot be written');
      expect(write.stderr).not.toContain('internal error');
    }
    expect(readFileSync(db).equals(before)).toBe(true);
  });

  it('two register processes at once both finish, never "database is locked", one version each', async () => {
    const cwd = await workspace(false);
    const results = await Promise.all([agentctl(['register', 'agents/triage'], { cwd }), agentctl(['register', 'agents/triage'], { cwd })]);
    for (const r of results) {
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/locked/i);
    }
    const rows = JSON.parse(await listJson(cwd));
    expect(rows.map((r: { name: string }) => r.name)).toEqual(['triage', 'triage-lookup']);
    const history = JSON.parse((await agentctl(['history', 'triage', '--json'], { cwd })).stdout).transitions;
    expect(history).toHaveLength(1);
  });

  it('two processes registering different content under one version: one wins, the other gets a clear conflict', async () => {
    const a = await workspace(false);
    const b = tempDir();
    // A second checkout of the same workspace that shares the registry through a symlinked .agentctl/.
    await agentctl(['init', '.', '--yes', '--template', 'basic', '--name', 'triage', '--owner', 'team-qa'], { cwd: b });
    writeFile(b, 'agents/triage/prompts/v1/system.md', 'a different prompt\n');
    const { rmSync } = await import('node:fs');
    rmSync(join(b, '.agentctl'), { recursive: true });
    symlinkSync(join(a, '.agentctl'), join(b, '.agentctl'));
    const results = await Promise.all([agentctl(['register', 'agents/triage'], { cwd: a }), agentctl(['register', 'agents/triage'], { cwd: b })]);
    // Both stderrs in the message: a loser that exits 3 (an environment error) says which one.
    expect(results.map((r) => r.exitCode).sort(), results.map((r) => r.stderr).join('\n---\n')).toEqual([0, 1]);
    const loser = results.find((r) => r.exitCode === 1);
    expect(loser?.stderr).toContain('already registered with digest');
    expect(JSON.parse(await listJson(a))).toHaveLength(2);
  });
});

describe('CLI conventions', () => {
  it('outside a workspace: exit 3 and "run agentctl init"', async () => {
    const result = await agentctl(['list'], { cwd: tempDir() });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('agentctl init');
    expect(result.stdout).toBe('');
  });

  it('--json errors stay off stdout, as one JSON line on stderr', async () => {
    const result = await agentctl(['show', 'nope', '--json'], { cwd: await workspace() });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(JSON.parse(result.stderr).error).toMatchObject({ code: 'not-found' });
  });

  it('a typo in a command: exit 2 with a suggestion', async () => {
    const result = await agentctl(['valdate'], { cwd: tempDir() });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Did you mean validate?');
  });

  it('a missing option value and a bad choice are usage errors (exit 2)', async () => {
    const cwd = await workspace();
    expect((await agentctl(['promote', 'triage@0.1.0'], { cwd })).exitCode).toBe(2);
    expect((await agentctl(['promote', 'triage@0.1.0', '--to', 'staging'], { cwd })).exitCode).toBe(2);
    expect((await agentctl(['show', 'triage@one'], { cwd })).exitCode).toBe(2);
  });

  it('init refuses names and templates that escape the target, and symlinks in it', async () => {
    const cwd = tempDir();
    const name = await agentctl(['init', 'ws', '--yes', '--name', '../../evil'], { cwd });
    expect(name.exitCode).toBe(2);
    expect(name.stderr).toContain('invalid name');
    const template = await agentctl(['init', 'ws', '--yes', '--template', '../../../etc'], { cwd });
    expect(template.exitCode).toBe(2);
    const target = tempDir();
    const elsewhere = tempDir();
    symlinkSync(elsewhere, join(target, 'agents'));
    const linked = await agentctl(['init', '.', '--yes', '--force', '--name', 'bot'], { cwd: target });
    expect(linked.exitCode).toBe(2);
    expect(linked.stderr).toContain('symbolic link');
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('honours NO_COLOR and FORCE_COLOR', async () => {
    const cwd = await workspace();
    const plain = await agentctl(['list'], { cwd, env: { NO_COLOR: '1' } });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for ANSI escapes
    expect(plain.stdout).not.toMatch(/\u001b\[/);
    const forced = await agentctl(['list'], { cwd, env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for ANSI escapes
    expect(forced.stdout).toMatch(/\u001b\[/);
  });
});
