/** Stages route: name@prod, one holder per stage, rollback, dependencies that follow their stage. */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { agentctl } from '../support/cli.js';
import { tempDir } from '../support/workspace.js';

/** A main-sub workspace whose policy lets prod in on validation alone (the gates are tested elsewhere). */
async function workspace(): Promise<string> {
  const cwd = tempDir();
  expect((await agentctl(['init', '.', '--yes', '--template', 'main-sub', '--name', 'triage', '--owner', 'team-qa'], { cwd })).exitCode).toBe(0);
  const policy = join(cwd, 'policies/default.yaml');
  writeFileSync(policy, readFileSync(policy, 'utf8').replace(/ {4}prod:\n(?: {6}.*\n)+/, '    prod:\n      validated: true\n'));
  return cwd;
}

const ok = async (cwd: string, args: string[], env: Record<string, string> = {}) => {
  const r = await agentctl(args, { cwd, env });
  expect(r.exitCode, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
};

function bump(cwd: string, agent: string, to: string, prompt?: string) {
  const spec = join(cwd, `agents/${agent}/agent.yaml`);
  writeFileSync(spec, readFileSync(spec, 'utf8').replace(/version: \d+\.\d+\.\d+/, `version: ${to}`));
  if (prompt) writeFileSync(join(cwd, `agents/${agent}/prompts/v1/system.md`), prompt);
}

async function toProd(cwd: string, ref: string) {
  for (const stage of ['dev', 'canary', 'prod']) await ok(cwd, ['promote', ref, '--to', stage, '--with-deps']);
}

describe('stages route', () => {
  it('name@prod is the version that holds prod; promotion moves it, history shows both sides, rollback gives it back', async () => {
    const cwd = await workspace();
    await ok(cwd, ['register', 'agents/triage']);
    const none = await agentctl(['run', 'triage@prod', '-i', 'hi'], { cwd });
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toContain('nothing holds prod for triage yet');
    expect(none.stderr).toContain('agentctl promote triage@0.1.0 --to');
    const staging = await agentctl(['show', 'triage@staging'], { cwd });
    expect(staging.exitCode).toBe(2);
    expect(staging.stderr).toContain('the stages are dev, canary, prod');

    await toProd(cwd, 'triage@0.1.0');
    bump(cwd, 'triage', '0.2.0', 'You are triage, second edition.\n');
    await ok(cwd, ['register', 'agents/triage']);
    await ok(cwd, ['promote', 'triage@0.2.0', '--to', 'dev']);
    await ok(cwd, ['promote', 'triage@0.2.0', '--to', 'canary']);
    const moved = await ok(cwd, ['promote', 'triage@0.2.0', '--to', 'prod']);
    expect(moved.stdout).toContain('triage@prod moves from 0.1.0 to 0.2.0');

    const run = await ok(cwd, ['run', 'triage@prod', '-i', 'What is the status of LOGIN-42?', '--json']);
    expect(JSON.parse(run.stdout).version).toBe('0.2.0');
    const shown = await ok(cwd, ['show', 'triage@prod', '--json']);
    expect(shown.stderr).toContain('triage@prod → triage@0.2.0');
    expect(JSON.parse(shown.stdout)).toMatchObject({ version: '0.2.0', holds: ['dev', 'canary', 'prod'], rolledBack: false });
    const old = JSON.parse((await ok(cwd, ['history', 'triage@0.1.0', '--json'])).stdout);
    expect(old.stageMoves).toContainEqual(expect.objectContaining({ stage: 'prod', fromVersion: '0.1.0', toVersion: '0.2.0', action: 'promote' }));

    const rolled = await ok(cwd, ['rollback', 'triage', '--stage', 'prod', '--reason', 'refund answers regressed']);
    expect(rolled.stdout).toContain('triage@prod: 0.2.0 → 0.1.0');
    const list = JSON.parse((await ok(cwd, ['list', '--json', '--name', 'triage'])).stdout);
    expect(list).toEqual([
      expect.objectContaining({ version: '0.1.0', holds: ['prod'] }),
      expect.objectContaining({ version: '0.2.0', holds: ['dev', 'canary'], rolledBack: true }),
    ]);
    // 0.2.0 still holds dev and canary, but prod was rolled back from it: marked, and history says why.
    const history = await ok(cwd, ['history', 'triage']);
    expect(history.stdout).toMatch(/rollback prod\s+0\.2\.0 \(rolled back\)\s+0\.1\.0/);
    expect(history.stdout).toContain('refund answers regressed');
    expect(JSON.parse((await ok(cwd, ['list', '--json', '--stage', 'prod', '--name', 'triage'])).stdout).map((r: { version: string }) => r.version)).toEqual([
      '0.1.0',
    ]);

    // Nothing earlier than 0.1.0 held prod: a second rollback has nowhere to go.
    const again = await agentctl(['rollback', 'triage', '--stage', 'prod', '--reason', 'again'], { cwd });
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('no earlier holder of prod');
    // --to a version that never held the stage, and --to the holder itself, are refused.
    bump(cwd, 'triage', '0.3.0');
    await ok(cwd, ['register', 'agents/triage']);
    const never = await agentctl(['rollback', 'triage', '--stage', 'prod', '--to', '0.3.0', '--reason', 'x'], { cwd });
    expect(never.exitCode).toBe(1);
    expect(never.stderr).toContain('never held prod');
    const back = await ok(cwd, ['rollback', 'triage', '--stage', 'prod', '--to', '0.2.0', '--reason', 'fixed upstream']);
    expect(back.stdout).toContain('triage@prod: 0.1.0 → 0.2.0');
  });

  it('the schema keeps one holder per stage and refuses holders that no move put there', async () => {
    const cwd = await workspace();
    await ok(cwd, ['register', 'agents/triage']);
    await toProd(cwd, 'triage@0.1.0');
    const db = new Database(join(cwd, '.agentctl/registry.db'));
    try {
      expect(() => db.prepare(`INSERT INTO stage_holders (name, stage, version, move_id) VALUES ('triage', 'prod', '0.9.9', 1)`).run()).toThrow(
        /one holder per agent and stage/,
      );
      expect(() => db.prepare(`INSERT OR REPLACE INTO stage_holders (name, stage, version, move_id) VALUES ('triage', 'prod', '0.9.9', 1)`).run()).toThrow(
        /one holder/,
      );
      expect(() => db.prepare(`UPDATE stage_holders SET version = '0.9.9' WHERE name = 'triage'`).run()).toThrow(/only through a stage move/);
      expect(() => db.prepare(`DELETE FROM stage_holders WHERE name = 'triage'`).run()).toThrow(/never left without a record/);
      expect(() => db.prepare(`UPDATE stage_moves SET to_version = '0.9.9'`).run()).toThrow(/append-only/);
      // A move must start from the current holder and go to an active version that reached the stage.
      expect(() =>
        db
          .prepare(
            `INSERT INTO stage_moves (name, stage, from_version, to_version, action, actor, team, at) VALUES ('triage', 'prod', NULL, '0.1.0', 'rollback', 'm', 'team-qa', 'x')`,
          )
          .run(),
      ).toThrow(/starts from the current holder/);
    } finally {
      db.close();
    }
  });

  it('dependencies follow their stage: gates list each one with its fix; a prod caller never reaches a canary sub-agent', async () => {
    const cwd = await workspace();
    await ok(cwd, ['register', 'agents/triage']);
    await ok(cwd, ['promote', 'triage@0.1.0', '--to', 'dev', '--with-deps']);
    await ok(cwd, ['promote', 'triage@0.1.0', '--to', 'canary', '--with-deps']);
    const refused = await agentctl(['promote', 'triage@0.1.0', '--to', 'prod'], { cwd });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('sub-agent triage-planner@0.1.0 holds only dev, canary');
    expect(refused.stderr).toContain('agentctl promote triage-planner@0.1.0 --to prod');
    const gates = await agentctl(['gates', 'triage@0.1.0'], { cwd });
    expect(gates.stdout).toMatch(/✗ dependencies .*tool triage-tracker@0\.1\.0 holds only dev, canary/);
    await ok(cwd, ['promote', 'triage@0.1.0', '--to', 'prod', '--with-deps']);

    // A newer planner reaches canary only: prod triage keeps routing to the prod planner.
    bump(cwd, 'triage-planner', '0.1.1', 'You are the NEW planner.\n');
    await ok(cwd, ['register', 'agents/triage-planner']);
    await ok(cwd, ['promote', 'triage-planner@0.1.1', '--to', 'dev']);
    await ok(cwd, ['promote', 'triage-planner@0.1.1', '--to', 'canary']);
    const run = await ok(cwd, ['run', 'triage@prod', '-i', 'Plan the login page release']);
    const trace = JSON.parse((await ok(cwd, ['trace', 'last', '--json'])).stdout);
    const names = JSON.stringify(trace.spans);
    expect(names).toContain('triage-planner@0.1.0');
    expect(names).not.toContain('triage-planner@0.1.1');
    expect(run.stderr).toContain('triage-planner@0.1.0');

    // Disabling the prod planner warns (a prod agent depends on it); then runs of triage@prod refuse.
    await ok(cwd, ['deprecate', 'triage-planner@0.1.0', '--reason', 'replaced']);
    const warned = await ok(cwd, ['run', 'triage@prod', '-i', 'Plan the login page release']);
    expect(warned.stderr).toContain('triage-planner@0.1.0, which is deprecated');
    const disabled = await ok(cwd, ['disable', 'triage-planner@0.1.0', '--reason', 'gone']);
    expect(disabled.stderr).toContain('triage@0.1.0 (dev, canary, prod) still depends on triage-planner@0.1.0');
    const refusedRun = await agentctl(['run', 'triage@prod', '-i', 'Plan the login page release'], { cwd });
    expect(refusedRun.exitCode).toBe(1);
    expect(refusedRun.stderr).toContain('which is disabled');
    // show says who uses a version.
    const usedBy = JSON.parse((await ok(cwd, ['show', 'triage-tracker@0.1.0', '--json'])).stdout).usedBy;
    expect(usedBy).toEqual([expect.objectContaining({ name: 'triage', version: '0.1.0', holds: ['dev', 'canary', 'prod'] })]);
  });

  it('a bare name is the workspace copy in the edit-run loop, and the prod holder for a consumer', async () => {
    const cwd = await workspace();
    await ok(cwd, ['register', 'agents/triage']);
    await toProd(cwd, 'triage@0.1.0');
    bump(cwd, 'triage', '0.2.0');
    await ok(cwd, ['register', 'agents/triage']);
    const local = JSON.parse((await ok(cwd, ['run', 'triage', '-i', 'What is the status of LOGIN-42?', '--json'])).stdout);
    expect(local).toMatchObject({ source: 'workspace', version: '0.2.0' });
    // Without the workspace files, "triage" is a consumer's ref: prod (0.1.0), not the highest (0.2.0).
    rmSync(join(cwd, 'agents/triage'), { recursive: true });
    const routed = await ok(cwd, ['run', 'triage', '-i', 'What is the status of LOGIN-42?', '--json']);
    expect(JSON.parse(routed.stdout)).toMatchObject({ source: 'registry', version: '0.1.0' });
    const said = await ok(cwd, ['run', 'triage', '-i', 'What is the status of LOGIN-42?']);
    expect(said.stderr).toContain('triage → triage@0.1.0 (prod: no workspace copy here)');
    // A registered agent that nothing routes at prod: the bare name says what it means, and how on.
    await ok(cwd, ['new', 'agent', 'helper']);
    await ok(cwd, ['register', 'agents/helper']);
    rmSync(join(cwd, 'agents/helper'), { recursive: true });
    const unrouted = await agentctl(['run', 'helper', '-i', 'hi'], { cwd });
    expect(unrouted.exitCode).toBe(1);
    expect(unrouted.stderr).toContain('"helper" means helper@prod — and nothing holds prod yet');
    expect(unrouted.stderr).toContain('agentctl run helper@<version>');
  });

  it('two processes promoting different versions to prod at once: no promotion is silently lost', async () => {
    const cwd = await workspace();
    await ok(cwd, ['register', 'agents/triage']);
    await toProd(cwd, 'triage@0.1.0');
    for (const v of ['0.2.0', '0.3.0']) {
      bump(cwd, 'triage', v, `prompt ${v}\n`);
      await ok(cwd, ['register', 'agents/triage']);
      await ok(cwd, ['promote', `triage@${v}`, '--to', 'dev']);
      await ok(cwd, ['promote', `triage@${v}`, '--to', 'canary']);
    }
    const [a, b] = await Promise.all([
      agentctl(['promote', 'triage@0.2.0', '--to', 'prod'], { cwd }),
      agentctl(['promote', 'triage@0.3.0', '--to', 'prod'], { cwd }),
    ]);
    const moves = JSON.parse((await ok(cwd, ['history', 'triage', '--json'])).stdout).stageMoves.filter(
      (m: { stage: string; fromVersion: string | null }) => m.stage === 'prod' && m.fromVersion !== null,
    );
    for (const r of [a, b]) {
      if (r.exitCode !== 0) {
        expect(r.exitCode).toBe(1);
        expect(r.stderr).toContain('another promotion won');
      }
    }
    // Every successful move started from the holder before it: a chain, never two moves from 0.1.0.
    expect(moves.filter((m: { fromVersion: string }) => m.fromVersion === '0.1.0')).toHaveLength(1);
    expect(moves.length).toBe([a, b].filter((r) => r.exitCode === 0).length);
  });
});

describe('stages on the remote', () => {
  it('push name@prod after a rollback moves the remote prod tag back, and the signed evidence records the rollback', async () => {
    const cwd = await workspace();
    const env = { XDG_CONFIG_HOME: join(cwd, '.xdg') };
    const run = (args: string[]) => ok(cwd, args, env);
    await run(['keys', 'generate']);
    await run(['register', 'agents/triage']);
    await toProd(cwd, 'triage@0.1.0');
    await run(['push', 'triage@prod']);
    bump(cwd, 'triage', '0.2.0', 'second\n');
    await run(['register', 'agents/triage']);
    for (const to of ['dev', 'canary', 'prod']) await run(['promote', 'triage@0.2.0', '--to', to]);
    const pushed = await run(['push', 'triage@prod', '--json']);
    expect(JSON.parse(pushed.stdout)).toMatchObject({ ref: 'triage@0.2.0', stage: 'prod' });
    const stageOf = async () =>
      (JSON.parse((await run(['remote', 'ls', 'local', 'triage', '--json'])).stdout) as { version: string; stages: string[] }[]).find((v) =>
        v.stages.includes('prod'),
      )?.version;
    expect(await stageOf()).toBe('0.2.0');

    await run(['rollback', 'triage', '--stage', 'prod', '--reason', 'refund answers regressed']);
    const back = JSON.parse((await run(['push', 'triage@prod', '--json'])).stdout);
    expect(back).toMatchObject({ ref: 'triage@0.1.0', stage: 'prod', attestation: 'created' });
    expect(await stageOf()).toBe('0.1.0');
    // The rolled-back version still holds canary: pushing it moves the canary tag, never prod.
    const away = JSON.parse((await run(['push', 'triage@0.2.0', '--json'])).stdout);
    expect(away).toMatchObject({ stage: 'canary', tags: ['0.2.0', 'canary'] });
    expect(await stageOf()).toBe('0.1.0');

    // The newest signed evidence of 0.1.0 says how it came to hold prod again.
    const layout = join(cwd, '.agentctl/oci/triage');
    const dsse = readdirSync(join(layout, 'blobs/sha256'))
      .map((f) => readFileSync(join(layout, 'blobs/sha256', f), 'utf8'))
      .filter((t) => t.includes('"payloadType"'))
      .map((t) => JSON.parse(Buffer.from(JSON.parse(t).payload, 'base64').toString('utf8')));
    expect(dsse.map((s) => s.predicate.route)).toContainEqual(
      expect.objectContaining({ action: 'rollback', stage: 'prod', from: '0.2.0', reason: 'refund answers regressed' }),
    );

    // A consumer pulls by route: remote/name@prod, or the bare name, is what holds prod there now.
    const consumer = tempDir();
    mkdirSync(join(consumer, '.agentctl'));
    writeFileSync(join(consumer, '.agentctl/config.yaml'), `team: team-ops\nremotes: { team: "file://${join(cwd, '.agentctl/oci')}" }\n`);
    const pulled = await ok(consumer, ['pull', 'team/triage@prod', '--json'], env);
    expect(JSON.parse(pulled.stdout)).toMatchObject({ ref: 'triage@0.1.0', resolvedFrom: 'prod' });
    const bare = await ok(consumer, ['pull', 'team/triage'], env);
    expect(bare.stderr).toContain('team/triage@prod → triage@0.1.0');
    const staging = await agentctl(['pull', 'team/triage@staging'], { cwd: consumer, env });
    expect(staging.exitCode).toBe(2);
  });
});
