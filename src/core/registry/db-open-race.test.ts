/**
 * Two processes opening a new registry at once: the one that looks while the other migrates must not see "tampered",
 * and the one that switches it to WAL while the other does must wait for it, not fail as busy.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../../test/support/workspace.js';
import { openDatabase } from './db.js';
import { MIGRATIONS } from './migrations.js';

const require = createRequire(import.meta.url);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('opening a registry another process is migrating', () => {
  it('reads its stamp and its tables in one snapshot', () => {
    const path = join(tempDir(), 'registry.db');
    const pragma = Database.prototype.pragma;
    let migratedElsewhere = false;
    // Right after this connection reads the stamp of the new, empty file, another connection (as another
    // process would) migrates the file to the latest schema and commits. better-sqlite3 is synchronous,
    // so this puts the other commit exactly between the stamp and the table reads.
    vi.spyOn(Database.prototype, 'pragma').mockImplementation(function (this: Database.Database, source: string, options?: Database.PragmaOptions) {
      const result = pragma.call(this, source, options);
      if (source === 'user_version' && !migratedElsewhere) {
        migratedElsewhere = true;
        openDatabase(path).close();
      }
      return result;
    });
    const db = openDatabase(path);
    expect(migratedElsewhere).toBe(true);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    db.close();
  });
});

describe('creating a registry another process is creating', () => {
  it('waits for the other one to switch it to WAL instead of failing at once as busy', async () => {
    const path = join(tempDir(), 'registry.db');
    // Another process has created the file and holds its write lock (as its own switch to WAL would) for
    // 1.5 s, then says when it let go. Switching to WAL here reads the file, then asks for the write lock
    // inside that read: SQLite refuses it at once, without the busy timeout, and the open failed as "registry-busy".
    const other = spawn(
      process.execPath,
      [
        '-e',
        `const D = require(${JSON.stringify(require.resolve('better-sqlite3'))});
         const db = new D(${JSON.stringify(path)});
         db.exec('BEGIN IMMEDIATE');
         process.stdout.write('locked\\n');
         setTimeout(() => { process.stdout.write('released ' + Date.now() + '\\n'); db.exec('ROLLBACK'); db.close(); }, 1500);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let said = '';
    other.stdout.on('data', (d) => {
      said += String(d);
    });
    const exited = new Promise((resolve) => other.once('exit', resolve));
    await Promise.race([new Promise((resolve) => other.stdout.once('data', resolve)), exited]);
    expect(said).toContain('locked');
    const db = openDatabase(path);
    const openedAt = Date.now();
    await exited;
    // Opened only once the other process let go (whatever this machine's load): it waited, it did not fail.
    const releasedAt = Number(/released (\d+)/.exec(said)?.[1]);
    expect(openedAt).toBeGreaterThanOrEqual(releasedAt);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    db.close();
  });
});
