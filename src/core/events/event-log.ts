/**
 * The event log: what the runtime emits, persisted append-only in the registry database. Writes are
 * batched (one transaction per batch) and flushed at least every `flushMs`, so a killed process loses
 * at most the last moments. By default a run's end is flushed at once (run, playground); an eval turns
 * that off and commits on the timer only, a few large transactions a second instead of one per run
 * (each commit rewrites the B-tree pages it touched into the WAL, so their number is what costs).
 * Payloads are redacted before they are written, and payloads over the claim-check threshold go to the
 * blob store by digest.
 */
import { hostname } from 'node:os';
import type { BlobStore } from '../registry/blobs.js';
import { type Db, translateSqliteError } from '../registry/db.js';
import type { RuntimeEvent } from '../runtime/events.js';
import { isEphemeral } from '../runtime/events.js';
import type { Redactor } from './redact.js';
import { PART_VALUES, WriteThread } from './write-thread.js';

/** Payloads larger than this are stored once in .agentctl/blobs/ and referenced from the event. */
export const CLAIM_CHECK_BYTES = 16 * 1024;

export interface RunMeta {
  runId: string;
  sessionId: string;
  agent: string;
  version: string;
  digest: string;
  owner: string;
  team: string;
  actor: string;
  source: 'registry' | 'workspace' | 'replay';
  mode: 'dry' | 'live';
  provider: string;
  model: string;
  snapshot: string;
  replayOf: string | null;
  input: string;
  startedAt: number;
}

/**
 * Queued writes per commit when commits are on the timer (evals): about 150 samples. Queued rows that
 * wait longer outlive the young generation and are promoted, and the promoted garbage, not the rows,
 * is what grew an eval's memory with its size. A commit of appended rows is cheap (it rewrites the last
 * pages of each index); it was random keys that made commits costly (migration 12).
 */
export const TIMER_BATCH = 2048;

/**
 * How often queued rows go to the write thread when it runs (unless flushMs is given): a commit there costs
 * this thread only the posting of its rows. Sent every 250 ms, a latency-bound eval's rows outlived several
 * young-generation collections and each post was long: about 15 ms more of collection pauses in a 2 s eval,
 * every one of them a delay for each sample in flight.
 */
const THREAD_FLUSH_MS = 50;

/** How long close() waits for a write thread to close its connection; past it the thread closes last, which is only slower. */
const THREAD_CLOSE_WAIT_MS = 1_000;

/** Sessions remembered as written: a bound, as each eval sample has its own. */
const KNOWN_SESSIONS = 1024;

/** Events per multi-row INSERT when a batch holds that many in a row. */
const EVENT_ROWS = 32;

export interface EventLogOptions {
  redact: Redactor;
  /** Queued writes per transaction at most (default 4096; TIMER_BATCH when commits are on a timer): bounds a transaction, not durability, which flushMs and run ends give. */
  batchSize?: number;
  /** Longest time an appended event waits before it is committed (default 50 ms; 250 ms when commits are on a timer, 50 ms again once on the write thread). */
  flushMs?: number;
  /**
   * Commit at every run's end (default). Evals turn this off: their runs then share commits made on
   * the timer, and a crash loses at most the last `flushMs` of them (the eval's own finish flushes).
   */
  commitRunEnds?: boolean;
  /** Told each run's end once it is queued (traces are sent from it: core/telemetry). */
  onRunFinished?: (runId: string) => void;
}

/** A statement to run with its parameters, in the transaction of the events around it. */
export interface Write {
  sql: string;
  params: unknown[];
}

const EVENT_SQL = 'INSERT INTO events (run_id, seq, type, at, span_id, payload) VALUES (?, ?, ?, ?, ?, ?)';
const EVENTS_SQL = `INSERT INTO events (run_id, seq, type, at, span_id, payload) VALUES ${Array(EVENT_ROWS).fill('(?, ?, ?, ?, ?, ?)').join(', ')}`;
const SESSION_SQL = 'INSERT INTO sessions (session_id, agent, created_at, created_by) VALUES (?, ?, ?, ?) ON CONFLICT (session_id) DO NOTHING';
const RUN_SQL = `INSERT INTO runs (run_id, session_id, agent, version, digest, owner, team, actor, source, mode, provider, model, snapshot, replay_of, input, started_at, pid, host)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const SPAN_SQL = 'INSERT INTO spans (span_id, run_id, parent_span_id, kind, name, status, started_at, ended_at, attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)';
const FINISH_SQL = `UPDATE runs SET status = ?, output = ?, error_class = ?, error = ?, ended_at = ?, latency_ms = ?, steps = ?, tokens_in = ?, tokens_out = ?, cost_usd = ?,
       fallback = ?, model_errors = ?, usage_estimated = ? WHERE run_id = ?`;

type Pending =
  | { kind: 'run'; meta: RunMeta }
  | { kind: 'write'; write: Write }
  | { kind: 'span'; row: unknown[] }
  | { kind: 'event'; runId: string; seq: number; type: string; at: number; spanId: string | null; payload: string };

export class EventLog {
  private readonly pending: Pending[] = [];
  private readonly seqs = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly batchSize: number;
  private readonly flushMs: number;
  private readonly threadFlushMs: number;
  private readonly insertEvent;
  private readonly insertEvents;
  private readonly eventParams: unknown[] = new Array(EVENT_ROWS * 6);
  private readonly insertSpan;
  private readonly insertSession;
  private readonly insertRunRow;
  private readonly statements = new Map<string, ReturnType<Db['prepare']>>();
  /** Commits on a second thread, once an eval queues a full batch (write-thread.ts); small evals never start it. */
  private thread: WriteThread | undefined;
  /** Threads ended by stopThread, which close() waits for (see WriteThread.waitClosed). */
  private readonly stopped: WriteThread[] = [];
  /** Closed with its registry: no thread is started after (samples still running when an eval failed). */
  private closed = false;
  private readonly host = hostname();
  /** Sessions this writer has already made sure exist. */
  private readonly sessions = new Set<string>();
  private readonly spanStarts = new Map<string, { runId: string; parent: string | null; kind: string; name: string; at: number }>();
  private redactor: Redactor;
  /**
   * One transaction function, made once: better-sqlite3 builds five wrapper functions for every
   * `db.transaction(fn)` (tens of µs in profiles), paid at every run's end when runs are committed as they finish.
   */
  private readonly transact: (batch: readonly Pending[], also: Write | undefined) => void;

  constructor(
    private readonly db: Db,
    private readonly path: string,
    private readonly blobs: BlobStore,
    private readonly options: EventLogOptions,
  ) {
    this.redactor = options.redact;
    const onTimer = options.commitRunEnds === false;
    this.batchSize = options.batchSize ?? (onTimer ? TIMER_BATCH : 4096);
    this.flushMs = options.flushMs ?? (onTimer ? 250 : 50);
    this.threadFlushMs = options.flushMs ?? THREAD_FLUSH_MS;
    this.insertEvent = db.prepare(EVENT_SQL);
    this.insertEvents = db.prepare(EVENTS_SQL);
    this.insertSession = db.prepare(SESSION_SQL);
    this.insertRunRow = db.prepare(RUN_SQL);
    this.insertSpan = db.prepare(SPAN_SQL);
    this.transact = db.transaction((batch: readonly Pending[], also: Write | undefined) => this.writeBatch(batch, also));
  }

  /** Redacts what follows with this redactor (the session switches it with the agent in use: its policies and secrets). */
  redactWith(redactor: Redactor): void {
    this.redactor = redactor;
  }

  /** The redactor in use, for rows written beside the log (eval results) to be redacted the same way. */
  currentRedactor(): Redactor {
    return this.redactor;
  }

  /**
   * Queues the run's row; it is written in the same transaction as its first events (at most `flushMs`
   * later), so a run costs no commit of its own.
   */
  beginRun(meta: RunMeta): void {
    this.pending.push({ kind: 'run', meta: { ...meta, input: this.redactText(meta.input) } });
    this.seqs.set(meta.runId, 0);
    this.schedule();
  }

  /** Queues an event; the run's end is written with its summary and flushed at once. */
  append(event: RuntimeEvent): void {
    if (isEphemeral(event)) return;
    const seq = (this.seqs.get(event.runId) ?? 0) + 1;
    this.seqs.set(event.runId, seq);
    const { runId, type, at, ...rest } = event;
    const spanId = 'spanId' in rest ? (rest.spanId as string) : null;
    this.pending.push({ kind: 'event', runId, seq, type, at, spanId, payload: this.encode(rest) });
    this.trackSpan(event);
    if (event.type === 'run.finished') {
      const finish: Write = {
        sql: FINISH_SQL,
        params: [
          event.status,
          event.output === null ? null : this.redactText(event.output),
          event.errorClass,
          event.error === null ? null : this.redactText(event.error),
          event.at,
          event.latencyMs,
          event.steps,
          event.usage.inputTokens,
          event.usage.outputTokens,
          event.costUsd,
          event.fallback,
          event.modelErrors.length ? this.redactor.json(event.modelErrors) : null,
          event.usageEstimated ? 1 : 0,
          runId,
        ],
      };
      this.seqs.delete(runId);
      if (this.options.commitRunEnds === false) this.defer(finish);
      else this.flush(finish);
      this.options.onRunFinished?.(runId);
      return;
    }
    if (this.pending.length >= this.batchSize) this.commitFull();
    else this.schedule();
  }

  /** Queues another write (eval results) to commit in the same transaction as the events around it. */
  defer(write: Write): void {
    this.pending.push({ kind: 'write', write });
    if (this.pending.length >= this.batchSize) this.commitFull();
    else this.schedule();
  }

  /**
   * A caller's run is over, or was abandoned half-way: what it queued is committed now, unless commits
   * are on the timer (evals), which commits it within `flushMs` anyway.
   */
  settle(): void {
    if (this.options.commitRunEnds !== false) this.flush();
  }

  private schedule(): void {
    if (!this.timer) this.timer = setTimeout(() => this.commitOnTimer(), this.thread ? this.threadFlushMs : this.flushMs).unref();
  }

  /** Commits everything queued, with `also` in the same transaction; returns once it is committed. */
  flush(also?: Write): void {
    this.commit(also, true);
  }

  /** True once writes go through the write thread (an eval of many samples, or one that queued a full batch). */
  get onThread(): boolean {
    return this.thread !== undefined;
  }

  /** Flushes, and ends the write thread if one was started (the registry closes its logs when it closes). */
  close(): void {
    this.closed = true;
    try {
      this.flush();
    } finally {
      this.thread?.close();
      // So that the registry's own connection, closed next, is the last one (see WriteThread.waitClosed).
      for (const thread of [...this.stopped, this.thread]) thread?.waitClosed(THREAD_CLOSE_WAIT_MS);
      this.stopped.length = 0;
    }
  }

  /**
   * Starts the write thread now, for a caller that knows many writes are coming (an eval of many samples):
   * it starts while the first samples run instead of at the first full batch. Only when commits are on the timer.
   */
  startThread(): void {
    if (this.options.commitRunEnds === false && !this.thread && !this.closed && this.path !== ':memory:') this.thread = new WriteThread(this.path);
  }

  /**
   * Ends the write thread once everything sent to it is committed (an eval that ended): later writes commit on this
   * connection, and a later eval starts a thread again. Ended here, the thread closes its connection while the CLI
   * prints the report; left to the registry's close, the process waited for it as it exited (15-25 ms).
   * Throws the thread's failure, if it had one, and keeps it: nothing after a failure is written.
   */
  stopThread(): void {
    if (!this.thread) return;
    this.flush();
    this.thread.close();
    this.stopped.push(this.thread);
    this.thread = undefined;
  }

  /** A full batch: on the timer (evals), it goes to the write thread, started now, and the eval goes on. */
  private commitFull(): void {
    this.startThread();
    this.commit(undefined, false);
  }

  private commitOnTimer(): void {
    if (!this.thread) {
      this.flush();
      return;
    }
    // The timer never blocks the eval on a thread that is behind (a slow commit or checkpoint): its rows wait
    // for the next turn, and a full batch still waits for room as before (commitFull).
    if (this.thread.busy) {
      this.timer = undefined;
      this.schedule();
      return;
    }
    try {
      this.commit(undefined, false);
    } catch {
      // The thread keeps its error and throws it at the next append or flush, in the caller's code.
    }
  }

  private commit(also: Write | undefined, wait: boolean): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.pending.splice(0, this.pending.length);
    if (this.thread) {
      if (batch.length || also) this.thread.send(this.opsOf(batch, also));
      if (wait) this.thread.drain();
      return;
    }
    if (batch.length === 0 && !also) return;
    try {
      this.transact(batch, also);
    } catch (error) {
      throw translateSqliteError(error, this.path);
    }
  }

  /** One transaction's writes, in the order they were queued. */
  private writeBatch(batch: readonly Pending[], also: Write | undefined): void {
    for (let i = 0; i < batch.length; ) {
      const e = batch[i] as Pending;
      if (e.kind === 'event') {
        i = this.insertEventsFrom(batch, i);
        continue;
      }
      if (e.kind === 'run') this.insertRun(e.meta);
      else if (e.kind === 'span') this.insertSpan.run(...e.row);
      else this.run(e.write);
      i++;
    }
    if (also) this.run(also);
  }

  private run(write: Write): void {
    let statement = this.statements.get(write.sql);
    if (!statement) {
      statement = this.db.prepare(write.sql);
      this.statements.set(write.sql, statement);
    }
    statement.run(write.params);
  }

  /**
   * The batch as the write thread takes it: statement, parameter count, parameters; the rows insertRun
   * and insertEventsFrom write. In parts of about PART_VALUES values, each ending where a statement does.
   */
  private opsOf(batch: readonly Pending[], also: Write | undefined): unknown[][] {
    const thread = this.thread as WriteThread;
    let ops: unknown[] = [];
    const parts = [ops];
    const statement = (sql: string, count: number) => {
      if (ops.length >= PART_VALUES) {
        ops = [];
        parts.push(ops);
      }
      ops.push(thread.statement(sql), count);
    };
    const add = (sql: string, params: readonly unknown[]) => {
      statement(sql, params.length);
      for (const p of params) ops.push(p);
    };
    for (let i = 0; i < batch.length; i++) {
      const e = batch[i] as Pending;
      if (e.kind === 'event') {
        let end = i;
        while (end < batch.length && end - i < EVENT_ROWS && (batch[end] as Pending).kind === 'event') end++;
        const rows = end - i === EVENT_ROWS ? EVENT_ROWS : 1;
        statement(rows === EVENT_ROWS ? EVENTS_SQL : EVENT_SQL, rows * 6);
        for (let k = i; k < i + rows; k++) {
          const row = batch[k] as Extract<Pending, { kind: 'event' }>;
          ops.push(row.runId, row.seq, row.type, row.at, row.spanId, row.payload);
        }
        i += rows - 1;
      } else if (e.kind === 'run') {
        if (this.rememberSession(e.meta)) add(SESSION_SQL, [e.meta.sessionId, e.meta.agent, e.meta.startedAt, e.meta.actor]);
        add(RUN_SQL, this.runRow(e.meta));
      } else if (e.kind === 'span') add(SPAN_SQL, e.row);
      else add(e.write.sql, e.write.params);
    }
    if (also) add(also.sql, also.params);
    return parts;
  }

  /**
   * Inserts the events queued from `start` on, up to the next other write, and returns where they end.
   * EVENT_ROWS at a time in one statement: a statement per row cost about as much as the row itself.
   * Rows of one statement are inserted in order, each seen by the triggers of the next.
   */
  private insertEventsFrom(batch: readonly Pending[], start: number): number {
    let i = start;
    for (;;) {
      let end = i;
      while (end < batch.length && end - i < EVENT_ROWS && (batch[end] as Pending).kind === 'event') end++;
      if (end - i < EVENT_ROWS) {
        for (; i < end; i++) {
          const e = batch[i] as Extract<Pending, { kind: 'event' }>;
          this.insertEvent.run(e.runId, e.seq, e.type, e.at, e.spanId, e.payload);
        }
        return end;
      }
      const params = this.eventParams;
      for (let k = 0; k < EVENT_ROWS; k++) {
        const e = batch[i + k] as Extract<Pending, { kind: 'event' }>;
        const o = k * 6;
        params[o] = e.runId;
        params[o + 1] = e.seq;
        params[o + 2] = e.type;
        params[o + 3] = e.at;
        params[o + 4] = e.spanId;
        params[o + 5] = e.payload;
      }
      this.insertEvents.run(params);
      i = end;
    }
  }

  private insertRun(meta: RunMeta): void {
    if (this.rememberSession(meta)) this.insertSession.run(meta.sessionId, meta.agent, meta.startedAt, meta.actor);
    this.insertRunRow.run(this.runRow(meta));
  }

  /** True the first time a session is seen (its row is written then). */
  private rememberSession(meta: RunMeta): boolean {
    if (this.sessions.has(meta.sessionId)) return false;
    // Forgetting one costs only an insert that does nothing (ON CONFLICT DO NOTHING).
    if (this.sessions.size >= KNOWN_SESSIONS) this.sessions.clear();
    this.sessions.add(meta.sessionId);
    return true;
  }

  private runRow(meta: RunMeta): unknown[] {
    return [
      meta.runId,
      meta.sessionId,
      meta.agent,
      meta.version,
      meta.digest,
      meta.owner,
      meta.team,
      meta.actor,
      meta.source,
      meta.mode,
      meta.provider,
      meta.model,
      meta.snapshot,
      meta.replayOf,
      meta.input,
      meta.startedAt,
      process.pid,
      this.host,
    ];
  }

  private trackSpan(event: RuntimeEvent): void {
    if (event.type === 'span.started') {
      this.spanStarts.set(event.spanId, { runId: event.runId, parent: event.parentSpanId, kind: event.kind, name: event.name, at: event.at });
    } else if (event.type === 'span.ended') {
      const start = this.spanStarts.get(event.spanId);
      if (!start) return;
      this.spanStarts.delete(event.spanId);
      const attributes = this.encode(event.attributes);
      // Queued in order, like events: a span is written before its run's end (the schema refuses it after).
      this.pending.push({ kind: 'span', row: [event.spanId, start.runId, start.parent, start.kind, start.name, event.status, start.at, event.at, attributes] });
    }
  }

  private encode(value: unknown): string {
    const json = this.redactor.json(value);
    if (json.length <= CLAIM_CHECK_BYTES) return json;
    const digest = this.blobs.put(Buffer.from(json));
    return JSON.stringify({ $blob: digest, bytes: Buffer.byteLength(json) });
  }

  private redactText(text: string): string {
    return this.redactor.text(text);
  }
}

/** Reads a payload back, following a claim-check reference to the blob store. */
export function decodePayload(payload: string, blobs: BlobStore): Record<string, unknown> {
  const value = JSON.parse(payload) as Record<string, unknown>;
  if (typeof value.$blob === 'string' && Object.keys(value).length === 2) {
    return JSON.parse(blobs.get(value.$blob).toString('utf8')) as Record<string, unknown>;
  }
  return value;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
