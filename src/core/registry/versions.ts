/**
 * Listing registered versions: the one place that reads the `versions` table for a list and counts who uses
 * each version. `Registry.list` and `Registry.usageCounts` delegate here; `readVersionList` is the same read
 * without the Registry class, whose static imports (the eval and run stores, the event log, semver) were
 * most of `list --json`'s start-up. Keep this module's imports to db.ts and stages-read.ts (not stages.ts: it
 * loads the signing of statements and node:crypto).
 */
import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { type Db, openDatabase, translateSqliteError } from './db.js';
import type { Stage, Status } from './lifecycle.js';
import type { ListFilter, VersionRow } from './registry.js';
import type { StageStore } from './stages.js';
import { heldStages, rolledBackVersions } from './stages-read.js';

type Prepare = (sql: string) => Database.Statement<unknown[]>;
/** The two stage reads a list needs (a StageStore, or the same reads without it). */
type StageReads = Pick<StageStore, 'allHeld' | 'rolledBack'>;
type Row = [VersionRow['kind'], string, string, string, Stage, Status, string, string, string];

/** A listed version with the number of registered versions that use it (what `list` prints). */
export interface ListedVersion extends VersionRow {
  usedBy: number;
}

const USAGE_SQL = 'SELECT dep_name, dep_version, count(*) FROM version_dependencies GROUP BY dep_name, dep_version';

/** How many registered versions use each `name@version` (one query). */
export function usageCounts(prepare: Prepare): Map<string, number> {
  const rows = prepare(USAGE_SQL).raw().all() as [string, string, number][];
  return new Map(rows.map(([n, v, c]) => [`${n}@${v}`, c]));
}

export function listVersions(prepare: Prepare, stages: StageReads, filter: ListFilter): VersionRow[];
export function listVersions(prepare: Prepare, stages: StageReads, filter: ListFilter, usage: Map<string, number>): ListedVersion[];
/** The versions matching `filter`, in version order; with `usage`, each carries its `usedBy` count. */
export function listVersions(prepare: Prepare, stages: StageReads, filter: ListFilter, usage?: Map<string, number>): VersionRow[] {
  const where: string[] = [];
  const params: Record<string, string> = {};
  for (const key of ['kind', 'name', 'stage', 'status'] as const) {
    const value = filter[key];
    if (value !== undefined) {
      where.push(`${key} = @${key}`);
      params[key] = value;
    }
  }
  const sql = `SELECT kind, name, version, owner, stage, status, digest, created_at, created_by FROM versions ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY name, major, minor, patch, prerelease = '', prerelease`;
  // Raw rows mapped by hand: about twice as fast as letting the driver build objects (list of 10,000).
  const rows = prepare(sql).raw().all(params) as Row[];
  const held = stages.allHeld();
  const rolled = stages.rolledBack();
  const out: (VersionRow | ListedVersion)[] = [];
  // With no stage held, none rolled back and nothing used (a registry that only registers), no row needs
  // its `name@version` key: 10,000 strings built and hashed three times for nothing.
  const keyed = held.size > 0 || rolled.size > 0 || (usage !== undefined && usage.size > 0);
  // Indexed, not destructured: until the loop is optimized, destructuring a row goes through the iterator
  // protocol, an iterator and a result per column (megabytes of garbage over 10,000 rows, and collections).
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as Row;
    const kind = row[0];
    const name = row[1];
    const version = row[2];
    const owner = row[3];
    const stage = row[4];
    const status = row[5];
    const digest = row[6];
    const createdAt = row[7];
    const createdBy = row[8];
    const key = keyed ? `${name}@${version}` : '';
    const holds = (keyed && held.get(key)) || [];
    if (filter.holds && !holds.includes(filter.holds)) continue;
    const rolledBack = keyed && rolled.has(key);
    // The count goes in the literal (one object shape), not added afterwards: 10,000 rows.
    out.push(
      usage
        ? { kind, name, version, owner, stage, status, digest, createdAt, createdBy, holds, rolledBack, usedBy: (keyed && usage.get(key)) || 0 }
        : { kind, name, version, owner, stage, status, digest, createdAt, createdBy, holds, rolledBack },
    );
  }
  return out;
}

/**
 * `list`'s read of the registry at `registryPath`: opened read-only exactly as `Registry.open` does (the
 * schema stamp checked, an older file upgraded once), nothing when there is no file yet, SQLite errors
 * translated into what to do.
 */
export function readVersionList(registryPath: string, filter: ListFilter): ListedVersion[] {
  if (!existsSync(registryPath)) return [];
  const db: Db = openDatabase(registryPath, { readonly: true });
  try {
    const prepare: Prepare = (sql) => db.prepare(sql);
    const stages: StageReads = { allHeld: () => heldStages(db), rolledBack: (name) => rolledBackVersions(db, name) };
    return listVersions(prepare, stages, filter, usageCounts(prepare));
  } catch (error) {
    throw translateSqliteError(error, registryPath);
  } finally {
    db.close();
  }
}
