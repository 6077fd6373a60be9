/**
 * For tests of a migration that replaces guards: the schema as of a version, in memory, and how each
 * statement of a scenario ends on it (accepted with its change count, or refused with SQLite's message).
 */
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../src/core/registry/migrations.js';

export function schemaUpTo(version: number): Database.Database {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  for (const m of MIGRATIONS.filter((m) => m.version <= version)) db.exec(m.sql);
  return db;
}

export function outcomes(db: Database.Database, statements: readonly string[]): string[] {
  return statements.map((sql) => {
    try {
      return `ok ${db.prepare(sql).run().changes}`;
    } catch (error) {
      return `refused: ${(error as Error).message}`;
    }
  });
}
