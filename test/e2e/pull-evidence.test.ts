/** Evidence travels with the version: a pulled prod version arrives with its signed eval and approvals. */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { agentctl } from '../support/cli.js';
import { tempDir, writeFile } from '../support/workspace.js';

type Ctx = { cwd: string; env: Record<string, string> };
const ok = async (args: string[], ctx: Ctx) => {
  const r = await agentctl(args, ctx);
  expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
};

describe('pull imports verified evidence', () => {
  it('a pulled prod version: gates count its signed eval and approvals, show and gates say where they came from', async () => {
    const a = { cwd: tempDir(), env: { AGENTCTL_USER: 'alice' } as Record<string, string> };
    a.env.XDG_CONFIG_HOME = join(a.cwd, '.xdg');
    const ref = 'triage@0.1.0';
    await ok(['init', '.', '--yes', '--template', 'main-sub', '--name', 'triage', '--owner', 'team-qa'], a);
    await ok(['register', 'agents/triage'], a);
    await ok(['promote', ref, '--to', 'dev', '--with-deps'], a);
    await ok(['promote', ref, '--to', 'canary', '--with-deps'], a);
    for (const r of [ref, 'triage-planner@0.1.0', 'triage-writer@0.1.0']) await ok(['eval', r], a);
    await ok(['approve', ref, '--with-deps', '--note', 'reviewed'], { ...a, env: { ...a.env, AGENTCTL_USER: 'carol' } });
    await ok(['promote', ref, '--to', 'prod', '--with-deps'], a);
    await ok(['keys', 'generate'], a);
    await ok(['push', ref], a);
    const keyId = JSON.parse((await ok(['keys', 'list', '--json'], a)).stdout).keys[0].keyId as string;

    // The consumer runs the same policy: prod needs an eval and an approval.
    const b = { cwd: tempDir(), env: { AGENTCTL_USER: 'bob' } as Record<string, string> };
    b.env.XDG_CONFIG_HOME = join(b.cwd, '.xdg');
    const pem = readFileSync(join(a.cwd, '.xdg/agentctl/keys/default.pub'), 'utf8').trim().split('\n');
    writeFile(b.cwd, '.agentctl/config.yaml', `team: team-ops\ndefaultPolicy: default\ntrustedKeys:\n  alice: |\n${pem.map((l) => `    ${l}`).join('\n')}\n`);
    mkdirSync(join(b.cwd, 'policies'));
    copyFileSync(join(a.cwd, 'policies/default.yaml'), join(b.cwd, 'policies/default.yaml'));
    await ok(['remote', 'add', 'team', `file://${join(a.cwd, '.agentctl/oci')}`], b);

    const pulled = await ok(['pull', 'team/triage', '--verify'], b);
    expect(pulled.stderr).toContain('team/triage@prod → triage@0.1.0');
    expect(pulled.stdout).toMatch(/evidence\s+prod on team, signed by alice/);

    const show = await ok(['show', ref], b);
    expect(show.stdout).toMatch(/remote\s+prod on team \(signed by alice sha256:/);
    expect(show.stdout).toContain(`approval by carol (team-qa) — pulled from team (signed by alice ${keyId})`);
    expect(show.stdout).toMatch(/eval \S+: pass rate 100\.0% — pulled from team \(signed by alice sha256:/);
    // Not a local stage holder: local stages are routed by local promotions.
    const shown = JSON.parse((await ok(['show', ref, '--json'], b)).stdout);
    expect(shown).toMatchObject({ status: 'draft', holds: [], remoteStages: [{ stage: 'prod', remote: 'team', keyName: 'alice', keyId }] });

    const gates = JSON.parse((await ok(['gates', ref, '--json'], b)).stdout);
    const prod = gates.stages.find((s: { stage: string }) => s.stage === 'prod').checks as { gate: string; holds: boolean; detail: string }[];
    expect(prod.find((c) => c.gate === 'eval')).toMatchObject({ holds: true });
    expect(prod.find((c) => c.gate === 'approvals')).toMatchObject({ holds: true, detail: expect.stringContaining('carol') });
    expect(gates.evidence).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'eval', pulled: expect.objectContaining({ remote: 'team', keyName: 'alice', keyId }) }),
        expect.objectContaining({ kind: 'approval', detail: 'approval by carol (team-qa)', pulled: expect.objectContaining({ keyId }) }),
      ]),
    );
    expect((await ok(['gates', ref], b)).stdout).toContain(`approval by carol (team-qa) — pulled from team (signed by alice ${keyId})`);

    // Pulling again records nothing new; the imported rows are insert-only and bound to the digest.
    const again = await ok(['pull', 'team/triage@0.1.0', '--verify', '--json'], b);
    expect(JSON.parse(again.stdout).evidence).toEqual([expect.objectContaining({ keyName: 'alice', stage: 'prod', imported: false })]);
    const db = new Database(join(b.cwd, '.agentctl/registry.db'));
    try {
      expect(db.prepare('SELECT count(*) FROM imported_evidence').pluck().get()).toBe(1);
      expect(() => db.prepare(`UPDATE imported_evidence SET predicate = json_set(predicate, '$.approvals', json('[]'))`).run()).toThrow(/append-only/);
      expect(() => db.prepare('DELETE FROM imported_evidence').run()).toThrow(/append-only/);
      const row = db.prepare('SELECT * FROM imported_evidence').get() as Record<string, string>;
      const forged = { ...row, attestation_digest: `sha256:${'0'.repeat(64)}`, digest: `sha256:${'1'.repeat(64)}` };
      const insert = db.prepare(
        'INSERT INTO imported_evidence (name, version, digest, remote, manifest_digest, attestation_digest, signer_key_id, signer_name, remote_stage, predicate, envelope, imported_at, imported_by) VALUES (@name, @version, @digest, @remote, @manifest_digest, @attestation_digest, @signer_key_id, @signer_name, @remote_stage, @predicate, @envelope, @imported_at, @imported_by)',
      );
      expect(() => insert.run(forged)).toThrow(/names a registered version and its digest/);
    } finally {
      db.close();
    }
  });
});
