/**
 * Migration 10 replaces the event and eval-result triggers with cheaper ones: every statement must end
 * the same way on a schema-9 database (the old triggers) and on a schema-10 one (the new), accepted,
 * ignored or refused with the same message, and leave the same rows.
 */
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { outcomes, schemaUpTo } from '../../../test/support/migration-equivalence.js';
import { MIGRATIONS } from './migrations.js';

const run = (id: string, agent = 'a', digest = 'd') =>
  `INSERT INTO runs (run_id, session_id, agent, version, digest, owner, team, actor, source, mode, provider, model, snapshot, input, started_at, pid, host)
   VALUES ('${id.padEnd(26, 'X')}', 'S', '${agent}', '1', '${digest}', 'o', 't', 'u', 'workspace', 'dry', 'p', 'm', 's', 'in', 0, 1, 'h')`;
const finish = (id: string) => `UPDATE runs SET status = 'succeeded', ended_at = 1 WHERE run_id = '${id.padEnd(26, 'X')}'`;
const event = (id: string, seq: unknown, payload = '{}', verb = 'INSERT') =>
  `${verb} INTO events (run_id, seq, type, at, payload) VALUES ('${id.padEnd(26, 'X')}', ${seq}, 't', 0, '${payload}')`;
const result = (sample: string, runId: string | null, evalId = 'E1', verb = 'INSERT') =>
  `${verb} INTO eval_results (eval_id, sample_id, iteration, run_id, status, score, assertions, latency_ms, tokens, cost_usd)
   VALUES ('${evalId}', '${sample}', 1, ${runId === null ? 'NULL' : `'${runId.padEnd(26, 'X')}'`}, 'pass', 1, '[]', 1, 1, 0)`;

const STATEMENTS = [
  `INSERT INTO sessions VALUES ('S', 'a', 0, 'u')`,
  run('R1'),
  ...[1, 2, 3].map((seq) => event('R1', seq)),
  event('R1', 2, '{"forged":true}'),
  event('R1', 2, '{"forged":true}', 'INSERT OR REPLACE'),
  event('R1', 1, '{"forged":true}', 'INSERT OR IGNORE'),
  event('R1', 0),
  event('R1', -1),
  event('R1', 5),
  event('R1', 3.5),
  event('R1', 'NULL'),
  event('R1', "'4'"),
  event('R1', 4),
  event('R1', 4.0),
  event('R1', 5.0),
  event('RNONE', 1),
  event('RNONE', 2),
  run('R2'),
  event('R2', 1),
  finish('R2'),
  event('R2', 2),
  event('R2', 1, '{"again":1}'),
  event('R2', 3),
  run('R3'),
  run('R4', 'other'),
  finish('R4'),
  run('R5'),
  finish('R5'),
  run('R6', 'a', 'other-digest'),
  finish('R6'),
  run('R7'),
  finish('R7'),
  `INSERT INTO evals (eval_id, agent, version, digest, source, dataset_digest, provider, repeat, started_at, actor, team) VALUES ('E1', 'a', '1', 'd', 'workspace', 'x', 'p', 1, 0, 'u', 't')`,
  result('s1', 'R2'),
  result('s1', 'R5'),
  result('s1', 'R5', 'E1', 'INSERT OR REPLACE'),
  result('s2', 'R2'),
  result('s3', 'R3'),
  result('s4', 'R4'),
  result('s5', null),
  result('s6', 'RNONE'),
  result('s7', 'R6'),
  result('s8', 'R5', 'E9'),
  result('s8', 'R3', 'E9'),
  result('s8', 'R5'),
  `UPDATE evals SET status = 'partial', finished_at = 1 WHERE eval_id = 'E1'`,
  result('s9', 'R5'),
  result('s9', 'R7'),
  result('s9', 'R3'),
  result('s1', 'R3'),
];

const rows = (db: Database.Database) => ({
  events: db.prepare('SELECT * FROM events ORDER BY run_id, seq').all(),
  results: db.prepare('SELECT * FROM eval_results ORDER BY sample_id').all(),
});

describe('migration 10: cheaper append triggers', () => {
  it('accepts, ignores and refuses exactly what the schema-9 triggers did, with their messages', () => {
    const before = schemaUpTo(9);
    const after = schemaUpTo(10);
    const old = outcomes(before, STATEMENTS);
    const now = outcomes(after, STATEMENTS);
    expect(now.map((o, i) => `${STATEMENTS[i]?.replace(/\s+/g, ' ').slice(0, 90)} → ${o}`)).toEqual(
      old.map((o, i) => `${STATEMENTS[i]?.replace(/\s+/g, ' ').slice(0, 90)} → ${o}`),
    );
    expect(rows(after)).toEqual(rows(before));
    // The scenario reaches every guarantee, so the comparison says something.
    for (const message of [
      'seq must follow',
      'the run is finished',
      'eval_results is append-only',
      'only while the eval runs',
      'finished run it measured',
      'one eval result only',
    ])
      expect(now.some((o) => o.includes(message))).toBe(true);
    expect(
      after.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('events', 'eval_results') ORDER BY name`).pluck().all(),
    ).toEqual([
      'eval_results_insert_checks',
      'eval_results_no_delete',
      'eval_results_no_update',
      'events_append_in_order',
      'events_no_delete',
      'events_no_update',
    ]);
  });

  it('upgrades a schema-9 database in place', () => {
    const db = schemaUpTo(9);
    db.exec((MIGRATIONS.find((m) => m.version === 10) as { sql: string }).sql);
    expect(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'events_append_only'`).pluck().get()).toBe(0);
  });
});
