/** `release <agent> --to <stage>`: the whole path through the built binary, on real SQLite in temp dirs. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { agentctl } from '../support/cli.js';
import { tempDir } from '../support/workspace.js';

/** A fresh `init --yes` workspace; `trusted`: an author's and a reviewer's key in .agentctl/trust.yaml. */
async function workspace(options: { trusted?: boolean; noKey?: boolean } = {}) {
  const cwd = tempDir();
  const env = { XDG_CONFIG_HOME: join(cwd, '.xdg') };
  const run = (args: string[], e: Record<string, string> = env) => agentctl(args, { cwd, env: e });
  const ok = async (args: string[], e: Record<string, string> = env) => {
    const r = await run(args, e);
    expect(r.exitCode, `${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
    return r;
  };
  await ok(['init', '.', '--yes', '--name', 'triage', '--owner', 'team-qa']);
  if (!options.noKey) await ok(['keys', 'generate']);
  if (options.trusted) {
    await ok(['keys', 'generate', '--name', 'reviewer']);
    await ok(['trust', 'add', 'team-qa', join(cwd, '.xdg/agentctl/keys/default.pub'), '--owner', 'alice']);
    await ok(['trust', 'add', 'team-qa', join(cwd, '.xdg/agentctl/keys/reviewer.pub'), '--owner', 'bob']);
  }
  const db = () => new Database(join(cwd, '.agentctl/registry.db'), { readonly: true });
  const count = (table: string): number => {
    const d = db();
    try {
      return d.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    } finally {
      d.close();
    }
  };
  const json = async (args: string[], e?: Record<string, string>) => JSON.parse((await run([...args, '--json'], e)).stdout);
  return { cwd, env, run, ok, count, json };
}

type Step = { step: string; status: string; detail: string; fix?: string; stage?: string };
const statuses = (steps: Step[]) => steps.map((s) => `${s.step}${s.stage ? ` ${s.stage}` : ''}:${s.status}`);

describe('agentctl release', () => {
  it('--to dev: validates, registers, evaluates, promotes and pushes to the scaffolded file:// remote', async () => {
    const { run, ok, json } = await workspace();
    const r = await run(['release', 'triage', '--to', 'dev']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✓ validate/);
    expect(r.stdout).toMatch(/✓ register +registered triage@0\.1\.0/);
    expect(r.stdout).toMatch(/✓ eval +triage@0\.1\.0: 2\/2 passed/);
    expect(r.stdout).toMatch(/✓ promote dev +triage@0\.1\.0 → dev \(first triage-lookup@0\.1\.0 → dev\)/);
    expect(r.stdout).toMatch(/✓ push +published to local\/triage:0\.1\.0, stage tag dev/);
    // Recorded exactly as the single commands record it: the eval evidence, the stage, the remote.
    const gates = await json(['gates', 'triage@0.1.0']);
    expect(gates.stage).toBe('dev');
    expect(gates.status).toBe('active');
    expect(gates.evidence.some((e: { kind: string }) => e.kind === 'eval')).toBe(true);
    const remote = await json(['remote', 'ls', 'local', 'triage']);
    expect(remote).toEqual([expect.objectContaining({ agent: 'triage', version: '0.1.0', stages: ['dev'] })]);
    // Once more: the registered digest is reused, the stage is already held, the push changes nothing.
    const again = await json(['release', 'triage', '--to', 'dev']);
    expect(statuses(again.steps)).toEqual(['validate:ok', 'register:reused', 'eval:ok', 'gates:ok', 'promote dev:reused', 'push:ok']);
    await ok(['list']);
  });

  it('--to prod stops at the approval gate with the reviewer’s command, approves nothing, and goes through once a second key approved', async () => {
    const { env, run, count, json } = await workspace({ trusted: true });
    const stopped = await run(['release', 'triage', '--to', 'prod']);
    expect(stopped.exitCode).toBe(1);
    expect(stopped.stdout).toMatch(/✗ gates +prod approvals \(triage-lookup@0\.1\.0, triage@0\.1\.0\)/);
    expect(stopped.stdout).toContain(
      'fix: bob, with their key: AGENTCTL_SIGNING_KEY=reviewer agentctl approve triage@0.1.0 --with-deps, then agentctl release triage --to prod',
    );
    // Stopped before anything moved, and it approved nothing.
    expect(stopped.stdout).not.toContain('promote');
    expect(count('approvals')).toBe(0);
    expect((await json(['gates', 'triage@0.1.0'])).status).toBe('draft');

    // The reviewer runs exactly the printed command.
    const approve = await run(['approve', 'triage@0.1.0', '--with-deps'], { ...env, AGENTCTL_SIGNING_KEY: 'reviewer' });
    expect(approve.exitCode, approve.stderr).toBe(0);
    expect(count('approvals')).toBe(2);

    const through = await json(['release', 'triage', '--to', 'prod']);
    expect(statuses(through.steps)).toEqual([
      'validate:ok',
      'register:reused',
      'eval:ok',
      'gates:ok',
      'promote dev:ok',
      'promote canary:ok',
      'promote prod:ok',
      'push:ok',
    ]);
    expect(through).toMatchObject({ ref: 'triage@0.1.0', stage: 'prod' });
    expect(count('approvals')).toBe(2);
    const history = await json(['history', 'triage@0.1.0']);
    expect(history.transitions.map((t: { actor: string }) => t.actor)).toEqual(['alice', 'alice', 'alice', 'alice']);
  });

  it('--dry-run prints the plan and changes nothing; --json gives each step', async () => {
    const { run, json, count } = await workspace();
    const plan = await run(['release', 'triage', '--to', 'canary', '--dry-run']);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('release plan: triage@0.1.0 → canary (dry run: nothing is changed)');
    expect(plan.stdout).toMatch(/· register +would register triage@0\.1\.0/);
    expect(plan.stdout).toMatch(/· promote canary +would promote triage@0\.1\.0 to canary/);
    const planned = await json(['release', 'triage', '--to', 'canary', '--dry-run']);
    expect(planned).toMatchObject({ dryRun: true, ref: 'triage@0.1.0', stage: 'canary' });
    expect(statuses(planned.steps)).toEqual([
      'validate:ok',
      'register:planned',
      'eval:planned',
      'gates:planned',
      'promote dev:planned',
      'promote canary:planned',
      'push:planned',
    ]);
    for (const step of planned.steps) expect(Object.keys(step).every((k) => ['step', 'status', 'detail', 'fix', 'ref', 'stage'].includes(k))).toBe(true);
    expect((await json(['list'])).length).toBe(0);

    // With the version registered: the plan says it is reused, and still writes nothing.
    await run(['register', 'agents/triage']);
    const before = [count('transitions'), count('evals')];
    const reused = await json(['release', 'triage', '--to', 'canary', '--dry-run']);
    expect(statuses(reused.steps).slice(0, 2)).toEqual(['validate:ok', 'register:reused']);
    expect([count('transitions'), count('evals')]).toEqual(before);
    // To prod the plan already knows the approval is missing (an eval cannot change that): it stops there,
    // with the same fix the release gives, exit 1, and still writes nothing.
    const toProd = await run(['release', 'triage', '--to', 'prod', '--dry-run']);
    expect(toProd.exitCode).toBe(1);
    expect(toProd.stdout).toMatch(/✗ gates +would stop here: prod approvals \(triage-lookup@0\.1\.0, triage@0\.1\.0\)/);
    expect(toProd.stdout).toContain('agentctl approve triage@0.1.0 --with-deps');
    expect([count('transitions'), count('evals'), count('approvals')]).toEqual([...before, 0]);
  });

  it('a failing eval stops the release before promote, with the failing run to look at', async () => {
    const { cwd, run, json } = await workspace();
    const samples = join(cwd, 'agents/triage/evals/samples.yaml');
    writeFileSync(samples, readFileSync(samples, 'utf8').replace('value: refund', 'value: "no such words in the answer"'));
    const r = await json(['release', 'triage', '--to', 'dev']);
    expect(statuses(r.steps)).toEqual(['validate:ok', 'register:ok', 'eval:failed']);
    expect(r.steps[2].detail).toContain('gate failed');
    expect(r.steps[2].fix).toMatch(/^agentctl trace [0-9A-Z]{26} \(the first failing sample\)/);
    const code = await run(['release', 'triage', '--to', 'dev']);
    expect(code.exitCode).toBe(1);
    expect((await json(['gates', 'triage@0.1.0'])).status).toBe('draft');
    // The printed trace command works.
    const trace = await run((r.steps[2].fix as string).split(' (')[0]?.split(' ').slice(1) ?? []);
    expect(trace.exitCode, trace.stderr).toBe(0);
  });

  it('a changed spec under a registered version is refused with the file to bump', async () => {
    const { cwd, run, ok, json } = await workspace();
    await ok(['release', 'triage', '--to', 'dev']);
    const spec = join(cwd, 'agents/triage/agent.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace(/description: .*/, 'description: changed without a bump'));
    const r = await run(['release', 'triage', '--to', 'dev']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/✗ register +triage@0\.1\.0 is already registered with digest/);
    expect(r.stdout).toContain('fix: bump the version, e.g. metadata.version: 0.1.1 in agents/triage/agent.yaml, then agentctl release triage --to dev');
    const dry = await json(['release', 'triage', '--to', 'dev', '--dry-run']);
    expect(statuses(dry.steps)).toEqual(['validate:ok', 'register:failed']);
    expect(dry.steps[1].fix).toBe('bump metadata.version in agents/triage/agent.yaml, then agentctl release triage --to dev');
  });

  it('without a signing key it stops before anything is promoted, with the command that makes one', async () => {
    const { run, ok, json } = await workspace({ noKey: true });
    const r = await run(['release', 'triage', '--to', 'dev']);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/✗ push +no signing key named "default"/);
    expect(r.stdout).toContain('fix: agentctl keys generate');
    expect(r.stdout).not.toContain('promote dev');
    expect((await json(['gates', 'triage@0.1.0'])).status).toBe('draft');
    await ok(['keys', 'generate']);
    expect(statuses((await json(['release', 'triage', '--to', 'dev'])).steps)).toEqual([
      'validate:ok',
      'register:reused',
      'eval:ok',
      'gates:ok',
      'promote dev:ok',
      'push:ok',
    ]);
  });

  it('without a remote the push is skipped with a note; --remote picks one; an unknown agent is a usage error', async () => {
    const { cwd, run, ok, json } = await workspace();
    const config = join(cwd, '.agentctl/config.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace(/^defaultRemote: .*$/m, ''));
    const r = await json(['release', 'triage', '--to', 'dev']);
    expect(r.steps.at(-1)).toMatchObject({ step: 'push', status: 'skipped', fix: 'agentctl release triage --to dev --remote local' });
    const picked = await json(['release', 'triage', '--to', 'dev', '--remote', 'local']);
    expect(picked.steps.at(-1)).toMatchObject({ step: 'push', status: 'ok' });
    const unknown = await run(['release', 'nobody', '--to', 'dev']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stdout).toContain('fix: agentctl release triage --to dev (agents here: triage)');
    await ok(['list']);
  });
});
