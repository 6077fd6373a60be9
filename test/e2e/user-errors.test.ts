/**
 * Defects found by trying agentctl, through the real binary: every condition a user can cause is an
 * error with its exit code and fix (no stack trace, no "internal error"), and read commands create nothing.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentctl } from '../support/cli.js';
import { tempDir } from '../support/workspace.js';

async function workspace() {
  const cwd = tempDir();
  const init = await agentctl(['init', '.', '--yes', '--template', 'basic', '--name', 'triage', '--owner', 'team-qa'], { cwd });
  expect(init.exitCode, init.stderr).toBe(0);
  return cwd;
}

/** A user error: the documented exit code, a fix, and neither a stack trace nor the words "internal error". */
function expectUserError(result: { exitCode: number; stderr: string }, exitCode: number, message: RegExp) {
  expect(result.stderr).toMatch(message);
  expect(result.stderr).toContain('fix:');
  expect(result.stderr).not.toContain('internal error');
  expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(result.exitCode, result.stderr).toBe(exitCode);
}

describe('numeric flags', () => {
  it.each([
    [['runs', '--limit', 'abc'], /--limit must be a whole number ≥ 1, got "abc"/],
    [['runs', '--limit', '0'], /--limit must be a whole number ≥ 1, got "0"/],
    [['runs', '--limit', '2.5'], /--limit must be a whole number/],
    [['eval', 'triage', '--repeat', 'x'], /--repeat must be a whole number between 1 and 1000, got "x"/],
    [['eval', 'triage', '--concurrency', '-3'], /--concurrency must be a whole number between 1 and 256, got "-3"/],
    [['eval', 'triage', '--timeout', '1e3'], /--timeout must be a whole number .*got "1e3"/],
  ])('%j is a usage error naming the flag, the value and an example', async (args, message) => {
    const cwd = await workspace();
    const result = await agentctl(args, { cwd });
    expectUserError(result, 2, message);
    expect(result.stderr).toMatch(new RegExp(`e\\.g\\. ${args.find((a) => a.startsWith('--'))} \\d+`));
  });

  it('a valid --limit limits', async () => {
    const cwd = await workspace();
    for (let i = 0; i < 3; i++) expect((await agentctl(['run', 'triage', '--provider', 'echo', '-i', `hello ${i}`], { cwd })).exitCode).toBe(0);
    expect(JSON.parse((await agentctl(['runs', '--limit', '2', '--json'], { cwd })).stdout)).toHaveLength(2);
  });
});

describe('runs --version', () => {
  it('filters runs by agent version, while agentctl --version and -V print agentctl’s version', async () => {
    const cwd = await workspace();
    expect((await agentctl(['run', 'triage', '--provider', 'echo', '-i', 'hello'], { cwd })).exitCode).toBe(0);
    const own = await agentctl(['--version'], { cwd });
    expect(own.exitCode).toBe(0);
    expect(own.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect((await agentctl(['-V'], { cwd })).stdout).toBe(own.stdout);

    const match = await agentctl(['runs', '--version', '0.1.0', '--json'], { cwd });
    expect(match.exitCode, match.stderr).toBe(0);
    expect(JSON.parse(match.stdout)).toEqual([expect.objectContaining({ agent: 'triage', version: '0.1.0' })]);
    const none = await agentctl(['runs', '--version', '9.9.9', '--json'], { cwd });
    expect(JSON.parse(none.stdout)).toEqual([]);
    // Global options still work after the command name.
    const elsewhere = await agentctl(['runs', '-C', cwd, '--version', '0.1.0', '--json'], { cwd: tempDir() });
    expect(JSON.parse(elsewhere.stdout)).toHaveLength(1);
  });
});

describe('read commands in a fresh workspace', () => {
  it('create no database: trace last says there are no runs yet', async () => {
    const cwd = await workspace();
    const db = join(cwd, '.agentctl/registry.db');
    expect(existsSync(db)).toBe(false);
    const trace = await agentctl(['trace', 'last'], { cwd });
    expectUserError(trace, 1, /no runs yet/);
    for (const args of [['runs'], ['stats'], ['export'], ['list'], ['show', 'triage'], ['history', 'triage'], ['diff', 'triage@0.1.0', 'triage@0.2.0']]) {
      const result = await agentctl(args, { cwd });
      expect(result.stderr, args.join(' ')).not.toContain('internal error');
      expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBeLessThanOrEqual(1);
    }
    expect(existsSync(db)).toBe(false);
    expect(readdirSync(join(cwd, '.agentctl')).filter((f) => f.startsWith('registry'))).toEqual([]);
  });
});

describe('damaged files', () => {
  it('a corrupt or truncated blob is an environment error (exit 3) with a fix', async () => {
    const cwd = await workspace();
    expect((await agentctl(['register', 'agents/triage'], { cwd })).exitCode).toBe(0);
    const shown = JSON.parse((await agentctl(['show', 'triage@0.1.0', '--json'], { cwd })).stdout);
    const digest: string = shown.files[0].digest;
    const hex = digest.replace('sha256:', '');
    const path = join(cwd, '.agentctl/blobs/sha256', hex.slice(0, 2), hex.slice(2));
    const original = readFileSync(path);
    writeFileSync(path, original.subarray(0, Math.floor(original.length / 2)));
    expectUserError(await agentctl(['run', 'triage@0.1.0', '-i', 'hello'], { cwd }), 3, /blob sha256:[0-9a-f]{64} is corrupt/);
    writeFileSync(path, Buffer.from('not the bytes you are looking for'));
    expectUserError(await agentctl(['run', 'triage@0.1.0', '-i', 'hello'], { cwd }), 3, /is corrupt/);
  });

  it('a corrupt index.json in a file:// layout is an environment error (exit 3) with a fix', async () => {
    const cwd = await workspace();
    const layout = join(cwd, 'layout/triage');
    await agentctl(['remote', 'add', 'team', `file://${join(cwd, 'layout')}`], { cwd });
    mkdirSync(layout, { recursive: true });
    writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}\n');
    for (const text of ['{"schemaVersion": 2, "manifests": [', '{"schemaVersion": 2, "manifests": {}}', 'null']) {
      writeFileSync(join(layout, 'index.json'), text);
      expectUserError(await agentctl(['pull', 'team/triage@0.1.0'], { cwd }), 3, /index\.json is not a valid OCI image index/);
      expectUserError(await agentctl(['remote', 'ls', 'team', 'triage'], { cwd }), 3, /index\.json is not a valid OCI image index/);
    }
  });

  it('init into a path that is a file is a usage error (exit 2)', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'notes.txt'), 'mine\n');
    for (const target of ['notes.txt', 'notes.txt/sub']) {
      const result = await agentctl(['init', target, '--yes'], { cwd });
      expectUserError(result, 2, /notes\.txt is a file/);
      expect(statSync(join(cwd, 'notes.txt')).isFile()).toBe(true);
      expect(readFileSync(join(cwd, 'notes.txt'), 'utf8')).toBe('mine\n');
    }
    expectUserError(await agentctl(['init', 'notes.txt', '--yes', '--force'], { cwd }), 2, /notes\.txt is a file/);
  });

  it.each([
    [['export', '--out', 'no/such/folder/events.jsonl'], /cannot write --out no\/such\/folder\/events\.jsonl: the folder .* does not exist/],
    [['schema', 'agent', '--out', 'no/such/folder/agent.json'], /cannot write --out .*: the folder .* does not exist/],
    [['eval', 'triage', '--junit', 'no/such/folder/junit.xml'], /cannot write --junit .*: the folder .* does not exist/],
    [['export', '--out', '.'], /cannot write --out \.: it is a folder/],
  ])('%j: an output path that cannot be written is a usage error (exit 2)', async (args, message) => {
    const cwd = await workspace();
    expectUserError(await agentctl(args, { cwd }), 2, message);
  });
});
