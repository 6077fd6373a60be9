/**
 * Feedback on runs: the only code that reads or writes the `feedback` table. A rating is good or bad,
 * by a user and team, at a time, with an optional note (redacted like everything written). A run may be
 * rated many times; rates count each user's latest rating of a run.
 */
import { CheckFailedError } from '../errors.js';
import type { Db } from '../registry/db.js';
import type { Actor, Registry } from '../registry/registry.js';
import { createRedactor, type Redactor } from './redact.js';

export type Rating = 'good' | 'bad';

export interface FeedbackRecord {
  id: number;
  runId: string;
  agent: string;
  version: string;
  rating: Rating;
  note: string | null;
  actor: string;
  team: string;
  /** Epoch ms. */
  at: number;
}

/** Each user's latest ratings of a run, counted. */
export interface RunRatings {
  good: number;
  bad: number;
}

export class FeedbackStore {
  constructor(private readonly db: Db) {}

  add(entry: { runId: string; rating: Rating; note: string | null; actor: Actor; at: number }): number {
    const result = this.db
      .prepare('INSERT INTO feedback (run_id, rating, note, actor, team, at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(entry.runId, entry.rating, entry.note, entry.actor.user, entry.actor.team, entry.at);
    return Number(result.lastInsertRowid);
  }

  /** Every rating of a run, oldest first. */
  ofRun(runId: string): Omit<FeedbackRecord, 'agent' | 'version'>[] {
    return this.db.prepare('SELECT id, run_id AS runId, rating, note, actor, team, at FROM feedback WHERE run_id = ? ORDER BY id').all(runId) as Omit<
      FeedbackRecord,
      'agent' | 'version'
    >[];
  }

  /**
   * Per run rated since `since` (ms; every run started since is among them): how many users' latest rating is good, and how many bad. Keyed by
   * run id, for the stats of the runs store to fold into its groups.
   */
  latestByRun(since: number): Map<string, RunRatings> {
    const rows = this.db
      .prepare(
        // A rating is given after its run started, so ratings since `since` cover every run started since.
        `SELECT run_id, rating FROM feedback WHERE id IN (SELECT max(id) FROM feedback WHERE at >= ? GROUP BY run_id, actor)`,
      )
      .raw()
      .all(since) as [string, Rating][];
    const byRun = new Map<string, RunRatings>();
    for (const [runId, rating] of rows) {
      const counts = byRun.get(runId) ?? { good: 0, bad: 0 };
      counts[rating]++;
      byRun.set(runId, counts);
    }
    return byRun;
  }
}

/**
 * Records a rating of a run (an id, a unique prefix, or "last"), as `actor`. The run must have finished.
 * No terminal code: the CLI's `feedback` command and the playground's ^F both call this.
 */
export function recordFeedback(
  registry: Registry,
  input: { run: string; rating: Rating; note?: string | undefined; actor: Actor; redactor?: Redactor; at?: number },
): FeedbackRecord {
  const run = registry.runs.get(input.run);
  if (run.status === 'running')
    throw new CheckFailedError(`run ${run.runId} is still running`, { fix: `rate it when it has finished: agentctl feedback ${run.runId} --good|--bad` });
  const note = input.note?.trim() ? (input.redactor ?? createRedactor()).text(input.note.trim()) : null;
  const at = input.at ?? Date.now();
  const id = registry.transaction(() => new FeedbackStore(registry.db).add({ runId: run.runId, rating: input.rating, note, actor: input.actor, at }));
  return { id, runId: run.runId, agent: run.agent, version: run.version, rating: input.rating, note, actor: input.actor.user, team: input.actor.team, at };
}
