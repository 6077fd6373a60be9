/**
 * The runs store: the only code that reads or writes `sessions`, `runs`, `events` and `spans` (with its
 * writer, event-log.ts). Rows come back as their declared types and events as the typed event union.
 */
import { NotFoundError, UsageError } from '../errors.js';
import type { BlobStore } from '../registry/blobs.js';
import type { Db } from '../registry/db.js';
import type { RunStatus } from '../runtime/events.js';
import { decodeEvent, type EventRow, type StoredEvent } from './decode.js';
import { EventLog, type EventLogOptions, isAlive } from './event-log.js';

export interface RunRow {
  runId: string;
  sessionId: string;
  agent: string;
  version: string;
  digest: string;
  owner: string;
  team: string;
  actor: string;
  source: string;
  mode: string;
  provider: string;
  model: string;
  snapshot: string;
  replayOf: string | null;
  input: string;
  status: RunStatus;
  output: string | null;
  errorClass: string | null;
  error: string | null;
  /** How the answer came about when the model did not give it: a next model, a rule reply, a human. */
  fallback: 'model' | 'rule' | 'human' | null;
  startedAt: number;
  endedAt: number | null;
  latencyMs: number | null;
  steps: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
}

const RUN_COLUMNS = `run_id AS runId, session_id AS sessionId, agent, version, digest, owner, team, actor, source, mode, provider, model,
  snapshot, replay_of AS replayOf, input, status, output, error_class AS errorClass, error, fallback, started_at AS startedAt, ended_at AS endedAt,
  latency_ms AS latencyMs, steps, tokens_in AS tokensIn, tokens_out AS tokensOut, cost_usd AS costUsd`;

export interface RunFilter {
  agent?: string | undefined;
  version?: string | undefined;
  session?: string | undefined;
  status?: string | undefined;
  since?: number | undefined;
  limit?: number | undefined;
}

export type StatsDimension = 'agent' | 'version' | 'team' | 'model' | 'mode';

export interface StatsGroup {
  key: Record<string, string>;
  runs: number;
  succeeded: number;
  successRate: number;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  /** Runs whose token counts include agentctl's estimates, because the provider reported no usage. */
  estimatedRuns: number;
  failures: Record<string, number>;
  /** Answers that were not the first model's, kept apart: a next model (succeeded), a rule reply or a human (failed). */
  fallbacks: { model: number; rule: number; human: number };
  /** Feedback on the group's runs (each user's latest rating of a run): runs rated, ratings good and bad, good / (good + bad). */
  feedback: { rated: number; good: number; bad: number; goodRate: number | null };
}

export class RunStore {
  constructor(
    private readonly db: Db,
    private readonly path: string,
    private readonly blobs: BlobStore,
  ) {}

  private readonly logs: EventLog[] = [];

  /** A writer for new runs (one per process; it batches its commits). */
  openLog(options: EventLogOptions): EventLog {
    const log = new EventLog(this.db, this.path, this.blobs, options);
    this.logs.push(log);
    return log;
  }

  /** Commits what the writers opened here still hold and ends their write threads (before the database closes). */
  closeLogs(): void {
    let first: unknown;
    for (const log of this.logs.splice(0)) {
      try {
        log.close();
      } catch (error) {
        first ??= error;
      }
    }
    if (first !== undefined) throw first;
  }

  list(filter: RunFilter = {}): RunRow[] {
    const { where, params } = runConditions(filter);
    return this.db
      .prepare(`SELECT ${RUN_COLUMNS} FROM runs ${where} ORDER BY started_at DESC, run_id DESC LIMIT @limit`)
      .all({ ...params, limit: filter.limit ?? 50 }) as RunRow[];
  }

  /**
   * Runs started since `since` (ms), of one agent or of one owner team: what a daily quota counts. Replays
   * never count; `exceptRunIds` leaves out others the caller knows (the runs of eval samples).
   */
  countRunsSince(filter: { agent?: string | undefined; owner?: string | undefined; since: number; exceptRunIds?: readonly string[] }): number {
    return this.db
      .prepare(
        `SELECT count(*) FROM runs WHERE started_at >= @since AND source <> 'replay' AND replay_of IS NULL
           AND (@agent IS NULL OR agent = @agent) AND (@owner IS NULL OR owner = @owner)
           AND run_id NOT IN (SELECT value FROM json_each(@except))`,
      )
      .pluck()
      .get({ since: filter.since, agent: filter.agent ?? null, owner: filter.owner ?? null, except: JSON.stringify(filter.exceptRunIds ?? []) }) as number;
  }

  /** A run by id, by a unique prefix of its id (like git), or "last" for the most recent. */
  get(id: string): RunRow {
    if (id === 'last') {
      const last = this.list({ limit: 1 })[0];
      if (!last) throw new NotFoundError('no runs yet', { fix: 'agentctl run <agent> -i "…"', code: 'not-found' });
      return last;
    }
    const rows = this.db
      .prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_id >= ? AND run_id < ? LIMIT 2`)
      .all(id.toUpperCase(), `${id.toUpperCase()}\uffff`) as RunRow[];
    if (rows.length === 0) throw new NotFoundError(`no run ${id}`, { fix: 'agentctl runs (lists recent runs and their ids)', code: 'not-found' });
    if (rows.length > 1 && rows[0]?.runId !== id.toUpperCase())
      throw new UsageError(`"${id}" matches more than one run`, { fix: 'give more characters of the run id' });
    return rows[0] as RunRow;
  }

  /** A run's events, in order, decoded into the typed event union. */
  events(runId: string): StoredEvent[] {
    const rows = this.db.prepare('SELECT seq, type, at, span_id AS spanId, payload FROM events WHERE run_id = ? ORDER BY seq').all(runId) as EventRow[];
    return rows.map((row) => decodeEvent(runId, row, this.blobs));
  }

  /** A session's agent, or undefined when no run has used that id yet. */
  session(sessionId: string): { agent: string; createdAt: number } | undefined {
    return this.db.prepare('SELECT agent, created_at AS createdAt FROM sessions WHERE session_id = ?').get(sessionId) as
      | { agent: string; createdAt: number }
      | undefined;
  }

  /** The finished turns of a session, oldest first (replays are re-executions, not turns). */
  sessionTurns(sessionId: string): { runId: string; input: string; output: string | null }[] {
    return this.db
      .prepare(
        `SELECT run_id AS runId, input, output FROM runs WHERE session_id = ? AND source <> 'replay' AND status NOT IN ('running', 'interrupted', 'cancelled')
         ORDER BY started_at, run_id`,
      )
      .all(sessionId) as { runId: string; input: string; output: string | null }[];
  }

  /**
   * Success rate, latency percentiles, tokens, cost, fallbacks, failure reasons and feedback rates, grouped, over
   * finished runs since `since`. `ratings` (by run id) come from the feedback store, which owns that table.
   */
  stats(by: readonly StatsDimension[], since: number, ratings: ReadonlyMap<string, { good: number; bad: number }> = new Map()): StatsGroup[] {
    // "team" is the owner team of the agent: the platform's view of who is accountable for it.
    const columns = by.map((d) => (d === 'team' ? 'owner' : d));
    const select = `SELECT ${[...columns, 'status', 'error_class', 'latency_ms', 'tokens_in', 'tokens_out', 'cost_usd', 'fallback', 'usage_estimated', 'run_id'].join(', ')}
      FROM runs WHERE started_at >= ? AND status <> 'running'`;
    const n = by.length;
    const groups = new Map<string, StatsGroup & { latencies: number[] }>();
    // Raw rows: 50,000 runs (a million events) aggregate in well under the 300 ms budget.
    for (const row of this.db.prepare(select).raw().iterate(since) as Iterable<unknown[]>) {
      const id = n === 1 ? String(row[0]) : row.slice(0, n).join('\u0000');
      let group = groups.get(id);
      if (!group) {
        const key = Object.fromEntries(by.map((d, i) => [d, String(row[i])]));
        group = {
          key,
          runs: 0,
          succeeded: 0,
          successRate: 0,
          p50LatencyMs: null,
          p95LatencyMs: null,
          tokensIn: 0,
          tokensOut: 0,
          costUsd: 0,
          estimatedRuns: 0,
          failures: {},
          fallbacks: { model: 0, rule: 0, human: 0 },
          feedback: { rated: 0, good: 0, bad: 0, goodRate: null },
          latencies: [],
        };
        groups.set(id, group);
      }
      group.runs++;
      if (row[n] === 'succeeded') group.succeeded++;
      else {
        const reason = (row[n + 1] as string | null) ?? String(row[n]);
        group.failures[reason] = (group.failures[reason] ?? 0) + 1;
      }
      if (typeof row[n + 2] === 'number') group.latencies.push(row[n + 2] as number);
      group.tokensIn += row[n + 3] as number;
      group.tokensOut += row[n + 4] as number;
      group.costUsd += row[n + 5] as number;
      const fallback = row[n + 6] as 'model' | 'rule' | 'human' | null;
      if (fallback) group.fallbacks[fallback]++;
      if (row[n + 7]) group.estimatedRuns++;
      const rated = ratings.size ? ratings.get(row[n + 8] as string) : undefined;
      if (rated) {
        group.feedback.rated++;
        group.feedback.good += rated.good;
        group.feedback.bad += rated.bad;
      }
    }
    return [...groups.values()]
      .map(({ latencies, ...g }) => {
        const sorted = Float64Array.from(latencies).sort();
        const { good, bad } = g.feedback;
        return {
          ...g,
          successRate: g.runs ? g.succeeded / g.runs : 0,
          p50LatencyMs: percentile(sorted, 0.5),
          p95LatencyMs: percentile(sorted, 0.95),
          feedback: { ...g.feedback, goodRate: good + bad ? good / (good + bad) : null },
        };
      })
      .sort((a, b) => JSON.stringify(a.key).localeCompare(JSON.stringify(b.key)));
  }

  /**
   * The runs `filter` selects (oldest first; with `limit`, the latest `limit` of them), each with its
   * events, one run at a time: two queries (runs, and their events in the same order) read side by side
   * in one snapshot, so an export of any size holds one run in memory and prepares two statements.
   */
  eachWithEvents(filter?: RunFilter): Generator<{ run: RunRow; events: StoredEvent[] }>;
  /** With `decode`: each event row turned into what the caller needs (export writes JSONL lines from the rows). */
  eachWithEvents<E>(filter: RunFilter, decode: (run: RunRow, row: EventRow, blobs: BlobStore) => E): Generator<{ run: RunRow; events: E[] }>;
  *eachWithEvents<E>(
    filter: RunFilter = {},
    decode?: (run: RunRow, row: EventRow, blobs: BlobStore) => E,
  ): Generator<{ run: RunRow; events: (E | StoredEvent)[] }> {
    const { where, params } = runConditions(filter);
    const order = 'ORDER BY started_at DESC, run_id DESC LIMIT @limit';
    if (filter.limit !== undefined) params.limit = filter.limit;
    // CROSS JOIN keeps runs the outer loop (walked in time order), so events need no sort of their own.
    // The filter's columns are only in runs, so the same WHERE applies after the join.
    const [runsSql, eventsSql] =
      filter.limit === undefined
        ? [`SELECT ${RUN_COLUMNS} FROM runs ${where}`, `FROM runs AS r CROSS JOIN events AS e ON e.run_id = r.run_id ${where}`]
        : [
            `SELECT ${RUN_COLUMNS} FROM (SELECT * FROM runs ${where} ${order})`,
            `FROM (SELECT run_id, started_at FROM runs ${where} ${order}) AS r CROSS JOIN events AS e ON e.run_id = r.run_id`,
          ];
    const runs = this.db.prepare(`${runsSql} ORDER BY started_at, run_id`).iterate(params) as IterableIterator<RunRow>;
    const events = this.db
      .prepare(`SELECT r.run_id, e.seq, e.type, e.at, e.span_id, e.payload ${eventsSql} ORDER BY r.started_at, r.run_id, e.seq`)
      .raw()
      .iterate(params) as IterableIterator<[string, number, string, number, string | null, string]>;
    try {
      let next = events.next();
      for (const run of runs) {
        const list: (E | StoredEvent)[] = [];
        while (!next.done && next.value[0] === run.runId) {
          const [, seq, type, at, spanId, payload] = next.value;
          const row = { seq, type, at, spanId, payload };
          list.push(decode ? decode(run, row, this.blobs) : decodeEvent(run.runId, row, this.blobs));
          next = events.next();
        }
        yield { run, events: list };
      }
    } finally {
      // Stopped early (a closed pipe, Ctrl-C): release the statements so the database can close.
      events.return?.();
      runs.return?.();
    }
  }

  /** Runs left `running` by a process on this host that is gone (killed, crashed) are marked `interrupted`. */
  recoverInterrupted(host: string): string[] {
    const running = this.db.prepare(`SELECT run_id AS runId, pid, host FROM runs WHERE status = 'running'`).all() as {
      runId: string;
      pid: number;
      host: string;
    }[];
    const dead = running.filter((r) => r.host === host && r.pid !== process.pid && !isAlive(r.pid));
    const mark = this.db.prepare(
      `UPDATE runs SET status = 'interrupted', error_class = 'interrupted', error = 'the process running it ended before the run finished', ended_at = ? WHERE run_id = ? AND status = 'running'`,
    );
    for (const r of dead) mark.run(Date.now(), r.runId);
    return dead.map((r) => r.runId);
  }
}

/** The WHERE clause of a run filter (its limit aside), with its named parameters. */
function runConditions(filter: RunFilter): { where: string; params: Record<string, string | number> } {
  const where: string[] = [];
  const params: Record<string, string | number> = {};
  const add = (column: string, key: string, op: string, value: string | number | undefined) => {
    if (value === undefined || value === '') return;
    where.push(`${column} ${op} @${key}`);
    params[key] = value;
  };
  add('agent', 'agent', '=', filter.agent);
  add('version', 'version', '=', filter.version);
  add('session_id', 'session', '=', filter.session);
  add('status', 'status', '=', filter.status);
  add('started_at', 'since', '>=', filter.since);
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

export function percentile(sorted: Float64Array, q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}
