/** Two processes opening a new registry at once: the one that looks while the other migrates must not see "tampered". */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../../test/support/workspace.js';
import { openDatabase } from './db.js';
import { MIGRATIONS } from './migrations.js';

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
