/**
 * Migration 12 keys spans by (run, span) in run order: every statement must end the same way on a
 * schema-11 database and on a schema-12 one (accepted, ignored or refused with the same message), except
 * that a span id is now unique within its run, not across all runs; an upgrade keeps every span.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { outcomes, schemaUpTo } from '../../../test/support/migration-equivalence.js';
import { openDatabase } from './db.js';
import { MIGRATIONS } from './migrations.js';

const pad = (id: string) => id.padEnd(26, 'X');
const run = (id: string) =>
  `INSERT INTO runs (run_id, session_id, agent, version, digest, owner, team, actor, source, mode, provider, model, snapshot, input, started_at, pid, host)
   VALUES ('${pad(id)}', 'S', 'a', '1', 'd', 'o', 't', 'u', 'workspace', 'dry', 'p', 'm', 's', 'in', 0, 1, 'h')`;
const finish = (id: string) => `UPDATE runs SET status = 'succeeded', ended_at = 1 WHERE run_id = '${pad(id)}'`;
const span = (spanId: string, runId: string, name = 'n', verb = 'INSERT') =>
  `${verb} INTO spans VALUES ('${spanId}', '${pad(runId)}', NULL, 'tool', '${name}', 'ok', 1, 2, '{}')`;

const STATEMENTS = [
  `INSERT INTO sessions VALUES ('S', 'a', 0, 'u')`,
  run('R1'),
  span('a1', 'R1'),
  span('a2', 'R1'),
  span('a1', 'R1', 'forged'),
  span('a1', 'R1', 'forged', 'INSERT OR REPLACE'),
  span('a9', 'RNONE'),
  `UPDATE spans SET status = 'error'`,
  `DELETE FROM spans`,
  finish('R1'),
  span('late', 'R1'),
  span('a2', 'R1', 'again after the end'),
  run('R2'),
  span('b1', 'R2'),
];

const spans = (db: Database.Database) => db.prepare('SELECT * FROM spans ORDER BY run_id, span_id').all();

describe('migration 12: spans in run order', () => {
  it('accepts, ignores and refuses exactly what the schema-11 triggers did, with their messages', () => {
    const before = schemaUpTo(11);
    const after = schemaUpTo(12);
    const label = (o: string, i: number) => `${STATEMENTS[i]?.replace(/\s+/g, ' ').slice(0, 80)} → ${o}`;
    const now = outcomes(after, STATEMENTS);
    expect(now.map(label)).toEqual(outcomes(before, STATEMENTS).map(label));
    expect(spans(after)).toEqual(spans(before));
    for (const message of ['the run is finished: no more spans', 'spans is append-only', 'ok 0']) expect(now.some((o) => o.includes(message))).toBe(true);
  });

  it('keys spans by run: the table is clustered on (run_id, span_id), and a span id may repeat in another run', () => {
    const db = schemaUpTo(12);
    const table = db.prepare(`SELECT wr FROM pragma_table_list WHERE name = 'spans'`).get() as { wr: number };
    expect(table.wr).toBe(1); // WITHOUT ROWID: rows stored in key order, run first
    expect(db.prepare(`SELECT name FROM pragma_table_info('spans') WHERE pk > 0 ORDER BY pk`).pluck().all()).toEqual(['run_id', 'span_id']);
    db.exec(`INSERT INTO sessions VALUES ('S', 'a', 0, 'u'); ${run('R1')}; ${run('R2')}; ${span('same', 'R1')}; ${span('same', 'R2')}`);
    expect(db.prepare('SELECT count(*) FROM spans').pluck().get()).toBe(2);
  });

  it('upgrades a schema-11 database in place, keeping every span and the guards', () => {
    const db = schemaUpTo(11);
    db.exec(`INSERT INTO sessions VALUES ('S', 'a', 0, 'u'); ${run('R1')}; ${span('a1', 'R1')}; ${span('a2', 'R1')}; ${finish('R1')}`);
    const before = spans(db);
    db.exec((MIGRATIONS.find((m) => m.version === 12) as { sql: string }).sql);
    expect(spans(db)).toEqual(before);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE tbl_name IN ('spans', 'spans_before_12') ORDER BY name`).pluck().all()).toEqual([
      'spans',
      'spans_insert_checks',
      'spans_no_delete',
      'spans_no_update',
    ]);
    expect(() => db.exec(span('late', 'R1'))).toThrow(/the run is finished: no more spans/);
  });

  it('opening a schema-11 registry file upgrades it (the rebuilt spans table is no sign of tampering)', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'agentctl-spans-')), 'registry.db');
    const old = new Database(path);
    old.pragma('journal_mode = WAL');
    for (const m of MIGRATIONS.filter((m) => m.version <= 11)) old.exec(m.sql);
    old.pragma('user_version = 11');
    old.exec(`INSERT INTO sessions VALUES ('S', 'a', 0, 'u'); ${run('R1')}; ${span('a1', 'R1')}`);
    old.close();
    const db = openDatabase(path);
    expect(db.pragma('user_version', { simple: true })).toBe(12);
    expect(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'spans_insert_checks'`).pluck().get()).toBe(1);
    expect(db.prepare('SELECT span_id FROM spans').pluck().all()).toEqual(['a1']);
    db.close();
  });
});
