/**
 * The evals store: the only code that reads or writes `evals`, `eval_results` and `approvals`
 * (migration 3), and `imported_evidence` (migration 7: evidence that came with a pulled version). Rows are decoded into their types on the way out; statements are prepared once.
 */
import { hostname } from 'node:os';
import { CheckFailedError } from '../errors.js';
import type { Write } from '../events/event-log.js';
import type { Db } from '../registry/db.js';
import type { Stage } from '../registry/lifecycle.js';
import type { PolicyRef } from '../registry/policies-in-force.js';
import type { EvalSummary, SampleResult } from './results.js';

/** An eval as stored: the one declaration of its shape. */
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
  /** The process running it died (kill -9): finished as partial by the next command. */
  interrupted: boolean;
  startedAt: number;
  finishedAt: number | null;
  passRate: number | null;
  baselineRef: string | null;
  baselineDigest: string | null;
  regressions: number | null;
  summary: EvalSummary | null;
  /** The Policy versions the eval's runs were decided under (empty for evals recorded before they were). */
  policies: PolicyRef[];
  /** What produced the verdict besides the version: agentctl, the provider, the models asked. */
  environment: EvalEnvironment | null;
}

export interface Approval {
  user: string;
  team: string;
  note: string | null;
  at: string;
  digest: string;
  /** The key that signed it (null: an unsigned approval, single-developer mode). */
  signer: string | null;
  /** The DSSE envelope of the signed approval statement. */
  envelope: string | null;
}

export type NewEval = Pick<EvalRow, 'evalId' | 'agent' | 'version' | 'digest' | 'source' | 'datasetDigest' | 'provider' | 'repeat' | 'startedAt'> & {
  actor: string;
  team: string;
};

export interface EvalFinish {
  status: 'complete' | 'partial';
  summary: EvalSummary;
  baselineRef: string | null;
  baselineDigest: string | null;
  regressions: number | null;
  /** Kept with the summary: evidence names the policies it was gathered under. */
  policies?: PolicyRef[];
  environment?: EvalEnvironment;
}

export interface EvalEnvironment {
  agentctl: string;
  provider: string;
  models: string[];
}

/** What a signed release attestation says about a version (the predicate push signs: remote/artifact.ts). */
export interface ReleasePredicate {
  name: string;
  version: string;
  digest: string;
  owner: string;
  stage: Stage | null;
  eval: {
    evalId: string;
    passRate: number | null;
    regressions: number | null;
    baseline: string | null;
    summary: EvalSummary | null;
    results: { sample: string; iteration: number; status: string; score: number }[];
  } | null;
  /** With a trust file at the publisher, each approval carries its signer's DSSE envelope. */
  approvals: { user: string; team: string; note: string | null; at: string; signer?: string | null; envelope?: unknown }[];
  gates: { gate: string; policy: string; holds: boolean; detail: string }[];
}

/** One verified attestation imported with a pulled version: where it came from and who signed it. */
export interface ImportedEvidence {
  name: string;
  version: string;
  digest: string;
  /** The remote's name as the puller knows it (`team`). */
  remote: string;
  manifestDigest: string;
  /** The referrer manifest that carried the envelope. */
  attestationDigest: string;
  signerKeyId: string;
  signerName: string;
  /** The stage the signer published it for on the remote (signed). */
  remoteStage: Stage | null;
  predicate: ReleasePredicate;
  /** The DSSE envelope as pulled, so the signature can be checked again later. */
  envelope: string;
  importedAt: string;
  importedBy: string;
}

const IMPORTED_COLUMNS = `name, version, digest, remote, manifest_digest AS manifestDigest, attestation_digest AS attestationDigest,
  signer_key_id AS signerKeyId, signer_name AS signerName, remote_stage AS remoteStage, predicate, envelope, imported_at AS importedAt, imported_by AS importedBy`;

/** Results read per page by eachResult. */
const RESULT_PAGE = 1000;

const EVAL_COLUMNS = `eval_id AS evalId, agent, version, digest, source, dataset_digest AS datasetDigest, provider, repeat, status, interrupted,
  started_at AS startedAt, finished_at AS finishedAt, pass_rate AS passRate, baseline_ref AS baselineRef, baseline_digest AS baselineDigest, regressions, summary`;

type RawEval = Omit<EvalRow, 'summary' | 'interrupted' | 'policies' | 'environment'> & { summary: string | null; interrupted: number };

function decodeEval(row: RawEval): EvalRow {
  const stored = row.summary ? (JSON.parse(row.summary) as EvalSummary & { policies?: PolicyRef[]; environment?: EvalEnvironment }) : null;
  if (!stored) return { ...row, interrupted: row.interrupted === 1, summary: null, policies: [], environment: null };
  const { policies = [], environment = null, ...summary } = stored;
  return { ...row, interrupted: row.interrupted === 1, summary, policies, environment };
}

export class EvalStore {
  constructor(private readonly db: Db) {}

  create(row: NewEval): void {
    this.db
      .prepare(
        `INSERT INTO evals (eval_id, agent, version, digest, source, dataset_digest, provider, repeat, started_at, actor, team, pid, host)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
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

  finish(evalId: string, f: EvalFinish): void {
    this.db
      .prepare(
        `UPDATE evals SET status = ?, finished_at = ?, samples = ?, executions = ?, passed = ?, failed = ?, errors = ?, pass_rate = ?, baseline_ref = ?, baseline_digest = ?, regressions = ?, summary = ?
         WHERE eval_id = ?`,
      )
      .run(
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
        JSON.stringify({ ...f.summary, ...(f.policies ? { policies: f.policies } : {}), ...(f.environment ? { environment: f.environment } : {}) }),
        evalId,
      );
  }

  /** Evals left `running` by a process on this host that is gone: finished as partial, marked interrupted. */
  recoverInterrupted(isAlive: (pid: number) => boolean): string[] {
    const host = hostname();
    const running = this.db.prepare(`SELECT eval_id AS evalId, pid, host FROM evals WHERE status = 'running' AND pid IS NOT NULL`).all() as {
      evalId: string;
      pid: number;
      host: string;
    }[];
    const dead = running.filter((r) => r.host === host && r.pid !== process.pid && !isAlive(r.pid));
    const mark = this.db.prepare(`UPDATE evals SET status = 'partial', interrupted = 1, finished_at = ? WHERE eval_id = ? AND status = 'running'`);
    for (const r of dead) mark.run(Date.now(), r.evalId);
    return dead.map((r) => r.evalId);
  }

  /** The runs of eval samples of evals still running or finished since `since` (ms): daily run quotas leave them out. */
  sampleRunIdsSince(since: number): string[] {
    return this.db
      .prepare(`SELECT r.run_id FROM eval_results r JOIN evals e ON e.eval_id = r.eval_id WHERE e.finished_at IS NULL OR e.finished_at >= ?`)
      .pluck()
      .all(since) as string[];
  }

  /** The newest complete eval of exactly this digest (optionally of this sample set). */
  latest(digest: string, datasetDigest?: string): EvalRow | undefined {
    const row = this.db
      .prepare(
        `SELECT ${EVAL_COLUMNS} FROM evals WHERE digest = ? AND status = 'complete' AND (? IS NULL OR dataset_digest = ?) ORDER BY finished_at DESC, eval_id DESC LIMIT 1`,
      )
      .get(digest, datasetDigest ?? null, datasetDigest ?? null) as RawEval | undefined;
    return row ? decodeEval(row) : undefined;
  }

  /** The newest complete eval of `name@version` under another digest: evidence that no longer counts. */
  latestStale(name: string, version: string, digest: string): EvalRow | undefined {
    const row = this.db
      .prepare(`SELECT ${EVAL_COLUMNS} FROM evals WHERE agent = ? AND version = ? AND digest <> ? AND status = 'complete' ORDER BY finished_at DESC LIMIT 1`)
      .get(name, version, digest) as RawEval | undefined;
    return row ? decodeEval(row) : undefined;
  }

  get(evalId: string): EvalRow | undefined {
    const row = this.db.prepare(`SELECT ${EVAL_COLUMNS} FROM evals WHERE eval_id = ?`).get(evalId) as RawEval | undefined;
    return row ? decodeEval(row) : undefined;
  }

  results(evalId: string): SampleResult[] {
    return [...this.eachResult(evalId)];
  }

  /**
   * An eval's results in (sample, iteration) order, read a page at a time: memory stays flat however
   * many there are, and no statement is left open between pages (the caller may await, or write, in between).
   */
  *eachResult(evalId: string, options: { notPassing?: boolean } = {}): Generator<SampleResult> {
    const page = this.db.prepare(
      `SELECT sample_id AS sampleId, iteration, run_id AS runId, status, score, assertions, output, error, latency_ms AS latencyMs, tokens, cost_usd AS costUsd
       FROM eval_results WHERE eval_id = ? AND (sample_id, iteration) > (?, ?) AND (? = 0 OR status <> 'pass')
       ORDER BY sample_id, iteration LIMIT ${RESULT_PAGE}`,
    );
    let after: [string, number] = ['', 0];
    for (;;) {
      const rows = page.all(evalId, after[0], after[1], options.notPassing ? 1 : 0) as (Omit<SampleResult, 'assertions' | 'tags'> & { assertions: string })[];
      for (const r of rows) yield { ...r, assertions: JSON.parse(r.assertions), tags: [] };
      const last = rows.at(-1);
      if (!last || rows.length < RESULT_PAGE) return;
      after = [last.sampleId, last.iteration];
    }
  }

  approvals(name: string, version: string, digest: string): Approval[] {
    return this.db
      .prepare('SELECT user, team, note, at, digest, signer, envelope FROM approvals WHERE name = ? AND version = ? AND digest = ? ORDER BY id')
      .all(name, version, digest) as Approval[];
  }

  addApproval(a: {
    name: string;
    version: string;
    digest: string;
    user: string;
    team: string;
    note: string | null;
    at?: string;
    signer?: string | null;
    envelope?: string | null;
  }): Approval {
    const existing = this.db.prepare('SELECT at FROM approvals WHERE name = ? AND version = ? AND user = ?').pluck().get(a.name, a.version, a.user) as
      | string
      | undefined;
    if (existing) {
      throw new CheckFailedError(`${a.user} already approved ${a.name}@${a.version} (at ${existing})`, {
        where: `${a.name}@${a.version}`,
        fix: 'one approval per user and version; ask another reviewer',
        code: 'already-approved',
      });
    }
    const at = a.at ?? new Date().toISOString();
    this.db
      .prepare('INSERT INTO approvals (name, version, digest, user, team, note, at, signer, envelope) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(a.name, a.version, a.digest, a.user, a.team, a.note, at, a.signer ?? null, a.envelope ?? null);
    return { user: a.user, team: a.team, note: a.note, at, digest: a.digest, signer: a.signer ?? null, envelope: a.envelope ?? null };
  }

  /**
   * Records a verified attestation pulled with a version (insert-only; the schema binds it to the registered
   * digest its predicate names). The same attestation again is a no-op: false.
   */
  importEvidence(e: Omit<ImportedEvidence, 'importedAt'>): boolean {
    const result = this.db
      .prepare(
        `INSERT INTO imported_evidence (name, version, digest, remote, manifest_digest, attestation_digest, signer_key_id, signer_name, remote_stage, predicate, envelope, imported_at, imported_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        e.name,
        e.version,
        e.digest,
        e.remote,
        e.manifestDigest,
        e.attestationDigest,
        e.signerKeyId,
        e.signerName,
        e.remoteStage,
        JSON.stringify(e.predicate),
        e.envelope,
        new Date().toISOString(),
        e.importedBy,
      );
    return result.changes > 0;
  }

  /** The evidence pulled with exactly this name@version and digest, oldest first. */
  importedEvidence(name: string, version: string, digest: string): ImportedEvidence[] {
    const rows = this.db
      .prepare(`SELECT ${IMPORTED_COLUMNS} FROM imported_evidence WHERE name = ? AND version = ? AND digest = ? ORDER BY id`)
      .all(name, version, digest) as (Omit<ImportedEvidence, 'predicate'> & { predicate: string })[];
    return rows.map((r) => ({ ...r, predicate: JSON.parse(r.predicate) as ReleasePredicate }));
  }
}

/** A result's row, as a statement the event log can run in the transaction of the sample's events. */
export function resultWrite(evalId: string, r: SampleResult): Write {
  return {
    sql: `INSERT INTO eval_results (eval_id, sample_id, iteration, run_id, status, score, assertions, output, error, latency_ms, tokens, cost_usd) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    params: [evalId, r.sampleId, r.iteration, r.runId, r.status, r.score, JSON.stringify(r.assertions), r.output, r.error, r.latencyMs, r.tokens, r.costUsd],
  };
}
