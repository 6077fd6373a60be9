/** Reading the event log: runs, their events and span trees, and aggregates over a window. */
import { NotFoundError, UsageError } from '../errors.js';
import type { BlobStore } from '../registry/blobs.js';
import type { Db } from '../registry/db.js';
import type { RunStatus, SpanKind } from '../runtime/events.js';
import { decodePayload } from './event-log.js';

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

export function listRuns(db: Db, filter: RunFilter = {}): RunRow[] {
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
  params.limit = filter.limit ?? 50;
  return db
    .prepare(`SELECT ${RUN_COLUMNS} FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, run_id DESC LIMIT @limit`)
    .all(params) as RunRow[];
}

/** A run by id, by a unique prefix of its id (like git), or "last" for the most recent. */
export function getRun(db: Db, id: string): RunRow {
  if (id === 'last') {
    const last = listRuns(db, { limit: 1 })[0];
    if (!last) throw new NotFoundError('no runs yet', { fix: 'agentctl run <agent> -i "…"', code: 'not-found' });
    return last;
  }
  const rows = db
    .prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_id >= ? AND run_id < ? LIMIT 2`)
    .all(id.toUpperCase(), `${id.toUpperCase()}\uffff`) as RunRow[];
  if (rows.length === 0) throw new NotFoundError(`no run ${id}`, { fix: 'agentctl runs (lists recent runs and their ids)', code: 'not-found' });
  if (rows.length > 1 && rows[0]?.runId !== id.toUpperCase())
    throw new UsageError(`"${id}" matches more than one run`, { fix: 'give more characters of the run id' });
  return rows[0] as RunRow;
}

export interface StoredEvent {
  seq: number;
  type: string;
  at: number;
  spanId: string | null;
  payload: Record<string, unknown>;
}

export function runEvents(db: Db, blobs: BlobStore, runId: string): StoredEvent[] {
  const rows = db.prepare('SELECT seq, type, at, span_id AS spanId, payload FROM events WHERE run_id = ? ORDER BY seq').all(runId) as (Omit<
    StoredEvent,
    'payload'
  > & { payload: string })[];
  return rows.map((r) => ({ ...r, payload: decodePayload(r.payload, blobs) }));
}

export interface SpanNode {
  spanId: string;
  parentSpanId: string | null;
  kind: SpanKind;
  name: string;
  startedAt: number;
  endedAt: number | null;
  status: 'ok' | 'error' | 'unfinished';
  attributes: Record<string, unknown>;
  events: StoredEvent[];
  children: SpanNode[];
}

/** The span tree of a run, from its events (spans a killed run never ended show as unfinished). */
export function buildTrace(events: readonly StoredEvent[]): SpanNode[] {
  const spans = new Map<string, SpanNode>();
  const roots: SpanNode[] = [];
  for (const event of events) {
    const p = event.payload;
    if (event.type === 'span.started') {
      const node: SpanNode = {
        spanId: p.spanId as string,
        parentSpanId: (p.parentSpanId as string | null) ?? null,
        kind: p.kind as SpanKind,
        name: p.name as string,
        startedAt: event.at,
        endedAt: null,
        status: 'unfinished',
        attributes: {},
        events: [],
        children: [],
      };
      spans.set(node.spanId, node);
      const parent = node.parentSpanId ? spans.get(node.parentSpanId) : undefined;
      (parent ? parent.children : roots).push(node);
    } else if (event.type === 'span.ended') {
      const node = spans.get(p.spanId as string);
      if (node) {
        node.endedAt = event.at;
        node.status = p.status as 'ok' | 'error';
        node.attributes = (p.attributes as Record<string, unknown>) ?? {};
      }
    } else if (event.spanId) spans.get(event.spanId)?.events.push(event);
  }
  return roots;
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
}

/** Success rate, latency percentiles, tokens, cost and failure reasons, grouped, over finished runs since `since`. */
export function computeStats(db: Db, by: readonly StatsDimension[], since: number): StatsGroup[] {
  // "team" is the owner team of the agent: the platform's view of who is accountable for it.
  const columns = by.map((d) => (d === 'team' ? 'owner' : d));
  const select = `SELECT ${[...columns, 'status', 'error_class', 'latency_ms', 'tokens_in', 'tokens_out', 'cost_usd', 'fallback', 'usage_estimated'].join(', ')}
    FROM runs WHERE started_at >= ? AND status <> 'running'`;
  const n = by.length;
  const groups = new Map<string, StatsGroup & { latencies: number[] }>();
  // Raw rows: 50,000 runs (a million events) aggregate in well under the 300 ms budget.
  for (const row of db.prepare(select).raw().iterate(since) as Iterable<unknown[]>) {
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
  }
  return [...groups.values()]
    .map(({ latencies, ...g }) => {
      const sorted = Float64Array.from(latencies).sort();
      return { ...g, successRate: g.runs ? g.succeeded / g.runs : 0, p50LatencyMs: percentile(sorted, 0.5), p95LatencyMs: percentile(sorted, 0.95) };
    })
    .sort((a, b) => JSON.stringify(a.key).localeCompare(JSON.stringify(b.key)));
}

function percentile(sorted: Float64Array, q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

/** "7d", "24h", "30m" or an ISO date → epoch ms. */
export function parseSince(text: string, now = Date.now()): number {
  const match = /^(\d+)\s*([smhdw])$/.exec(text.trim());
  if (match) {
    const unit = { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 }[match[2] as 's'] as number;
    return now - Number(match[1]) * unit;
  }
  const date = Date.parse(text);
  if (Number.isNaN(date)) throw new UsageError(`cannot read the time "${text}"`, { fix: 'use a duration such as 30m, 24h, 7d, or a date such as 2026-11-01' });
  return date;
}

/** A session's agent, or undefined when no run has used that id yet. */
export function sessionOf(db: Db, sessionId: string): { agent: string; createdAt: number } | undefined {
  return db.prepare('SELECT agent, created_at AS createdAt FROM sessions WHERE session_id = ?').get(sessionId) as
    | { agent: string; createdAt: number }
    | undefined;
}

/** The finished turns of a session, oldest first (replays are re-executions, not turns). */
export function sessionTurns(db: Db, sessionId: string): { runId: string; input: string; output: string | null }[] {
  return db
    .prepare(
      `SELECT run_id AS runId, input, output FROM runs WHERE session_id = ? AND source <> 'replay' AND status NOT IN ('running', 'interrupted', 'cancelled')
       ORDER BY started_at, run_id`,
    )
    .all(sessionId) as { runId: string; input: string; output: string | null }[];
}
