/** The local loop through the real binary: init → validate → register → list → show → diff → promote → history. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentctl } from '../support/cli.js';
import { tempDir } from '../support/workspace.js';

describe('the local loop', () => {
  it('scaffolds, validates, registers, lists, shows, diffs, promotes and audits', async () => {
    const cwd = tempDir();
    const init = await agentctl(['init', 'my-agents', '--template', 'main-sub', '--name', 'triage', '--owner', 'team-qa', '--yes'], { cwd });
    expect(init.exitCode).toBe(0);
    expect(init.stdout).toContain('workspace ready in');
    const ws = join(cwd, 'my-agents');

    const validate = await agentctl(['validate', '--json'], { cwd: ws });
    expect(validate.exitCode).toBe(0);
    expect(JSON.parse(validate.stdout)).toMatchObject({ ok: true, errors: 0 });
    expect(JSON.parse(validate.stdout).files).toHaveLength(5);

    const register = await agentctl(['register', 'agents/triage', '--json'], { cwd: ws });
    expect(register.exitCode).toBe(0);
    expect(JSON.parse(register.stdout).registered.map((r: { ref: string }) => r.ref)).toEqual([
      'triage-tracker@0.1.0',
      'triage-planner@0.1.0',
      'triage-writer@0.1.0',
      'triage@0.1.0',
    ]);

    const list = await agentctl(['list', '--json', '--kind', 'Agent'], { cwd: join(ws, 'agents') });
    const rows = JSON.parse(list.stdout) as Record<string, string>[];
    expect(rows.map((r) => r.name)).toEqual(['triage', 'triage-planner', 'triage-writer']);
    expect(Object.keys(rows[0] ?? {}).sort()).toEqual([
      'createdAt',
      'createdBy',
      'digest',
      'holds',
      'kind',
      'name',
      'owner',
      'rolledBack',
      'stage',
      'status',
      'usedBy',
      'version',
    ]);
    expect(rows[0]).toMatchObject({ kind: 'Agent', owner: 'team-qa', stage: 'dev', status: 'draft' });
    expect(rows[0]?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    // A new version with a changed prompt, then the diff between the two.
    const spec = join(ws, 'agents/triage/agent.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('version: 0.1.0', 'version: 0.2.0'));
    writeFileSync(join(ws, 'agents/triage/prompts/v1/system.md'), 'You are triage. Route everything.\n');
    expect((await agentctl(['register', 'agents/triage'], { cwd: ws })).exitCode).toBe(0);
    const diff = await agentctl(['diff', 'triage@0.1.0', 'triage@0.2.0', '--json'], { cwd: ws });
    const changes = JSON.parse(diff.stdout);
    expect(changes.identical).toBe(false);
    expect(changes.files).toEqual([expect.objectContaining({ path: 'prompts/v1/system.md', change: 'changed' })]);
    expect(changes.files[0].lines).toContain('+You are triage. Route everything.');

    const show = await agentctl(['show', 'triage', '--json'], { cwd: ws });
    expect(JSON.parse(show.stdout)).toMatchObject({
      version: '0.2.0',
      dependencies: expect.arrayContaining([expect.objectContaining({ name: 'triage-tracker' })]),
    });

    expect((await agentctl(['promote', 'triage@0.1.0', '--to', 'dev', '--with-deps'], { cwd: ws })).exitCode).toBe(0);
    const canary = await agentctl(['promote', 'triage@0.1.0', '--to', 'canary', '--with-deps', '--reason', 'smoke tested', '--json'], { cwd: ws });
    expect(canary.exitCode).toBe(0);
    expect(JSON.parse(canary.stdout).version).toMatchObject({ status: 'active', stage: 'canary' });

    // prod needs eval evidence and an approval (policies/default.yaml): refused, with what is missing.
    const prod = await agentctl(['promote', 'triage@0.1.0', '--to', 'prod'], { cwd: ws });
    expect(prod.exitCode).toBe(1);
    // The eval and the approval, and the three dependencies that do not hold prod yet.
    expect(prod.stderr).toMatch(/cannot enter prod: 5 gate\(s\) do not hold/);
    expect(prod.stderr).toContain('sub-agent triage-planner@0.1.0 holds only dev, canary');
    expect(prod.stderr).toContain('approvals');

    const history = await agentctl(['history', 'triage@0.1.0', '--json'], { cwd: ws });
    expect(JSON.parse(history.stdout).transitions.map((h: { action: string; reason: string | null }) => [h.action, h.reason])).toEqual([
      ['register', null],
      ['promote', null],
      ['promote', 'smoke tested'],
    ]);

    expect((await agentctl(['deprecate', 'triage@0.1.0', '--reason', 'replaced by 0.2.0'], { cwd: ws })).exitCode).toBe(0);
    expect((await agentctl(['disable', 'triage@0.1.0', '--reason', 'retired'], { cwd: ws })).exitCode).toBe(0);
    const shown = await agentctl(['show', 'triage@0.1.0'], { cwd: ws });
    expect(shown.stdout).toContain('disabled (reached canary)');
  });

  it('adds agents, tools and policies with `new`, and they validate', async () => {
    const cwd = tempDir();
    await agentctl(['init', '.', '--yes', '--name', 'bot', '--owner', 'team-a'], { cwd });
    for (const [kind, name] of [
      ['agent', 'helper'],
      ['tool', 'word-count'],
      ['policy', 'strict'],
    ]) {
      const made = await agentctl(['new', kind as string, name as string], { cwd });
      expect(made.exitCode, made.stderr).toBe(0);
    }
    expect((await agentctl(['new', 'agent', 'helper'], { cwd })).exitCode).toBe(1);
    const validate = await agentctl(['validate'], { cwd });
    expect(validate.stderr).toContain('6 specs checked, 0 errors');
    expect(validate.exitCode).toBe(0);
  });

  it('prints templates, schemas and the exit codes', async () => {
    const cwd = tempDir();
    const templates = JSON.parse((await agentctl(['templates', '--json'], { cwd })).stdout);
    expect(templates.map((t: { name: string }) => t.name)).toEqual(['basic', 'main-sub', 'tool']);
    const schema = JSON.parse((await agentctl(['schema', 'agent'], { cwd })).stdout);
    expect(schema.title).toBe('agentctl Agent spec');
    const bad = await agentctl(['schema', 'agnet'], { cwd });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('did you mean "agent"');
    const codes = await agentctl(['help', 'exit-codes'], { cwd });
    expect(codes.stdout).toMatch(/2 +usage error/);
    expect(codes.stdout).toMatch(/3 +environment problem/);
  });

  it('doctor reports the workspace and the registry', async () => {
    const cwd = tempDir();
    await agentctl(['init', '.', '--yes', '--name', 'bot', '--owner', 'team-a'], { cwd });
    await agentctl(['register', 'agents/bot'], { cwd });
    const doctor = await agentctl(['doctor', '--json'], { cwd });
    expect(doctor.exitCode).toBe(0);
    const checks = JSON.parse(doctor.stdout).checks as { name: string; ok: boolean; detail: string }[];
    expect(checks.find((c) => c.name === 'registry')).toMatchObject({ ok: true, detail: expect.stringContaining('integrity ok') });
  });
});
