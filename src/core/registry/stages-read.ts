/**
 * The stages store's reads that `list` needs (who holds which stage, what was rolled back), part of the
 * stages store (stages.ts delegates here; no other module queries these tables). Apart because stages.ts
 * imports the signing of statements (node:crypto and the in-toto code), which reading a list never needs.
 */
import type { Db } from './db.js';
import { STAGES, type Stage } from './lifecycle.js';

/** The stages each version holds now, keyed `name@version`, in stage order (`name` given: that name only). */
export function heldStages(db: Db, name?: string): Map<string, Stage[]> {
  const rows =
    name === undefined
      ? db.prepare('SELECT name, version, stage FROM stage_holders').raw().all()
      : db.prepare('SELECT name, version, stage FROM stage_holders WHERE name = ?').raw().all(name);
  const byVersion = new Map<string, Stage[]>();
  for (const [n, version, stage] of rows as [string, string, Stage][]) {
    const key = `${n}@${version}`;
    byVersion.set(
      key,
      [...(byVersion.get(key) ?? []), stage].sort((a, b) => STAGES.indexOf(a) - STAGES.indexOf(b)),
    );
  }
  return byVersion;
}

/** Versions a rollback moved a stage away from, and that have not held that stage again since (`name@version`). */
export function rolledBackVersions(db: Db, name?: string): Set<string> {
  const rows = db
    .prepare(
      `SELECT DISTINCT m.name, m.from_version FROM stage_moves m WHERE m.action = 'rollback' AND (? IS NULL OR m.name = ?)
         AND NOT EXISTS (SELECT 1 FROM stage_moves later WHERE later.name = m.name AND later.stage = m.stage AND later.to_version = m.from_version AND later.id > m.id)`,
    )
    .raw()
    .all(name ?? null, name ?? null) as [string, string][];
  return new Set(rows.map(([n, v]) => `${n}@${v}`));
}
