import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { runFinished } from '../../../test/support/run-finished.js';
import { tempDir } from '../../../test/support/workspace.js';
import { Registry } from '../registry/registry.js';
import type { RuntimeEvent } from '../runtime/events.js';
import { CLAIM_CHECK_BYTES, EventLog, type RunMeta } from './event-log.js';
import { buildTrace } from './queries.js';
import { createRedactor, REDACTED } from './redact.js';

const RUN = '01JAAAAAAAAAAAAAAAAAAAAAAA';

function setup(patterns: string[] = []) {
  const dir = tempDir();
  const registry = Registry.open({ registryPath: join(dir, 'registry.db'), blobsDir: join(dir, 'blobs') });
  const log = new EventLog(registry.db, registry.path, registry.blobs, { redact: createRedactor({ patterns }), flushMs: 5 });
  return { dir, registry, log, raw: new Database(join(dir, 'registry.db')) };
}

const meta = (overrides: Partial<RunMeta> = {}): RunMeta => ({
  runId: RUN,
  sessionId: 'S1',
  agent: 'triage',
  version: '0.1.0',
  digest: `sha256:${'a'.repeat(64)}`,
  owner: 'team-qa',
  team: 'team-qa',
  actor: 'alice',
  source: 'workspace',
  mode: 'dry',
  provider: 'cassette',
  model: 'gpt-4o-mini',
  snapshot: `sha256:${'b'.repeat(64)}`,
  replayOf: null,
  input: 'hello',
  startedAt: 1_000,
  ...overrides,
});

function runOf(log: EventLog, extra: RuntimeEvent[] = [], runId = RUN) {
  const RUN = runId;
  log.beginRun(meta({ runId }));
  const at = 1_001;
  const events: RuntimeEvent[] = [
    { type: 'span.started', runId: RUN, at, spanId: 'root', parentSpanId: null, kind: 'agent', name: 'triage@0.1.0' },
    { type: 'tool.call', runId: RUN, at, spanId: 'root', tool: 'lookup', input: { q: 'x' } },
    ...extra,
    { type: 'span.ended', runId: RUN, at: at + 5, spanId: 'root', status: 'ok', attributes: {} },
    runFinished(RUN, at + 6, { costUsd: 0.5 }),
  ];
  for (const e of events) log.append(e);
}

describe('event log', () => {
  it('persists a run: contiguous events, the span rows and the run summary', () => {
    const { registry, log } = setup();
    runOf(log);
    const events = registry.runs.events(RUN);
    expect(events.map((e) => `${e.seq}:${e.type}`)).toEqual(['1:span.started', '2:tool.call', '3:span.ended', '4:run.finished']);
    expect(registry.runs.get(RUN.slice(0, 10))).toMatchObject({ status: 'succeeded', output: 'done', tokensIn: 3, tokensOut: 4, costUsd: 0.5, latencyMs: 7 });
    expect(registry.db.prepare('SELECT span_id, kind, status FROM spans').all()).toEqual([{ span_id: 'root', kind: 'agent', status: 'ok' }]);
    expect(buildTrace(events)[0]).toMatchObject({ name: 'triage@0.1.0', status: 'ok', events: [expect.objectContaining({ type: 'tool.call' })] });
  });

  it('is append-only and idempotent in the schema itself', () => {
    const { raw, log } = setup();
    runOf(log);
    const before = JSON.stringify(raw.prepare('SELECT * FROM events').all());
    // The same event sent again changes nothing, whatever it says.
    raw.prepare(`INSERT INTO events (run_id, seq, type, at, payload) VALUES (?, 2, 'tool.call', 0, '{"forged":true}')`).run(RUN);
    expect(JSON.stringify(raw.prepare('SELECT * FROM events').all())).toBe(before);
    expect(() => raw.prepare(`UPDATE events SET payload = '{}'`).run()).toThrow(/append-only/);
    expect(() => raw.prepare('DELETE FROM events').run()).toThrow(/append-only/);
    expect(() => raw.prepare(`INSERT INTO events (run_id, seq, type, at, payload) VALUES (?, 9, 'x', 0, '{}')`).run(RUN)).toThrow(/seq must follow|finished/);
    expect(() => raw.prepare(`UPDATE runs SET output = 'edited'`).run()).toThrow(/finished run never changes/);
    expect(() => raw.prepare('DELETE FROM runs').run()).toThrow(/never deleted/);
    expect(() => raw.prepare(`UPDATE spans SET status = 'error'`).run()).toThrow(/append-only/);
  });

  it('refuses events out of order while a run is going', () => {
    const { raw, log } = setup();
    log.beginRun(meta());
    log.flush();
    expect(() => raw.prepare(`INSERT INTO events (run_id, seq, type, at, payload) VALUES (?, 2, 'x', 0, '{}')`).run(RUN)).toThrow(/seq must follow/);
    raw.prepare(`INSERT INTO events (run_id, seq, type, at, payload) VALUES (?, 1, 'x', 0, '{}')`).run(RUN);
  });

  it('moves large payloads to the blob store and reads them back', () => {
    const { registry, log } = setup();
    const big = 'x'.repeat(CLAIM_CHECK_BYTES * 2);
    runOf(log, [{ type: 'tool.result', runId: RUN, at: 1_002, spanId: 'root', tool: 'lookup', output: { big }, source: 'mock' }]);
    const stored = registry.db.prepare(`SELECT payload FROM events WHERE type = 'tool.result'`).pluck().get() as string;
    expect(stored.length).toBeLessThan(200);
    expect(JSON.parse(stored).$blob).toMatch(/^sha256:/);
    const read = registry.runs.events(RUN).find((e) => e.type === 'tool.result');
    expect(read?.type === 'tool.result' ? read.output : undefined).toEqual({ big });
  });

  it('redacts secrets before anything is written', () => {
    const { registry, raw, log } = setup(['EMP-\\d{6}']);
    runOf(log, [
      {
        type: 'tool.result',
        runId: RUN,
        at: 1_002,
        spanId: 'root',
        tool: 'lookup',
        output: { note: 'key sk-proj-abcdefghijklmnopqrstuvwxyz123 and Bearer abc.def.ghi123456 for EMP-123456', password: 'hunter2', maxTokens: 100 },
        source: 'mock',
      },
    ]);
    const all = JSON.stringify(raw.prepare('SELECT payload FROM events').all());
    expect(all).not.toContain('sk-proj-abc');
    expect(all).not.toContain('abc.def.ghi');
    expect(all).not.toContain('hunter2');
    expect(all).not.toContain('EMP-123456');
    const found = registry.runs.events(RUN).find((e) => e.type === 'tool.result');
    const output = (found?.type === 'tool.result' ? found.output : undefined) as Record<string, unknown>;
    expect(output).toMatchObject({ password: REDACTED, maxTokens: 100 });
  });

  it('marks runs of a dead process interrupted, and leaves live ones alone', () => {
    const { registry, log } = setup();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    log.beginRun(meta());
    log.beginRun(meta({ runId: '01JBBBBBBBBBBBBBBBBBBBBBBB' }));
    log.flush();
    registry.db.prepare('UPDATE runs SET pid = ? WHERE run_id = ?').run(Number(dead.stdout), RUN);
    expect(registry.recoverInterrupted().runs).toEqual([RUN]);
    expect(registry.runs.get(RUN)).toMatchObject({ status: 'interrupted', errorClass: 'interrupted' });
    expect(registry.runs.get('01JBBBBBBBBBBBBBBBBBBBBBBB').status).toBe('running');
  });
});

/**
 * Counts the transactions committed through `db` by logs made after this call: the log makes its
 * transaction function once, so the count is of calls to it, not of `db.transaction` itself.
 */
function countCommits(db: Registry['db']): () => number {
  let count = 0;
  const make = db.transaction.bind(db);
  vi.spyOn(db, 'transaction').mockImplementation(((fn: (...args: never[]) => unknown) => {
    const tx = make(fn);
    return Object.assign((...args: never[]) => {
      count++;
      return tx(...args);
    }, tx);
  }) as typeof db.transaction);
  return () => count;
}

describe('commits', () => {
  const runIds = (n: number) => Array.from({ length: n }, (_, i) => `01JC${String(i).padStart(22, '0')}`);

  it('on a timer when run ends are not committed (evals): no commit per run or per batch, one at the flush', () => {
    const dir = tempDir();
    const registry = Registry.open({ registryPath: join(dir, 'registry.db'), blobsDir: join(dir, 'blobs') });
    const commits = countCommits(registry.db);
    const log = new EventLog(registry.db, registry.path, registry.blobs, { redact: createRedactor(), commitRunEnds: false, flushMs: 60_000 });
    const raw = new Database(join(dir, 'registry.db'));
    // 200 runs of 4 events, spans and run rows: 1,200 queued writes, several batches of the old 256.
    for (const id of runIds(200)) runOf(log, [], id);
    expect(commits()).toBe(0);
    expect(raw.prepare('SELECT count(*) FROM runs').pluck().get()).toBe(0);
    log.flush();
    expect(commits()).toBe(1);
    expect(raw.prepare(`SELECT count(*) FROM runs WHERE status = 'succeeded'`).pluck().get()).toBe(200);
    expect(raw.prepare('SELECT count(*) FROM events').pluck().get()).toBe(800);
  });

  it('on the timer itself, within flushMs, with nothing else to trigger it', async () => {
    const { registry } = setup();
    const log = new EventLog(registry.db, registry.path, registry.blobs, { redact: createRedactor(), commitRunEnds: false, flushMs: 20 });
    runOf(log);
    expect(registry.db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(0);
    await vi.waitFor(() => expect(registry.db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(4), { timeout: 2_000 });
  });

  it('a long run commits in large batches by default, not every 256 events', () => {
    const { registry } = setup();
    const commits = countCommits(registry.db);
    const log = new EventLog(registry.db, registry.path, registry.blobs, { redact: createRedactor(), flushMs: 60_000 });
    log.beginRun(meta());
    for (let i = 0; i < 1_000; i++) log.append({ type: 'tool.call', runId: RUN, at: 1_001, spanId: 'root', tool: 'lookup', input: { i } });
    log.flush();
    expect(commits()).toBe(1);
    // Written 32 rows a statement, and 8 alone: all there, in order, each with its own payload.
    const events = registry.runs.events(RUN);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 1_000 }, (_, i) => i + 1));
    expect(events.map((e) => (e.type === 'tool.call' ? e.input : undefined))).toEqual(Array.from({ length: 1_000 }, (_, i) => ({ i })));
  });

  it('at every run end by default (run, playground): a finished run is durable when its end is appended', () => {
    const { registry, raw } = setup();
    const commits = countCommits(registry.db);
    const log = new EventLog(registry.db, registry.path, registry.blobs, { redact: createRedactor(), flushMs: 60_000 });
    for (const [n, id] of runIds(3).entries()) {
      runOf(log, [], id);
      expect(raw.prepare('SELECT status FROM runs WHERE run_id = ?').pluck().get(id)).toBe('succeeded');
      expect(commits()).toBe(n + 1);
    }
  });

  it('settle() commits at once by default and leaves a timed log to its timer', () => {
    const { registry, raw, log } = setup();
    log.beginRun(meta());
    log.settle();
    expect(raw.prepare('SELECT count(*) FROM runs').pluck().get()).toBe(1);
    const timed = new EventLog(registry.db, registry.path, registry.blobs, { redact: createRedactor(), commitRunEnds: false, flushMs: 60_000 });
    timed.beginRun(meta({ runId: runIds(1)[0] as string }));
    timed.settle();
    expect(raw.prepare('SELECT count(*) FROM runs').pluck().get()).toBe(1);
    timed.flush();
    expect(raw.prepare('SELECT count(*) FROM runs').pluck().get()).toBe(2);
  });
});

describe('createRedactor', () => {
  it('knows the common providers and keys named like secrets, and keeps token counts', () => {
    const redact = createRedactor({ literals: ['my-gateway-key-123'] });
    const out = JSON.parse(
      redact.json({
        a: 'AKIAABCDEFGHIJKLMNOP ghp_abcdefghijklmnopqrstuvwxyz0123456789 xoxb-1234567890-abc AIzaSyA-1234567890abcdefghijklmnopqrstu',
        b: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
        c: 'uses my-gateway-key-123 here',
        headers: { Authorization: 'Basic dXNlcjpwYXNz', accessToken: 'abc', inputTokens: 12 },
      }),
    ) as Record<string, unknown>;
    expect(JSON.stringify(out)).not.toMatch(/AKIA|ghp_|xoxb|AIza|eyJhbGci|my-gateway-key|dXNlcjpwYXNz/);
    expect((out.headers as Record<string, unknown>).inputTokens).toBe(12);
  });
});
