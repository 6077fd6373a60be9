/**
 * A second thread that commits an eval's writes. An offline eval spent about as long inserting its rows
 * (SQLite, triggers, commits) as running its samples, one after the other on one thread; here the main
 * thread queues a batch and goes on with the next samples while this thread commits the last one.
 *
 * Nothing about what is written changes: the same statements, in the same order, one transaction per
 * batch, through a second connection to the same file (WAL: readers see each batch once committed).
 * `drain()` blocks until every batch sent is committed (Atomics.wait), so a flush is still synchronous
 * to its caller: an eval that ends, a session that closes, a trace that reads its run back.
 * A failed batch is rolled back whole, the thread stops writing, and the error is thrown to the main
 * thread at its next send or drain; nothing after a failure is written.
 */
import { createRequire } from 'node:module';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { EnvironmentError } from '../errors.js';
import { BUSY_TIMEOUT_MS, sqliteAddonPath, translateSqliteError } from '../registry/db.js';

/**
 * The thread's code: plain JavaScript, so it runs the same from sources (tests) and from the bundle.
 * A batch is a flat array: statement index, parameter count, the parameters; again and again.
 */
const THREAD_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { errors, state: shared, path, driver, addon, busyMs } = workerData;
const state = new Int32Array(shared);
let db;
let failed = false;
const statements = [];
function fail(error) {
  if (failed) return;
  failed = true;
  try {
    if (db && db.inTransaction) db.exec('ROLLBACK');
  } catch {}
  errors.postMessage({ message: String((error && error.message) || error), code: error && error.code });
  Atomics.store(state, 1, 1);
  Atomics.notify(state, 0);
}
process.on('uncaughtException', fail);
try {
  const Database = require(driver);
  db = new Database(path, { fileMustExist: true, timeout: busyMs, nativeBinding: addon });
  db.pragma('busy_timeout = ' + busyMs);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Appends touch the last pages of each index: a small cache does, and an eval's memory stays flat.
  db.pragma('cache_size = -2000');
} catch (error) {
  fail(error);
}
// Parameters are bound from arrays kept per size, and a batch comes in small messages (one transaction,
// committed with the last): a batch sent whole, or an array per row, outlived young-generation
// collections, and the promoted batches grew the process's memory with the eval.
const argsBySize = [];
function run(ops) {
  for (let i = 0; i < ops.length; ) {
    const n = ops[i + 1];
    const args = argsBySize[n] || (argsBySize[n] = new Array(n));
    for (let k = 0; k < n; k++) args[k] = ops[i + 2 + k];
    statements[ops[i]].run(args);
    i += 2 + n;
  }
}
parentPort.on('message', (message) => {
  if (message.close) {
    if (db && db.open) {
      // The eval's pages into the database file now, while the CLI prints its report, rather than when the
      // last connection closes as the process exits. PASSIVE: it waits for no reader or writer.
      if (!failed) {
        try {
          db.pragma('wal_checkpoint(PASSIVE)');
        } catch {}
      }
      db.close();
    }
    // Closed: the main connection, closed after this one, is the last and ends the WAL (see waitClosed).
    Atomics.store(state, 2, 1);
    Atomics.notify(state, 2);
    parentPort.close();
    errors.close();
    return;
  }
  if (message.abort !== undefined) return fail(new Error(message.abort));
  if (!failed) {
    try {
      if (message.sql !== undefined) statements[message.index] = db.prepare(message.sql);
      else {
        // A batch's first part finds no transaction open: one still open is a batch cut short.
        if (message.first && db.inTransaction) throw new Error('a batch reached the thread writing the event log cut short');
        if (message.first) db.exec('BEGIN');
        run(message.ops);
        if (message.seq !== undefined) db.exec('COMMIT');
      }
    } catch (error) {
      fail(error);
    }
  }
  if (message.seq !== undefined) {
    Atomics.store(state, 0, message.seq);
    Atomics.notify(state, 0);
  }
});
`;

/** Values per message of a batch: ~500 rows, small enough to die young in the thread's heap. */
export const PART_VALUES = 4096;

/** Batches sent and not yet committed, at most: bounds what waits in the thread's queue (memory). */
const IN_FLIGHT = 2;

/** How long a drain waits for a thread that makes no progress, beyond SQLite's own busy wait. */
const STALL_MS = BUSY_TIMEOUT_MS + 15_000;

const monotonicMs = () => Number(process.hrtime.bigint() / 1_000_000n);

export class WriteThread {
  private readonly worker: Worker;
  private readonly errors: MessagePort;
  /** [batches committed, failed (1), connection closed (1)]: read without a message, while this thread blocks. */
  private readonly state = new Int32Array(new SharedArrayBuffer(12));
  private readonly statements = new Map<string, number>();
  private sent = 0;
  private closed = false;
  /** The first failure, thrown again at each later use. */
  private failure: Error | undefined;

  constructor(private readonly path: string) {
    const { port1, port2 } = new MessageChannel();
    this.errors = port1;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: { errors: port2, state: this.state.buffer, path, driver, addon: sqliteAddonPath(), busyMs: BUSY_TIMEOUT_MS },
      transferList: [port2],
      // Its garbage is the batches it was sent: a small young generation keeps the process's memory flat.
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    // An error outside a statement (the thread could not start): kept and thrown like a failed batch, not a crash.
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', () => {
      if (!this.closed) this.fail(new Error('the thread writing the event log stopped'));
      // Gone, whatever it had open: nobody waits for it to close (waitClosed).
      Atomics.store(this.state, 2, 1);
    });
    // A process that ends without draining loses the uncommitted batch, as a crash would; it never waits on this thread.
    this.worker.unref();
    this.errors.unref();
  }

  /** The index of a statement in the thread, prepared there on first use. */
  statement(sql: string): number {
    let index = this.statements.get(sql);
    if (index === undefined) {
      index = this.statements.size;
      this.statements.set(sql, index);
      this.worker.postMessage({ index, sql });
    }
    return index;
  }

  /**
   * Sends a batch to commit in one transaction, as parts of ops (statement, count, parameters; …) each
   * ending where an op does; waits only if IN_FLIGHT batches are not committed yet.
   */
  send(parts: readonly unknown[][]): void {
    this.throwIfFailed();
    if (this.busy) {
      this.waitFor(this.sent - IN_FLIGHT + 1);
      // The wait ends early when the thread failed (or stalled): nothing more is sent then.
      this.throwIfFailed();
    }
    const last = parts.length - 1;
    const seq = ++this.sent;
    try {
      parts.forEach((ops, i) => {
        this.worker.postMessage({ first: i === 0, ops, ...(i === last ? { seq } : {}) });
      });
    } catch (error) {
      // A part that cannot be sent (a parameter the thread cannot receive): the parts before it are rolled back.
      this.fail(error as Error);
      this.throwIfFailed();
    }
  }

  /** True when IN_FLIGHT batches are not committed yet: a send now would wait. */
  get busy(): boolean {
    return this.sent - Atomics.load(this.state, 0) >= IN_FLIGHT;
  }

  /**
   * Waits, at most `ms`, for the thread to have closed its connection after close(): the connection closed last
   * checkpoints the WAL and deletes it, and that should be this thread's caller, not the thread as the process
   * exits (the process waits for it there). False when it had not closed in time, which changes nothing else.
   */
  waitClosed(ms: number): boolean {
    if (!this.closed) return false;
    return Atomics.wait(this.state, 2, 0, ms) !== 'timed-out';
  }

  /** Returns once every batch sent is committed; throws the thread's error if one failed. */
  drain(): void {
    this.waitFor(this.sent);
    this.throwIfFailed();
  }

  /** Drains, then ends the thread and its connection; a thread that failed is not waited for again. */
  close(): void {
    if (this.closed) return;
    try {
      this.drain();
    } finally {
      this.closed = true;
      this.worker.postMessage({ close: true });
    }
  }

  /** Records a failure seen on this side: the thread rolls back what it holds and writes nothing more. */
  private fail(error: Error): void {
    this.failure ??= error;
    Atomics.store(this.state, 1, 1);
    try {
      this.worker.postMessage({ abort: error.message });
    } catch {
      // The thread is gone: nothing of it can be committed any more.
    }
  }

  private waitFor(seq: number): void {
    let last = Atomics.load(this.state, 0);
    // A monotonic clock: a wall-clock step (suspend, NTP) is not a stall. process.hrtime, not the global
    // `performance`, whose first use loads node:perf_hooks (~4 ms, at the end of every eval with a thread).
    let since = monotonicMs();
    while (last < seq && Atomics.load(this.state, 1) === 0) {
      Atomics.wait(this.state, 0, last, 1000);
      const now = Atomics.load(this.state, 0);
      if (now !== last) {
        last = now;
        since = monotonicMs();
      } else if (monotonicMs() - since > STALL_MS) {
        this.fail(
          new EnvironmentError(`the thread writing the event log to ${this.path} made no progress in ${STALL_MS / 1000} s`, {
            where: this.path,
            fix: 'check that the disk is not full and no other process holds the registry (`agentctl doctor`), then run the eval again',
            code: 'registry-busy',
          }),
        );
      }
    }
  }

  private throwIfFailed(): void {
    if (Atomics.load(this.state, 1) === 0) return;
    if (!this.failure) {
      // The thread's own error, sent before it raised the flag.
      const received = receiveMessageOnPort(this.errors)?.message as { message: string; code?: string } | undefined;
      this.failure = Object.assign(new Error(received?.message ?? 'the thread writing the event log stopped'), { code: received?.code });
    }
    throw translateSqliteError(this.failure, this.path);
  }
}
