/**
 * The database guards itself (migration 8): raw SQL against the lifecycle, registrations, spans of a
 * finished run, evals, their results and approvals is refused — while agentctl's own writes still pass.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runFinished } from '../../../test/support/run-finished.js';
import { scaffoldWorkspace } from '../../../test/support/workspace.js';
import { summarize } from '../eval/results.js';
import { resultWrite } from '../eval/store.js';
import { EventLog, type RunMeta } from '../events/event-log.js';
import { createRedactor } from '../events/redact.js';
import type { RuntimeEvent } from '../runtime/events.js';
import { openWorkspace } from '../workspace/open.js';
import { registerSpecs } from './register-specs.js';
import { Registry } from './registry.js';

const actor = { user: 'alice', team: 'team-qa' };
const RUN = '01JAAAAAAAAAAAAAAAAAAAAAAA';
const OTHER_RUN = '01JBBBBBBBBBBBBBBBBBBBBBBB';

function setup() {
  const root = scaffoldWorkspace('basic');
  const workspace = openWorkspace(root, {}, { XDG_CONFIG_HOME: join(root, 'no-user-config') });
  const registry = Registry.open(workspace);
  registerSpecs(workspace, registry, root, ['agents/triage'], actor);
  const digest = registry.resolve('triage@0.1.0').digest;
  return { registry, digest, raw: new Database(workspace.registryPath) };
}

const metaOf = (runId: string, digest: string): RunMeta => ({
  runId,
  sessionId: 'S1',
  agent: 'triage',
  version: '0.1.0',
  digest,
  owner: 'team-qa',
  team: 'team-qa',
  actor: 'alice',
  source: 'registry',
  mode: 'dry',
  provider: 'cassette',
  model: 'gpt-4o-mini',
  snapshot: `sha256:${'b'.repeat(64)}`,
  replayOf: null,
  input: 'hello',
  startedAt: 1_000,
});

/** A run written by agentctl's own event log, its spans and its end in the order the runtime emits them. */
function logRun(registry: Registry, runId: string, digest: string, commitRunEnds = true): EventLog {
  const log = new EventLog(registry.db, registry.path, registry.blobs, { redact: createRedactor({ patterns: [] }), flushMs: 5, commitRunEnds });
  log.beginRun(metaOf(runId, digest));
  const events: RuntimeEvent[] = [
    { type: 'span.started', runId, at: 1_001, spanId: `${runId}-root`, parentSpanId: null, kind: 'agent', name: 'triage@0.1.0' },
    { type: 'span.ended', runId, at: 1_005, spanId: `${runId}-root`, status: 'ok', attributes: {} },
    runFinished(runId, 1_006, { usageEstimated: false, latencyMs: 6 }),
  ];
  for (const e of events) log.append(e);
  return log;
}

function createEval(registry: Registry, digest: string, evalId = 'E1') {
  registry.evals.create({
    evalId,
    agent: 'triage',
    version: '0.1.0',
    digest,
    source: 'registry',
    datasetDigest: `sha256:${'d'.repeat(64)}`,
    provider: 'cassette',
    repeat: 1,
    startedAt: 1_000,
    actor: 'alice',
    team: 'team-qa',
  });
}

const result = (runId: string | null, status: 'pass' | 'fail' = 'pass') => ({
  sampleId: 's1',
  iteration: 1,
  runId,
  status,
  score: status === 'pass' ? 1 : 0,
  assertions: [],
  output: 'done',
  error: null,
  latencyMs: 6,
  tokens: 7,
  costUsd: 0,
  tags: [],
});

describe('the lifecycle is fixed', () => {
  it('refuses inserting, replacing, changing or deleting an edge', () => {
    const { raw } = setup();
    const edge = `('promote', 'draft', 'dev', 'active', 'prod')`;
    expect(() => raw.exec(`INSERT INTO lifecycle VALUES ${edge}`)).toThrow(/lifecycle is fixed/);
    expect(() => raw.exec(`INSERT OR REPLACE INTO lifecycle VALUES ${edge}`)).toThrow(/lifecycle is fixed/);
    expect(() => raw.exec(`UPDATE lifecycle SET to_stage = 'prod' WHERE to_stage = 'dev'`)).toThrow(/lifecycle is fixed/);
    expect(() => raw.exec(`DELETE FROM lifecycle WHERE action = 'delete'`)).toThrow(/lifecycle is fixed/);
    expect(raw.prepare('SELECT count(*) FROM lifecycle').pluck().get()).toBe(11);
  });
});

describe('only the owner team registers', () => {
  const register = (team: string, name = 'intruder') =>
    `INSERT INTO transitions (name, version, action, to_status, to_stage, actor, team, at) VALUES ('${name}', '1.0.0', 'register', 'draft', 'dev', 'eve', '${team}', 'now')`;

  it('refuses a register row for an object that does not exist yet (whatever team it names)', () => {
    const { raw } = setup();
    expect(() => raw.exec(register('team-x'))).toThrow(/existing object/);
  });

  it('refuses a register row of another team once the object exists (the raw order object → transition)', () => {
    const { raw } = setup();
    raw.exec(`INSERT INTO objects VALUES ('intruder', 'Agent', 'team-qa', 'now', 'eve')`);
    expect(() => raw.exec(register('team-x'))).toThrow(/owner team/);
  });

  it('still lets agentctl register a new object (object, then its register row, then the version)', () => {
    const { registry } = setup();
    expect(registry.list().map((r) => `${r.name}@${r.version} ${r.owner}`)).toEqual(['triage@0.1.0 team-qa', 'triage-lookup@0.1.0 team-qa']);
  });
});

describe('a finished run takes no more spans', () => {
  it("refuses a span for a finished run, while agentctl's own spans precede the run's end (both commit modes)", () => {
    const { registry, digest, raw } = setup();
    logRun(registry, RUN, digest);
    const deferred = logRun(registry, OTHER_RUN, digest, false);
    deferred.flush();
    expect(raw.prepare('SELECT span_id FROM spans ORDER BY span_id').pluck().all()).toEqual([`${RUN}-root`, `${OTHER_RUN}-root`]);
    expect(raw.prepare('SELECT status FROM runs ORDER BY run_id').pluck().all()).toEqual(['succeeded', 'succeeded']);
    expect(() => raw.exec(`INSERT INTO spans VALUES ('late', '${RUN}', NULL, 'tool', 'forged', 'ok', 1, 2, '{}')`)).toThrow(/run is finished: no more spans/);
  });
});

describe('evals are written the way agentctl writes them', () => {
  it('an eval starts running and cannot be replaced', () => {
    const { registry, digest, raw } = setup();
    createEval(registry, digest);
    const columns = `(eval_id, agent, version, digest, source, dataset_digest, provider, repeat, status, started_at, finished_at, pass_rate, actor, team)`;
    expect(() =>
      raw.exec(`INSERT INTO evals ${columns} VALUES ('E2', 'triage', '0.1.0', '${digest}', 'registry', 'x', 'p', 1, 'complete', 1, 2, 1.0, 'eve', 'team-qa')`),
    ).toThrow(/starts as running/);
    expect(() =>
      raw.exec(
        `INSERT OR REPLACE INTO evals ${columns} VALUES ('E1', 'triage', '0.1.0', '${digest}', 'registry', 'x', 'p', 1, 'running', 1, NULL, NULL, 'eve', 'team-qa')`,
      ),
    ).toThrow(/append-only/);
  });

  it('results name a finished run of the agent and digest evaluated, once', () => {
    const { registry, digest, raw } = setup();
    createEval(registry, digest);
    const insert = raw.prepare(
      `INSERT INTO eval_results (eval_id, sample_id, iteration, run_id, status, score, assertions, latency_ms, tokens, cost_usd) VALUES ('E1', ?, 1, ?, 'pass', 1, '[]', 1, 1, 0)`,
    );
    expect(() => insert.run('s1', null)).toThrow(/finished run it measured/);
    expect(() => insert.run('s1', 'NOSUCHRUNAAAAAAAAAAAAAAAAA')).toThrow(/finished run it measured/);
    // A run of another digest (the tool's) does not measure this agent.
    logRun(registry, OTHER_RUN, registry.resolve('triage-lookup@0.1.0').digest);
    expect(() => insert.run('s1', OTHER_RUN)).toThrow(/finished run it measured/);
    const log = new EventLog(registry.db, registry.path, registry.blobs, { redact: createRedactor({ patterns: [] }), flushMs: 60_000 });
    log.beginRun(metaOf(RUN, digest));
    log.flush();
    expect(() => insert.run('s1', RUN)).toThrow(/finished run it measured/);
    const done = '01JCCCCCCCCCCCCCCCCCCCCCCC';
    logRun(registry, done, digest);
    insert.run('s1', done);
    expect(() => insert.run('s2', done)).toThrow(/one eval result only/);
  });

  it('an eval is complete only with the counts of its results', () => {
    const { registry, digest, raw } = setup();
    createEval(registry, digest);
    const log = logRun(registry, RUN, digest, false);
    log.defer(resultWrite('E1', result(RUN, 'fail')));
    log.flush();
    expect(() => raw.exec(`UPDATE evals SET status = 'complete', executions = 1, passed = 1, pass_rate = 1.0 WHERE eval_id = 'E1'`)).toThrow(
      /counts exactly its results/,
    );
    expect(() => raw.exec(`UPDATE evals SET status = 'complete', executions = 5, failed = 5, pass_rate = 0 WHERE eval_id = 'E1'`)).toThrow(
      /counts exactly its results/,
    );
    // agentctl's own finish passes.
    const summary = summarize([result(RUN, 'fail')]);
    registry.evals.finish('E1', { status: 'complete', summary, baselineRef: null, baselineDigest: null, regressions: null });
    expect(registry.evals.latest(digest)).toMatchObject({ evalId: 'E1', passRate: 0 });
  });
});

describe('approvals', () => {
  it('are dated by an ISO instant and cannot be replaced', () => {
    const { digest, raw } = setup();
    const insert = raw.prepare(`INSERT INTO approvals (id, name, version, digest, user, team, at) VALUES (?, 'triage', '0.1.0', ?, ?, 'team-qa', ?)`);
    expect(() => insert.run(null, digest, 'bob', 'yesterday')).toThrow(/ISO 8601/);
    expect(() => insert.run(null, digest, 'bob', '2030-01-01 00:00:00')).toThrow(/ISO 8601/);
    insert.run(null, digest, 'bob', new Date().toISOString());
    const id = raw.prepare('SELECT id FROM approvals').pluck().get() as number;
    expect(() =>
      raw
        .prepare(`INSERT OR REPLACE INTO approvals (id, name, version, digest, user, team, at) VALUES (?, 'triage', '0.1.0', ?, 'carol', 'team-qa', ?)`)
        .run(id, digest, new Date().toISOString()),
    ).toThrow(/append-only/);
    expect(raw.prepare('SELECT user FROM approvals').pluck().all()).toEqual(['bob']);
  });
});
