/**
 * What the migrations create, read from their own SQL, so the list `doctor` and `migrate` check against
 * never drifts from the schema: every table, index and trigger (and column added later), by migration.
 */
import { MIGRATIONS, type Migration } from './migrations.js';

export interface SchemaObject {
  type: 'table' | 'index' | 'trigger';
  name: string;
  /** The migration that creates it. */
  migration: number;
}

export interface SchemaColumn {
  table: string;
  column: string;
  migration: number;
}

/** SQL without its comments (a `CREATE TRIGGER` mentioned in a comment creates nothing). */
function code(sql: string): string {
  return sql.replace(/--[^\n]*/g, '');
}

/**
 * Every table, index and trigger the migrations leave behind (a later DROP removes an earlier CREATE).
 * An object a migration rebuilds (dropped and created again, or a table renamed away and created again
 * under its name) keeps the migration that first created it: older registries have it too, so it is no
 * evidence that the rebuilding migration ran (that evidence is what the migration creates anew).
 */
export function expectedSchemaObjects(migrations: readonly Migration[] = MIGRATIONS): SchemaObject[] {
  const objects = new Map<string, SchemaObject>();
  for (const migration of migrations) {
    const rebuilt = new Map<string, SchemaObject>();
    for (const match of code(migration.sql).matchAll(/\b(CREATE|DROP)\s+(?:UNIQUE\s+)?(TABLE|INDEX|TRIGGER)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?(\w+)/gi)) {
      const [, verb = '', type = '', name = ''] = match;
      const key = `${type.toLowerCase()} ${name}`;
      const earlier = objects.get(key) ?? rebuilt.get(key);
      if (verb.toUpperCase() === 'DROP') {
        if (earlier) rebuilt.set(key, earlier);
        objects.delete(key);
      } else objects.set(key, earlier ?? { type: type.toLowerCase() as SchemaObject['type'], name, migration: migration.version });
    }
  }
  return [...objects.values()];
}

/** Columns added to existing tables by later migrations (`ALTER TABLE t ADD COLUMN c`). */
export function expectedAddedColumns(migrations: readonly Migration[] = MIGRATIONS): SchemaColumn[] {
  return migrations.flatMap((migration) =>
    [...code(migration.sql).matchAll(/\bALTER\s+TABLE\s+(\w+)\s+ADD\s+(?:COLUMN\s+)?(\w+)/gi)].map(([, table = '', column = '']) => ({
      table,
      column,
      migration: migration.version,
    })),
  );
}

/**
 * The highest migration whose work is present, given what exists: the schema version the tables show,
 * whatever `user_version` says.
 */
export function evidentVersion(exists: { object: (type: string, name: string) => boolean; column: (table: string, column: string) => boolean }): number {
  let evident = 0;
  for (const o of expectedSchemaObjects()) if (o.migration > evident && exists.object(o.type, o.name)) evident = o.migration;
  for (const c of expectedAddedColumns()) if (c.migration > evident && exists.column(c.table, c.column)) evident = c.migration;
  return evident;
}
