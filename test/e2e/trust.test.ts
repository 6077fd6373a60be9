/** Keys are identities: a trust file maps teams to keys; approvals are signatures; flags grant nothing. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { agentctl } from '../support/cli.js';
import { tempDir } from '../support/workspace.js';

async function team() {
  const cwd = tempDir();
  const env = { XDG_CONFIG_HOME: join(cwd, '.xdg') };
  const as = (key: string) => ({ ...env, AGENTCTL_SIGNING_KEY: key });
  const run = (args: string[], e: Record<string, string> = env) => agentctl(args, { cwd, env: e });
  const ok = async (args: string[], e: Record<string, string> = env) => {
    const r = await run(args, e);
    expect(r.exitCode, `${args.join(' ')}\n${r.stderr}`).toBe(0);
    return r;
  };
  await ok(['init', '.', '--yes', '--template', 'basic', '--name', 'triage', '--owner', 'team-qa']);
  for (const name of ['default', 'reviewer', 'outsider', 'opsie']) await ok(['keys', 'generate', '--name', name]);
  const pub = (name: string) => join(cwd, '.xdg/agentctl/keys', `${name}.pub`);
  await ok(['trust', 'add', 'team-qa', pub('default'), '--owner', 'alice']);
  await ok(['trust', 'add', 'team-qa', pub('reviewer'), '--owner', 'bob']);
  await ok(['trust', 'add', 'team-ops', pub('opsie'), '--owner', 'olga']);
  return { cwd, env, as, run, ok, pub };
}

const approvalsCheck = async (run: (a: string[]) => Promise<{ stdout: string }>) => {
  const gates = JSON.parse((await run(['gates', 'triage@0.1.0', '--json'])).stdout);
  return gates.stages.find((s: { stage: string }) => s.stage === 'prod').checks.find((c: { gate: string }) => c.gate === 'approvals');
};

describe('keys are identities', () => {
  it('registration and moves are signed by the key; approvals count only as signatures by trusted keys, never the author’s', async () => {
    const { cwd, as, run, ok } = await team();
    await ok(['register', 'agents/triage']);
    await ok(['promote', 'triage@0.1.0', '--to', 'dev', '--with-deps']);
    const history = JSON.parse((await ok(['history', 'triage@0.1.0', '--json'])).stdout).transitions;
    expect(history.map((t: { actor: string; signer: string | null }) => [t.actor, t.signer?.slice(0, 7)])).toEqual([
      ['alice', 'sha256:'],
      ['alice', 'sha256:'],
    ]);

    // The author's key cannot approve; --user cannot pretend to be someone else.
    const self = await run(['approve', 'triage@0.1.0']);
    expect(self.exitCode).toBe(1);
    expect(self.stderr).toContain('alice registered triage@0.1.0 and cannot approve it');
    expect(self.stderr).toContain('agentctl trust add');
    const pretend = await run(['approve', 'triage@0.1.0', '--user', 'bob']);
    expect(pretend.exitCode).toBe(1);
    expect(pretend.stderr).toContain('--user bob grants nothing');
    const stranger = await run(['approve', 'triage@0.1.0'], as('outsider'));
    expect(stranger.exitCode).toBe(1);
    expect(stranger.stderr).toContain('is not in .agentctl/trust.yaml');

    // A forged row (raw SQL, unsigned) and an envelope copied from another digest count for nothing.
    await ok(['approve', 'triage-lookup@0.1.0', '--note', 'tool ok'], as('reviewer'));
    const db = new Database(join(cwd, '.agentctl/registry.db'));
    const copied = db.prepare(`SELECT envelope FROM approvals WHERE name = 'triage-lookup'`).pluck().get() as string;
    const digest = db.prepare(`SELECT digest FROM versions WHERE name = 'triage' AND version = '0.1.0'`).pluck().get() as string;
    const insert = db.prepare('INSERT INTO approvals (name, version, digest, user, team, note, at, signer, envelope) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    insert.run('triage', '0.1.0', digest, 'mallory', 'team-qa', 'forged', new Date().toISOString(), null, null);
    insert.run('triage', '0.1.0', digest, 'bob2', 'team-qa', 'copied', new Date().toISOString(), 'x', copied);
    db.close();
    const forged = await approvalsCheck(run);
    expect(forged).toMatchObject({ holds: false, detail: expect.stringContaining('0 of 1 approval(s) signed by nobody yet; 2 not counted') });

    const approved = await ok(['approve', 'triage@0.1.0', '--note', 'reviewed'], as('reviewer'));
    expect(approved.stdout).toContain('bob (team-qa) approved triage@0.1.0');
    const counted = await approvalsCheck(run);
    expect(counted).toMatchObject({ holds: true, detail: expect.stringMatching(/1 of 1 approval\(s\) signed by bob \(team-qa, key sha256:[0-9a-f]{12}…\)/) });
  });

  it('a private key is never written into the trust file, and every key needs its owner', async () => {
    const { cwd, run, pub } = await team();
    const secret = await run(['trust', 'add', 'team-qa', pub('outsider').replace(/\.pub$/, '.key'), '--owner', 'eve']);
    expect(secret.exitCode).toBe(2);
    expect(secret.stderr).toContain('public keys only');
    expect(readFileSync(join(cwd, '.agentctl/trust.yaml'), 'utf8')).not.toContain('PRIVATE KEY');
    const nameless = await run(['trust', 'add', 'team-qa', pub('outsider')]);
    expect(nameless.exitCode).toBe(2);
    expect(nameless.stderr).toContain('--owner <their name>');
  });

  it('--team grants nothing: a key of another team cannot register into or move a team’s agent', async () => {
    const { as, run, ok } = await team();
    const intruder = await run(['register', 'agents/triage', '--team', 'team-qa'], as('opsie'));
    expect(intruder.exitCode).toBe(1);
    expect(intruder.stderr).toContain('--team team-qa grants nothing');
    const asOps = await run(['register', 'agents/triage'], as('opsie'));
    expect(asOps.exitCode).toBe(1);
    expect(asOps.stderr).toMatch(/owned by team team-qa|owner: team-qa/);
    await ok(['register', 'agents/triage']);
    const move = await run(['promote', 'triage@0.1.0', '--to', 'dev', '--with-deps'], as('opsie'));
    expect(move.exitCode).toBe(1);
    expect(move.stderr).toContain('owned by team team-qa');
  });

  it('rotation keeps old signatures valid; revocation does not; a retired key signs nothing new', async () => {
    const { run, ok, as } = await team();
    await ok(['register', 'agents/triage']);
    await ok(['approve', 'triage@0.1.0'], as('reviewer'));
    const keyId = JSON.parse((await ok(['trust', 'ls', '--json'])).stdout).keys.find((k: { owner: string }) => k.owner === 'bob').keyId;
    await ok(['trust', 'rm', keyId.slice(7, 19)]);
    expect(await approvalsCheck(run)).toMatchObject({ holds: true });
    const retiredSigns = await run(['approve', 'triage-lookup@0.1.0'], as('reviewer'));
    expect(retiredSigns.exitCode).toBe(1);
    expect(retiredSigns.stderr).toContain('is retired in .agentctl/trust.yaml');
    await ok(['trust', 'rm', keyId, '--revoke']);
    expect(await approvalsCheck(run)).toMatchObject({ holds: false });
  });

  it('without a trust file: single-developer mode, and gates say approvals are unsigned', async () => {
    const cwd = tempDir();
    const env = { XDG_CONFIG_HOME: join(cwd, '.xdg') };
    await agentctl(['init', '.', '--yes', '--template', 'basic', '--name', 'triage', '--owner', 'team-qa'], { cwd, env });
    await agentctl(['register', 'agents/triage'], { cwd, env });
    await agentctl(['approve', 'triage@0.1.0'], { cwd, env: { ...env, AGENTCTL_USER: 'bob' } });
    const check = await approvalsCheck((args) => agentctl(args, { cwd, env }));
    expect(check).toMatchObject({ holds: true, detail: expect.stringContaining('approvals are unsigned (no .agentctl/trust.yaml: single-developer mode)') });
    expect((await agentctl(['trust', 'ls'], { cwd, env })).stderr).toContain('single-developer mode');
  });
});
