/** Eval evidence and approvals in the registry database (migration 3). */
import { hostname } from 'node:os';
import { CheckFailedError } from '../errors.js';
import type { Db } from '../registry/db.js';
import type { EvalSummary, SampleResult } from './results.js';

export interface EvalRow {
  evalId: string;
  agent: string;
  version: string;
  digest: string;
  source: string;
  datasetDigest: string;
  provider: string;
  repeat: number;
  status: 'running' | 'complete' | 'partial';
  startedAt: number;
  finishedAt: number | null;
  passRate: number | null;
  baselineRef: string | null;
  baselineDigest: string | null;
  regressions: number | null;
  summary: EvalSummary | null;
}

const EVAL_COLUMNS = `eval_id AS evalId, agent, version, digest, source, dataset_digest AS datasetDigest, provider, repeat, status, started_at AS startedAt,
  finished_at AS finishedAt, pass_rate AS passRate, baseline_ref AS baselineRef, baseline_digest AS baselineDigest, regressions, summary`;

export function createEval(
  db: Db,
  row: Pick<EvalRow, 'evalId' | 'agent' | 'version' | 'digest' | 'source' | 'datasetDigest' | 'provider' | 'repeat' | 'startedAt'> & {
    actor: string;
    team: string;
  },
): void {
  db.prepare(
    `INSERT INTO evals (eval_id, agent, version, digest, source, dataset_digest, provider, repeat, started_at, actor, team, pid, host)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    row.evalId,
    row.agent,
    row.version,
    row.digest,
    row.source,
    row.datasetDigest,
    row.provider,
    row.repeat,
    row.startedAt,
    row.actor,
    row.team,
    process.pid,
    hostname(),
  );
}

const insertResult = new WeakMap<Db, import('better-sqlite3').Statement<unknown[]>>();

export function addResult(db: Db, evalId: string, r: SampleResult): void {
  let statement = insertResult.get(db);
  if (!statement) {
    statement = db.prepare(
      `INSERT INTO eval_results (eval_id, sample_id, iteration, run_id, status, score, assertions, output, error, latency_ms, tokens, cost_usd) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    insertResult.set(db, statement);
  }
  statement.run(evalId, r.sampleId, r.iteration, r.runId, r.status, r.score, JSON.stringify(r.assertions), r.output, r.error, r.latencyMs, r.tokens, r.costUsd);
}

export function finishEval(
  db: Db,
  evalId: string,
  f: { status: 'complete' | 'partial'; summary: EvalSummary; baselineRef: string | null; baselineDigest: string | null; regressions: number | null },
): void {
  db.prepare(
    `UPDATE evals SET status = ?, finished_at = ?, samples = ?, executions = ?, passed = ?, failed = ?, errors = ?, pass_rate = ?, baseline_ref = ?, baseline_digest = ?, regressions = ?, summary = ?
     WHERE eval_id = ?`,
  ).run(
    f.status,
    Date.now(),
    f.summary.samples,
    f.summary.executions,
    f.summary.passed,
    f.summary.failed,
    f.summary.errors,
    f.summary.passRate,
    f.baselineRef,
    f.baselineDigest,
    f.regressions,
    JSON.stringify(f.summary),
    evalId,
  );
}

/** The newest complete eval of exactly this digest (optionally of this sample set). */
export function latestEval(db: Db, digest: string, datasetDigest?: string): EvalRow | undefined {
  const row = db
    .prepare(
      `SELECT ${EVAL_COLUMNS} FROM evals WHERE digest = ? AND status = 'complete' AND (? IS NULL OR dataset_digest = ?) ORDER BY finished_at DESC, eval_id DESC LIMIT 1`,
    )
    .get(digest, datasetDigest ?? null, datasetDigest ?? null) as (Omit<EvalRow, 'summary'> & { summary: string | null }) | undefined;
  return row ? { ...row, summary: row.summary ? (JSON.parse(row.summary) as EvalSummary) : null } : undefined;
}

export function evalResults(db: Db, evalId: string): SampleResult[] {
  const rows = db
    .prepare(
      `SELECT sample_id AS sampleId, iteration, run_id AS runId, status, score, assertions, output, error, latency_ms AS latencyMs, tokens, cost_usd AS costUsd
       FROM eval_results WHERE eval_id = ? ORDER BY sample_id, iteration`,
    )
    .all(evalId) as (Omit<SampleResult, 'assertions' | 'tags'> & { assertions: string })[];
  return rows.map((r) => ({ ...r, assertions: JSON.parse(r.assertions), tags: [] }));
}

export interface Approval {
  user: string;
  team: string;
  note: string | null;
  at: string;
  digest: string;
}

export function approvalsOf(db: Db, name: string, version: string, digest: string): Approval[] {
  return db
    .prepare('SELECT user, team, note, at, digest FROM approvals WHERE name = ? AND version = ? AND digest = ? ORDER BY id')
    .all(name, version, digest) as Approval[];
}

export function addApproval(db: Db, a: { name: string; version: string; digest: string; user: string; team: string; note: string | null }): Approval {
  const existing = db.prepare('SELECT at FROM approvals WHERE name = ? AND version = ? AND user = ?').pluck().get(a.name, a.version, a.user) as
    | string
    | undefined;
  if (existing) {
    throw new CheckFailedError(`${a.user} already approved ${a.name}@${a.version} (at ${existing})`, {
      where: `${a.name}@${a.version}`,
      fix: 'one approval per user and version; ask another reviewer',
      code: 'already-approved',
    });
  }
  const at = new Date().toISOString();
  db.prepare('INSERT INTO approvals (name, version, digest, user, team, note, at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    a.name,
    a.version,
    a.digest,
    a.user,
    a.team,
    a.note,
    at,
  );
  return { user: a.user, team: a.team, note: a.note, at, digest: a.digest };
}
