/** Opening the registry database: WAL, a busy timeout, migrations, and errors that say what to do. */
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { AgentctlError, EnvironmentError } from '../errors.js';
import { MIGRATIONS } from './migrations.js';
import { evidentVersion } from './schema-objects.js';

export type Db = Database.Database;

/** Long enough to queue behind another agentctl writing, short enough to report a stuck one. */
export const BUSY_TIMEOUT_MS = 15_000;

/**
 * Where better-sqlite3's install (prebuild-install, or node-gyp --release) puts its native addon. package.json
 * pins the package's exact version: its JavaScript is bundled with the CLI and must match the addon installed
 * beside it (version 13 moves the addon, so this path is revisited with it).
 */
const SQLITE_ADDON = 'better-sqlite3/build/Release/better_sqlite3.node';

let addonPath: string | undefined;

/**
 * The path of SQLite's native addon, for better-sqlite3's `nativeBinding` option. Left to find it itself, the
 * package asks `bindings`, which requires a list of candidate paths in turn until one loads (~2 ms, two failed
 * requires first). The package's JavaScript is bundled with the CLI (scripts/build.mjs): loaded through CommonJS,
 * its 13 files were another ~5 ms of every start that opens the registry.
 */
export function sqliteAddonPath(): string {
  try {
    addonPath ??= createRequire(import.meta.url).resolve(SQLITE_ADDON);
    return addonPath;
  } catch (error) {
    throw new EnvironmentError(`SQLite's native addon is missing (${SQLITE_ADDON})`, {
      fix: 'reinstall agentctl, or run `npm rebuild better-sqlite3` where it is installed',
      code: 'sqlite-addon-missing',
      cause: error,
    });
  }
}

export interface OpenOptions {
  /** Open an existing database for reading only; never creates or migrates. */
  readonly?: boolean;
}

export function openDatabase(path: string, options: OpenOptions = {}): Db {
  const exists = existsSync(path);
  if (options.readonly && !exists) throw missingRegistry(path);
  // A file without write permission bits is the user's "read-only" (root ignores permissions, we do not).
  const readonly = options.readonly || (exists && isMarkedReadonly(path));
  let db: Db;
  try {
    if (!exists) mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { readonly, fileMustExist: readonly, timeout: BUSY_TIMEOUT_MS, nativeBinding: sqliteAddonPath() });
  } catch (error) {
    throw translateSqliteError(error, path);
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (!readonly) {
      enableWal(db);
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    migrate(db, path, readonly);
  } catch (error) {
    db.close();
    // A reader asked for read-only, but the file was written by an older agentctl and can be upgraded:
    // upgrade it once through a writable connection, then open it as asked.
    if ((error as { code?: string }).code === 'registry-needs-upgrade' && options.readonly && !isMarkedReadonly(path)) {
      openDatabase(path).close();
      return openDatabase(path, options);
    }
    throw translateSqliteError(error, path);
  }
  return db;
}

/**
 * `journal_mode = WAL`, waiting for another writer as long as a write would. Switching a new (or older,
 * rollback-journal) file to WAL reads its first page, then asks for the write lock from inside that read:
 * when two processes create the registry at once, SQLite refuses one of them at once instead of calling
 * the busy handler (both waiting would deadlock), and that command failed with "stayed busy for 15 s"
 * in a few milliseconds. The refused statement keeps no lock, so it is tried again, a little later each time.
 */
function enableWal(db: Db): void {
  const giveUpAt = Date.now() + BUSY_TIMEOUT_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY') || Date.now() >= giveUpAt) throw error;
      // 5, 10, 20, 40, then 50 ms, jittered so that two processes do not retry in step.
      sleepSync(Math.min(50, 5 * 2 ** attempt) * (0.5 + Math.random()));
    }
  }
}

/** Blocks the thread for `ms`: opening a database is synchronous, as better-sqlite3 is. */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function isMarkedReadonly(path: string): boolean {
  if ((statSync(path).mode & 0o222) === 0) return true;
  try {
    accessSync(path, constants.W_OK);
    return false;
  } catch {
    return true;
  }
}

function migrate(db: Db, path: string, readonly: boolean): void {
  // The stamp and the tables are read in one read transaction (one snapshot): read apart, another process
  // migrating a new file in between made a fresh registry look tampered with (stamp 0, tables of the latest).
  const latest = MIGRATIONS.at(-1)?.version ?? 0;
  const { current, evident } = db.transaction(() => {
    const current = Number(db.pragma('user_version', { simple: true }));
    // The tables cannot show more than the latest schema, so a stamp at (or above) it has nothing to be
    // compared with: reading them (and parsing every migration's SQL for what it creates) is left to the
    // stamps that could be lower than the tables — the check is the same, the common open is cheaper.
    return { current, evident: current >= latest ? current : schemaVersionShown(db) };
  })();
  if (current > latest) {
    throw new EnvironmentError(`the registry ${path} was written by a newer agentctl (schema ${current}, this one knows ${latest})`, {
      where: path,
      fix: 'upgrade agentctl: npm install -g agentctl-cli@latest',
      code: 'registry-too-new',
    });
  }
  // A stamp below what the tables show was changed by hand (or the file was swapped with a stale copy):
  // migrating again would fail half-way on tables that exist. Say so instead.
  if (current < evident) throw tamperedVersion(path, current, evident);
  if (current === latest) return;
  if (readonly) {
    throw new EnvironmentError(`the registry ${path} needs an upgrade, but it is read-only`, {
      where: path,
      fix: `make it writable (chmod u+w ${path}) and run any agentctl command once`,
      code: 'registry-needs-upgrade',
    });
  }
  // BEGIN IMMEDIATE: two processes starting at once must not both migrate.
  const run = db.transaction(() => {
    const now = Number(db.pragma('user_version', { simple: true }));
    for (const migration of MIGRATIONS) {
      if (migration.version <= now) continue;
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }
  });
  run.immediate();
}

/** The schema version the tables, indexes, triggers and added columns show (see schema-objects.ts). */
export function schemaVersionShown(db: Db): number {
  const objects = new Set(db.prepare(`SELECT type || ' ' || name FROM sqlite_master WHERE type IN ('table', 'index', 'trigger')`).pluck().all() as string[]);
  const columns = new Map<string, Set<string>>();
  const columnsOf = (table: string) => {
    let set = columns.get(table);
    if (!set) {
      set = new Set((db.pragma(`table_info(${JSON.stringify(table)})`) as { name: string }[]).map((c) => c.name));
      columns.set(table, set);
    }
    return set;
  };
  return evidentVersion({ object: (type, name) => objects.has(`${type} ${name}`), column: (table, column) => columnsOf(table).has(column) });
}

function tamperedVersion(path: string, current: number, evident: number): EnvironmentError {
  return new EnvironmentError(
    `the registry ${path} says it is schema ${current}, but its tables are those of schema ${evident}: its version stamp (PRAGMA user_version) was changed by hand or the file was damaged`,
    {
      where: path,
      fix: `restore ${path} from a backup; if only the stamp was changed, put it back (sqlite3 ${path} 'PRAGMA user_version = ${evident}') and check the rest with agentctl doctor --deep`,
      code: 'registry-version-tampered',
    },
  );
}

function missingRegistry(path: string): EnvironmentError {
  return new EnvironmentError(`no registry yet at ${path}`, {
    where: path,
    fix: 'register something first: agentctl register agents/<name>',
    code: 'no-registry',
  });
}

/** SQLite's own words are for us; the user gets what happened, where, and what to do. */
export function translateSqliteError(error: unknown, path: string): Error {
  if (error instanceof AgentctlError) return error;
  // Not every error has a string code (a DataCloneError's is a number).
  const raw = (error as { code?: unknown }).code;
  const code = typeof raw === 'string' ? raw : '';
  const message = (error as Error).message ?? String(error);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || /not a database|malformed/i.test(message)) {
    return new EnvironmentError(`the registry ${path} is not a valid SQLite database (corrupt or overwritten)`, {
      where: path,
      fix: `move it aside (mv ${path} ${path}.broken) and re-register, or restore it from a backup; \`agentctl doctor\` checks it`,
      code: 'registry-corrupt',
      cause: error,
    });
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM') {
    return new EnvironmentError(`the registry ${path} cannot be written (${code})`, {
      where: path,
      fix: `check its permissions and those of its folder: chmod u+w ${path} ${dirname(path)}`,
      code: 'registry-readonly',
      cause: error,
    });
  }
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY') || code === 'SQLITE_LOCKED') {
    return new EnvironmentError(`the registry ${path} stayed busy for ${BUSY_TIMEOUT_MS / 1000} s: another agentctl is writing`, {
      where: path,
      fix: 'wait for the other command to finish and run this one again',
      code: 'registry-busy',
      cause: error,
    });
  }
  return error instanceof Error ? error : new Error(message);
}

/** Runs `fn` in a BEGIN IMMEDIATE transaction (read-then-write), translating SQLite errors. */
export function writeTransaction<T>(db: Db, path: string, fn: () => T): T {
  try {
    return db.transaction(fn).immediate();
  } catch (error) {
    throw translateSqliteError(error, path);
  }
}
