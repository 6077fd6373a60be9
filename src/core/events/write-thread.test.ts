import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { runFinished } from '../../../test/support/run-finished.js';
import { tempDir } from '../../../test/support/workspace.js';
import type { SampleResult } from '../eval/results.js';
import { resultWrite } from '../eval/store.js';
import { Registry } from '../registry/registry.js';
import type { RuntimeEvent } from '../runtime/events.js';
import type { EventLog, RunMeta } from './event-log.js';
import { createRedactor } from './redact.js';
import { WriteThread } from './write-thread.js';

const runId = (i: number) => `01JAAAAAAAAAAAAAAAAAAA${String(i).padStart(4, '0')}`;

function open(dir: string) {
  return Registry.open({ registryPath: join(dir, 'registry.db'), blobsDir: join(dir, 'blobs') });
}

/** A log as an eval opens it (commits on the timer), with batches small enough to start the thread. */
function evalLog(registry: Registry, batchSize = 16): EventLog {
  return registry.runs.openLog({ redact: createRedactor(), commitRunEnds: false, batchSize, flushMs: 60_000 });
}

const meta = (id: string, i: number): RunMeta => ({
  runId: id,
  sessionId: `S${i % 3}`,
  agent: 'triage',
  version: '0.1.0',
  digest: `sha256:${'a'.repeat(64)}`,
  owner: 'team-qa',
  team: 'team-qa',
  actor: 'alice',
  source: 'workspace',
  mode: 'dry',
  provider: 'echo',
  model: 'gpt-4o-mini',
  snapshot: `sha256:${'b'.repeat(64)}`,
  replayOf: null,
  input: `question ${i}`,
  startedAt: 1_000 + i,
});

/** One run of `events` tool calls (enough of them to fill a 32-row insert), its span and its end. */
function writeRun(log: EventLog, i: number, events = 3): void {
  const id = runId(i);
  log.beginRun(meta(id, i));
  const at = 2_000 + i;
  const all: RuntimeEvent[] = [
    { type: 'span.started', runId: id, at, spanId: 'root', parentSpanId: null, kind: 'agent', name: 'triage@0.1.0' },
    ...Array.from(
      { length: events },
      (_, k): RuntimeEvent => ({ type: 'tool.call', runId: id, at, spanId: 'root', tool: 'lookup', input: { q: `${i}/${k}` } }),
    ),
    { type: 'span.ended', runId: id, at: at + 5, spanId: 'root', status: 'ok', attributes: { n: i } },
    runFinished(id, at + 6, { output: `answer ${i}` }),
  ];
  for (const e of all) log.append(e);
}

/** Every row the logs write, in key order, from a connection of its own. */
function dump(dir: string) {
  const db = new Database(join(dir, 'registry.db'), { readonly: true });
  try {
    return {
      sessions: db.prepare('SELECT session_id, agent, created_at, created_by FROM sessions ORDER BY session_id').all(),
      runs: db.prepare('SELECT * FROM runs ORDER BY run_id').all(),
      events: db.prepare('SELECT * FROM events ORDER BY run_id, seq').all(),
      spans: db.prepare('SELECT * FROM spans ORDER BY run_id, span_id').all(),
    };
  } finally {
    db.close();
  }
}

/** A result for an eval that does not exist: the schema refuses it, in the thread's transaction. */
const RESULT: SampleResult = {
  sampleId: 's1',
  iteration: 1,
  runId: runId(1),
  status: 'pass',
  score: 1,
  assertions: [],
  output: 'x',
  error: null,
  latencyMs: 1,
  tokens: 1,
  costUsd: 0,
  tags: [],
};

describe('the write thread', () => {
  it.each([
    ['small batches', 16],
    ['batches of an eval, sent in parts, with 32-row inserts', undefined],
  ])("commits an eval's writes off the main thread: the same rows, byte for byte, as the main thread writes (%s)", (_, batchSize) => {
    const send = vi.spyOn(WriteThread.prototype, 'send');
    const [threaded, direct] = [tempDir(), tempDir()];
    const a = open(threaded);
    const b = open(direct);
    const onThread = a.runs.openLog({ redact: createRedactor(), commitRunEnds: false, flushMs: 60_000, ...(batchSize ? { batchSize } : {}) });
    const onMain = b.runs.openLog({ redact: createRedactor(), commitRunEnds: true });
    for (let i = 0; i < 200; i++) {
      writeRun(onThread, i, i % 2 ? 40 : 3);
      writeRun(onMain, i, i % 2 ? 40 : 3);
    }
    onThread.flush();
    expect(onThread.onThread).toBe(true);
    expect(onMain.onThread).toBe(false);
    const parts = send.mock.calls.map(([batch]) => batch.length);
    send.mockRestore();
    if (!batchSize) expect(Math.max(...parts)).toBeGreaterThan(1);
    const rows = dump(threaded);
    expect(rows.runs).toHaveLength(200);
    expect(rows.events).toHaveLength(100 * 6 + 100 * 43);
    expect(rows).toEqual(dump(direct));
    a.close();
    b.close();
  });

  it('flush returns once every batch is committed, visible to any connection', () => {
    const dir = tempDir();
    const registry = open(dir);
    const log = evalLog(registry, 8);
    for (let i = 0; i < 200; i++) writeRun(log, i);
    log.flush();
    const db = new Database(join(dir, 'registry.db'), { readonly: true });
    expect(db.prepare("SELECT count(*) FROM runs WHERE status = 'succeeded'").pluck().get()).toBe(200);
    db.close();
    registry.close();
  });

  it('closing the registry commits what was queued and ends the thread', () => {
    const dir = tempDir();
    const registry = open(dir);
    const log = evalLog(registry);
    for (let i = 0; i < 50; i++) writeRun(log, i);
    expect(log.onThread).toBe(true);
    registry.close();
    expect(dump(dir).runs).toHaveLength(50);
  });

  it('on the thread, queued rows are sent every 50 ms, not on the 250 ms timer of commits on the main connection', () => {
    const dir = tempDir();
    const registry = open(dir);
    const log = registry.runs.openLog({ redact: createRedactor(), commitRunEnds: false });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const send = vi.spyOn(WriteThread.prototype, 'send');
    try {
      log.startThread();
      writeRun(log, 0);
      vi.advanceTimersByTime(40);
      expect(send).not.toHaveBeenCalled();
      vi.advanceTimersByTime(20);
      expect(send).toHaveBeenCalledTimes(1);
      log.stopThread();
      writeRun(log, 1);
      vi.advanceTimersByTime(200);
      expect(dump(dir).runs).toHaveLength(1);
      vi.advanceTimersByTime(60);
      expect(dump(dir).runs).toHaveLength(2);
    } finally {
      send.mockRestore();
      vi.useRealTimers();
      registry.close();
    }
  });

  it('stopThread commits what was queued and ends the thread; later writes commit on the main connection', () => {
    const dir = tempDir();
    const registry = open(dir);
    const log = evalLog(registry);
    for (let i = 0; i < 50; i++) writeRun(log, i);
    expect(log.onThread).toBe(true);
    log.stopThread();
    expect(log.onThread).toBe(false);
    expect(dump(dir).runs).toHaveLength(50);
    writeRun(log, 50, 0);
    log.flush();
    expect(log.onThread).toBe(false); // a run of a few rows: no full batch
    expect(dump(dir).runs).toHaveLength(51);
    registry.close();
  });

  it('the timer never blocks the eval on a thread that is behind: its rows wait for the next turn', () => {
    const dir = tempDir();
    const registry = open(dir);
    const log = registry.runs.openLog({ redact: createRedactor(), commitRunEnds: false });
    const writer = new Database(join(dir, 'registry.db'));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      log.startThread();
      // Another process writing: the thread's commits wait behind it (SQLite's busy wait, up to 15 s).
      writer.exec('BEGIN IMMEDIATE');
      for (let i = 0; i < 4; i++) {
        writeRun(log, i);
        const started = Date.now();
        vi.advanceTimersByTime(60);
        expect(Date.now() - started).toBeLessThan(2_000);
      }
      writer.exec('COMMIT');
      log.flush();
      expect(dump(dir).runs).toHaveLength(4);
    } finally {
      vi.useRealTimers();
      writer.close();
      registry.close();
    }
  }, 30_000);

  it("the registry's connection closes last, after the thread's, and ends the WAL", () => {
    const dir = tempDir();
    const registry = open(dir);
    const log = evalLog(registry);
    for (let i = 0; i < 50; i++) writeRun(log, i);
    log.stopThread();
    for (let i = 50; i < 100; i++) writeRun(log, i);
    registry.close();
    expect(existsSync(join(dir, 'registry.db-wal'))).toBe(false);
    expect(dump(dir).runs).toHaveLength(100);
  });

  it('a thread that died is not waited for at close', async () => {
    const dir = tempDir();
    const registry = open(dir);
    const thread = new WriteThread(join(dir, 'registry.db'));
    const worker = (thread as unknown as { worker: import('node:worker_threads').Worker }).worker;
    await worker.terminate();
    await new Promise((resolve) => setImmediate(resolve)); // its exit event
    expect(() => thread.close()).toThrow(/stopped/);
    const started = Date.now();
    expect(thread.waitClosed(5_000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
    registry.close();
  });

  it('stopThread after a failed batch throws it and keeps the thread, so nothing after the failure is written', () => {
    const dir = tempDir();
    const registry = open(dir);
    const log = evalLog(registry, 4);
    for (let i = 0; i < 10; i++) writeRun(log, i);
    log.flush();
    log.defer(resultWrite('E-missing', RESULT));
    expect(() => log.stopThread()).toThrow(/FOREIGN KEY|eval/i);
    expect(log.onThread).toBe(true);
    try {
      writeRun(log, 10);
    } catch {
      // the failure again, where the next batch would be sent
    }
    expect(() => log.flush()).toThrow(/FOREIGN KEY|eval/i);
    expect(dump(dir).runs).toHaveLength(10);
    expect(() => registry.close()).toThrow(/FOREIGN KEY|eval/i);
  });

  it('throws a failed batch at the next flush, and writes nothing after it', () => {
    const dir = tempDir();
    const registry = open(dir);
    const log = evalLog(registry, 4);
    for (let i = 0; i < 10; i++) writeRun(log, i);
    log.flush();
    expect(log.onThread).toBe(true);
    // A result for an eval that does not exist: the schema refuses it, in the thread's transaction.
    log.defer(resultWrite('E-missing', RESULT));
    writeRun(log, 10);
    expect(() => log.flush()).toThrow(/FOREIGN KEY|eval/i);
    // The failed batch is rolled back whole, and later ones are refused with the same error.
    for (let i = 11; i < 20; i++) {
      try {
        writeRun(log, i);
      } catch {
        // the failure is thrown again where the next batch would be sent
      }
    }
    expect(() => log.flush()).toThrow(/FOREIGN KEY|eval/i);
    expect(dump(dir).runs.map((r) => (r as { run_id: string }).run_id)).toEqual(Array.from({ length: 10 }, (_, i) => runId(i)));
    expect(() => registry.close()).toThrow(/FOREIGN KEY|eval/i);
  });

  it('a failure in the last part of a batch rolls back the parts before it', () => {
    const dir = tempDir();
    const registry = open(dir);
    const log = registry.runs.openLog({ redact: createRedactor(), commitRunEnds: false, flushMs: 60_000 });
    for (let i = 0; i < 100; i++) writeRun(log, i, 40);
    log.flush();
    expect(log.onThread).toBe(true);
    const send = vi.spyOn(WriteThread.prototype, 'send');
    for (let i = 100; i < 130; i++) writeRun(log, i, 40);
    log.defer(resultWrite('E-missing', RESULT));
    expect(() => log.flush()).toThrow(/FOREIGN KEY|eval/i);
    expect(send.mock.calls.at(-1)?.[0].length).toBeGreaterThan(1);
    send.mockRestore();
    expect(dump(dir).runs).toHaveLength(100);
    expect(() => registry.close()).toThrow(/FOREIGN KEY|eval/i);
  });

  it('a part that cannot be sent to the thread: the parts sent before it are rolled back, and the failure stays', () => {
    const dir = tempDir();
    const registry = open(dir);
    const log = registry.runs.openLog({ redact: createRedactor(), commitRunEnds: false, flushMs: 60_000 });
    for (let i = 0; i < 100; i++) writeRun(log, i, 40);
    log.flush();
    for (let i = 100; i < 130; i++) writeRun(log, i, 40);
    // A function cannot be copied to another thread: the last part fails to send.
    log.defer({ sql: 'SELECT ?', params: [() => 1] });
    expect(() => log.flush()).toThrow(/could not be cloned/);
    expect(() => {
      writeRun(log, 130, 40);
      log.flush();
    }).toThrow(/could not be cloned/);
    expect(dump(dir).runs).toHaveLength(100);
    expect(() => registry.close()).toThrow(/could not be cloned/);
  });

  it('a thread that cannot open the registry fails the eval with what to do, without writing anything more', () => {
    const dir = tempDir();
    const registry = open(dir);
    const log = evalLog(registry, 4);
    // The main connection keeps its open file; the thread, started at the first full batch, finds none.
    rmSync(join(dir, 'registry.db'));
    // Thrown at the next batch sent or at the flush, whichever comes first.
    expect(() => {
      for (let i = 0; i < 3; i++) writeRun(log, i);
      log.flush();
    }).toThrow(/cannot be written \(SQLITE_CANTOPEN\)/);
    expect(log.onThread).toBe(true);
    expect(() => log.flush()).toThrow(/cannot be written/);
    expect(() => registry.close()).toThrow(/cannot be written/);
  });

  it('is not started by a small eval: its few writes cost no thread', () => {
    const registry = open(tempDir());
    const log = registry.runs.openLog({ redact: createRedactor(), commitRunEnds: false });
    for (let i = 0; i < 20; i++) writeRun(log, i);
    log.flush();
    expect(log.onThread).toBe(false);
    registry.close();
  });
});
