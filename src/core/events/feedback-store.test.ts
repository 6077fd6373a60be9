/** Feedback on real runs in a real SQLite file: recording, refusals, and the rates `stats` shows. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededId, seedRuns } from '../../../test/support/seed-runs.js';
import { tempDir } from '../../../test/support/workspace.js';
import { Registry } from '../registry/registry.js';
import { FeedbackStore, recordFeedback } from './feedback-store.js';

function seeded(count: number): Registry {
  const root = tempDir();
  seedRuns(root, count);
  return Registry.open({ registryPath: join(root, '.agentctl/registry.db'), blobsDir: join(root, '.agentctl/blobs') });
}

const alice = { user: 'alice', team: 'team-qa' };
const bob = { user: 'bob', team: 'team-qa' };

describe('recordFeedback', () => {
  it('records who, when, the rating and the redacted note, resolving "last" like trace does', () => {
    const registry = seeded(3);
    try {
      const runId = seededId('01J', 2); // the most recent of the three
      const record = recordFeedback(registry, {
        run: 'last',
        rating: 'bad',
        note: ' key sk-proj-abcdefghijklmnopqrstuvwxyz0123 leaked ',
        actor: alice,
        at: 42,
      });
      expect(record).toMatchObject({ runId, agent: 'triage', version: '0.1.0', rating: 'bad', actor: 'alice', team: 'team-qa', at: 42 });
      expect(record.note).not.toContain('sk-proj-');
      expect(record.note).toContain('leaked');
      expect(new FeedbackStore(registry.db).ofRun(runId)).toEqual([
        { id: record.id, runId, rating: 'bad', note: record.note, actor: 'alice', team: 'team-qa', at: 42 },
      ]);
    } finally {
      registry.close();
    }
  });

  it('refuses a run that does not exist, and the table refuses a rating of a run still running', () => {
    const registry = seeded(1);
    try {
      expect(() => recordFeedback(registry, { run: 'ZZZZ', rating: 'good', actor: alice })).toThrow(/no run ZZZZ/);
      expect(() => new FeedbackStore(registry.db).add({ runId: 'X'.repeat(26), rating: 'good', note: null, actor: alice, at: 1 })).toThrow(
        /feedback names a finished run/,
      );
    } finally {
      registry.close();
    }
  });
});

describe('feedback rates in stats', () => {
  it("count each user's latest rating per run, grouped like the rest of stats", () => {
    const registry = seeded(6); // triage: runs 1, 2, 4, 5; planner: 0, 3 (run 3 failed)
    try {
      const run = (n: number) => seededId('01J', n);
      recordFeedback(registry, { run: run(1), rating: 'bad', actor: alice });
      recordFeedback(registry, { run: run(1), rating: 'good', actor: alice }); // alice changed her mind: only this counts
      recordFeedback(registry, { run: run(1), rating: 'bad', actor: bob });
      recordFeedback(registry, { run: run(2), rating: 'good', actor: alice });
      recordFeedback(registry, { run: run(0), rating: 'bad', actor: bob });
      const ratings = new FeedbackStore(registry.db).latestByRun(0);
      expect(ratings.get(run(1))).toEqual({ good: 1, bad: 1 });
      const groups = registry.runs.stats(['agent', 'version'], 0, ratings);
      const of = (agent: string) => groups.find((g) => g.key.agent === agent)?.feedback;
      expect(of('triage')).toEqual({ rated: 2, good: 2, bad: 1, goodRate: 2 / 3 });
      expect(of('planner')).toEqual({ rated: 1, good: 0, bad: 1, goodRate: 0 });
      // Without ratings, nothing is rated and there is no rate (not a 0% that would read as "all bad").
      expect(registry.runs.stats(['agent'], 0).every((g) => g.feedback.rated === 0 && g.feedback.goodRate === null)).toBe(true);
    } finally {
      registry.close();
    }
  });
});
