// Event log and runtime benches (part of npm run bench): ratios against a bare loop in the same run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRedactor, Registry, runAgent } from '../dist/core/index.js';

const now = () => performance.now();
// CPU time (user + system) of this process: on a shared machine it moves far less than wall time.
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
// The floor writes what the event log writes for the same event: its payload is the event without
// runId, type and at (source included). Both sides build their object as one literal, as the runtime
// builds its events: spreading a payload into each event cost the measured side alone.
const payload = (i) => ({
  spanId: 'abcdef0123456789',
  tool: 'lookup',
  input: { query: `question ${i}` },
  output: { passage: 'a short mocked passage', source: 'handbook' },
  source: 'mock',
});
const event = (id, i) => ({
  type: 'tool.result',
  runId: id,
  at: i,
  spanId: 'abcdef0123456789',
  tool: 'lookup',
  input: { query: `question ${i}` },
  output: { passage: 'a short mocked passage', source: 'handbook' },
  source: 'mock',
});
// One run's end as the event log stores its payload (the floor writes it), and as the runtime emits it.
const finishedPayload = () => ({
  status: 'succeeded',
  output: 'ok',
  errorClass: null,
  error: null,
  fallback: null,
  modelErrors: [],
  steps: 1,
  usage: { inputTokens: 1, outputTokens: 1 },
  costUsd: 0,
  latencyMs: 1,
});
const finished = (id, at) => ({ type: 'run.finished', runId: id, at, ...finishedPayload() });

function freshRegistry() {
  const dir = mkdtempSync(join(tmpdir(), 'agentctl-bench-events-'));
  return { dir, registry: Registry.open({ registryPath: join(dir, 'registry.db'), blobsDir: join(dir, 'blobs') }) };
}

function startRun(registry, runId) {
  registry.db.prepare(`INSERT INTO sessions (session_id, agent, created_at, created_by) VALUES ('S', 'a', 0, 'b') ON CONFLICT DO NOTHING`).run();
  registry.db
    .prepare(
      `INSERT INTO runs (run_id, session_id, agent, version, digest, owner, team, actor, source, mode, provider, model, snapshot, input, started_at, pid, host)
       VALUES (?, 'S', 'a', '1.0.0', 'd', 'o', 't', 'b', 'workspace', 'dry', 'p', 'm', 's', 'in', 0, ?, 'h')`,
    )
    .run(runId, process.pid);
}

const runId = (n) => `01BENCH${String(n).padStart(19, '0')}`;

const runMeta = (id) => ({
  runId: id,
  sessionId: 'S2',
  agent: 'a',
  version: '1.0.0',
  digest: 'd',
  owner: 'o',
  team: 't',
  actor: 'b',
  source: 'workspace',
  mode: 'dry',
  provider: 'p',
  model: 'm',
  snapshot: 's',
  replayOf: null,
  input: 'in',
  startedAt: 0,
});

export function benchEventAppends(events = 100_000) {
  const runs = 2_000;
  const perRun = events / runs;
  // Bare loop: prepared insert of the same rows in one transaction, same table, same triggers.
  const bare = freshRegistry();
  startRun(bare.registry, runId(1));
  const insert = bare.registry.db.prepare('INSERT INTO events (run_id, seq, type, at, span_id, payload) VALUES (?, ?, ?, ?, ?, ?)');
  let started = now();
  let cpuStarted = cpuNow();
  bare.registry.db.transaction(() => {
    for (let i = 1; i <= events; i++) insert.run(runId(1), i, 'tool.result', i, 'abcdef0123456789', JSON.stringify(payload(i)));
  })();
  const bareMs = now() - started;
  const bareCpu = cpuNow() - cpuStarted;
  bare.registry.close();
  rmSync(bare.dir, { recursive: true, force: true });

  // Bare loop, per-run durable: the honest comparison for the durable row, which commits each run at its
  // end (a commit per run costs what it costs, whoever issues it). Same runs, rows and triggers as ours.
  const bareRuns = freshRegistry();
  const db = bareRuns.registry.db;
  db.prepare(`INSERT INTO sessions (session_id, agent, created_at, created_by) VALUES ('S2', 'a', 0, 'b')`).run();
  const insertRun = db.prepare(
    `INSERT INTO runs (run_id, session_id, agent, version, digest, owner, team, actor, source, mode, provider, model, snapshot, replay_of, input, started_at, pid, host)
     VALUES (?, 'S2', 'a', '1.0.0', 'd', 'o', 't', 'b', 'workspace', 'dry', 'p', 'm', 's', NULL, 'in', 0, ?, 'h')`,
  );
  const insertEvent = db.prepare('INSERT INTO events (run_id, seq, type, at, span_id, payload) VALUES (?, ?, ?, ?, ?, ?)');
  // The same update as the event log's at a run's end (every column it sets, bound the same way).
  const finishRun = db.prepare(
    `UPDATE runs SET status = ?, output = ?, error_class = ?, error = ?, ended_at = ?, latency_ms = ?, steps = ?, tokens_in = ?, tokens_out = ?, cost_usd = ?,
     fallback = ?, model_errors = ?, usage_estimated = ? WHERE run_id = ?`,
  );
  started = now();
  cpuStarted = cpuNow();
  for (let r = 0; r < runs; r++) {
    const id = runId(10 + r);
    db.transaction(() => {
      insertRun.run(id, process.pid);
      for (let i = 1; i < perRun; i++) insertEvent.run(id, i, 'tool.result', i, 'abcdef0123456789', JSON.stringify(payload(i)));
      insertEvent.run(id, perRun, 'run.finished', perRun, null, JSON.stringify(finishedPayload()));
      finishRun.run('succeeded', 'ok', null, null, perRun, 1, 1, 1, 1, 0, null, null, 0, id);
    })();
  }
  const bareDurableMs = now() - started;
  const bareDurableCpu = cpuNow() - cpuStarted;
  bareRuns.registry.close();
  rmSync(bareRuns.dir, { recursive: true, force: true });

  // agentctl: EventLog.append (redaction, JSON, claim check) with its batching.
  const ours = freshRegistry();
  const log = ours.registry.runs.openLog({ redact: createRedactor() });
  log.beginRun(runMeta(runId(2)));
  started = now();
  cpuStarted = cpuNow();
  for (let i = 1; i <= events; i++) log.append(event(runId(2), i));
  log.flush();
  const batchedMs = now() - started;
  const batchedCpu = cpuNow() - cpuStarted;

  // Per-run durable: many short runs, each committed whole when it finishes.
  started = now();
  cpuStarted = cpuNow();
  for (let r = 0; r < runs; r++) {
    const id = runId(10 + r);
    log.beginRun(runMeta(id));
    for (let i = 1; i < perRun; i++) log.append(event(id, i));
    log.append(finished(id, perRun));
  }
  const durableMs = now() - started;
  const durableCpu = cpuNow() - cpuStarted;
  ours.registry.close();
  rmSync(ours.dir, { recursive: true, force: true });
  const rate = (ms) => (events / ms) * 1000;
  // batched compares with `bare`, durable with `bareDurable`.
  return {
    bare: rate(bareMs),
    batched: rate(batchedMs),
    bareDurable: rate(bareDurableMs),
    durable: rate(durableMs),
    cpu: { bare: rate(bareCpu), batched: rate(batchedCpu), bareDurable: rate(bareDurableCpu), durable: rate(durableCpu) },
  };
}

/** A realistic run (10 steps: model → tool → … → answer) repeated, per step, without the event log. */
export async function benchRuntimeStep(steps = 10, runs = 300) {
  const tool = {
    apiVersion: 'agentctl/v1',
    kind: 'Tool',
    metadata: { name: 'lookup', version: '1.0.0', owner: 't' },
    spec: {
      input: { type: 'object' },
      sideEffects: 'read',
      implementation: { type: 'http', url: 'https://x', method: 'POST' },
      mocks: [{ output: { ok: true } }],
    },
  };
  const agent = {
    name: 'bench',
    version: '1.0.0',
    digest: 'd',
    owner: 't',
    source: 'workspace',
    document: {
      apiVersion: 'agentctl/v1',
      kind: 'Agent',
      metadata: { name: 'bench', version: '1.0.0', owner: 't' },
      spec: { model: { ref: 'm' }, prompt: { ref: 'p.md' }, tools: [{ ref: 'lookup' }], budget: { maxSteps: steps + 1 } },
    },
    files: { 'p.md': 'You are a bench.' },
    tools: { lookup: tool },
    subAgents: {},
    policies: [],
  };
  const instant = {
    name: 'instant',
    testDouble: true,
    async complete(request) {
      const done = request.step > steps;
      return {
        content: done ? 'done' : null,
        toolCalls: done ? [] : [{ id: `c${request.step}`, name: 'lookup', arguments: {} }],
        usage: { inputTokens: 1, outputTokens: 1 },
        model: 'm',
      };
    },
  };
  let count = 0;
  const once = async () => {
    for await (const _ of runAgent({ runId: runId(1), sessionId: 's', agent, input: 'go', provider: instant, mode: 'dry' })) count++;
  };
  for (let i = 0; i < 20; i++) await once(); // warm up
  const started = now();
  for (let i = 0; i < runs; i++) await once();
  const ms = now() - started;
  return { perStepMs: ms / (runs * (steps + 1)), events: count };
}

export function seedStats(registry, totalEvents = 1_000_000, eventsPerRun = 20) {
  const runs = totalEvents / eventsPerRun;
  const db = registry.db;
  db.prepare(`INSERT INTO sessions (session_id, agent, created_at, created_by) VALUES ('S', 'a', 0, 'b') ON CONFLICT DO NOTHING`).run();
  const run = db.prepare(
    `INSERT INTO runs (run_id, session_id, agent, version, digest, owner, team, actor, source, mode, provider, model, snapshot, input, started_at, pid, host)
     VALUES (?, 'S', ?, ?, 'd', ?, 't', 'b', 'workspace', 'dry', 'p', 'm', 's', 'in', ?, ?, 'h')`,
  );
  const event = db.prepare('INSERT INTO events (run_id, seq, type, at, span_id, payload) VALUES (?, ?, ?, ?, NULL, ?)');
  const finish = db.prepare(
    `UPDATE runs SET status = ?, error_class = ?, ended_at = ?, latency_ms = ?, tokens_in = ?, tokens_out = ?, cost_usd = ? WHERE run_id = ?`,
  );
  const nowMs = Date.now();
  db.transaction(() => {
    for (let r = 0; r < runs; r++) {
      const id = runId(100 + r);
      run.run(id, `agent-${r % 8}`, `1.${r % 3}.0`, `team-${r % 4}`, nowMs - (r % 1000) * 1000, process.pid);
      for (let s = 1; s <= eventsPerRun; s++) event.run(id, s, 'tool.result', nowMs, '{"x":1}');
      const failed = r % 10 === 0;
      finish.run(failed ? 'failed' : 'succeeded', failed ? 'timeout' : null, nowMs, 50 + (r % 500), 100, 20, 0.001, id);
    }
  })();
  return runs;
}

export function benchStats(registry) {
  const since = Date.now() - 7 * 864e5;
  registry.runs.stats(['agent', 'version', 'team'], since);
  const samples = [];
  for (let i = 0; i < 5; i++) {
    const started = now();
    registry.runs.stats(['agent', 'version', 'team'], since);
    samples.push(now() - started);
  }
  return samples.sort((a, b) => a - b)[2];
}

export { freshRegistry };
