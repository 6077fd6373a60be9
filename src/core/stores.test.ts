/**
 * Stores own their tables: only the store of a table writes SQL against it, and nothing outside the
 * stores reaches for the database handle. This walks the source so a new shortcut fails here, not in review.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..');

const OWNERS: Record<string, string[]> = {
  'core/registry/registry.ts': ['objects', 'transitions', 'lifecycle', 'versions', 'retired_versions', 'version_dependencies'],
  'core/events/run-store.ts': ['sessions', 'runs', 'events', 'spans'],
  'core/events/event-log.ts': ['sessions', 'runs', 'events', 'spans'],
  'core/eval/store.ts': ['evals', 'eval_results', 'approvals', 'imported_evidence'],
  'core/registry/stages.ts': ['stage_holders', 'stage_moves'],
  'core/registry/origins.ts': ['pulled_versions'],
  'core/events/feedback-store.ts': ['feedback'],
  // Reads only, for doctor: objects against their registrations, bundles against their digests.
  'core/registry/integrity.ts': ['objects', 'transitions', 'versions'],
  // Reads only, for list (registry.ts's list and usage counts delegate here; it loads without the Registry class).
  'core/registry/versions.ts': ['versions', 'version_dependencies'],
  // Reads only, for list and stages.ts: who holds each stage, and the moves list shows.
  'core/registry/stages-read.ts': ['stage_holders', 'stage_moves'],
};
const ALL_TABLES = [...new Set(Object.values(OWNERS).flat())];
/**
 * Opening, migrating and translating errors is infrastructure every store shares; the write thread runs,
 * on its own connection, the statements the event log hands it, and names no table itself.
 */
const INFRASTRUCTURE = ['core/registry/db.ts', 'core/registry/migrations.ts', 'core/events/write-thread.ts'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

const files = sources(SRC).map((path) => ({ name: relative(SRC, path).split('\\').join('/'), text: readFileSync(path, 'utf8') }));

describe('stores own their tables', () => {
  it('only stores prepare statements or touch the database handle', () => {
    const offenders = files
      .filter((f) => !(f.name in OWNERS) && !INFRASTRUCTURE.includes(f.name))
      // db.exec(sql), not regex.exec(text): a statement is prepared, pragma'd or executed on a handle named db.
      .filter((f) => /\b(db|this\.db|registry\.db)\.(prepare|pragma|exec|transaction)\(/.test(f.text))
      .map((f) => f.name);
    expect(offenders).toEqual([]);
  });

  it("no store writes SQL against another store's tables", () => {
    const trespass: string[] = [];
    for (const [owner, tables] of Object.entries(OWNERS)) {
      const text = files.find((f) => f.name === owner)?.text ?? '';
      for (const table of ALL_TABLES.filter((t) => !tables.includes(t))) {
        if (new RegExp(`\\b(FROM|INTO|UPDATE|JOIN)\\s+${table}\\b`, 'i').test(text)) trespass.push(`${owner} → ${table}`);
      }
    }
    expect(trespass).toEqual([]);
  });

  it('the write thread names no table: it only runs what the event log hands it', () => {
    const text = files.find((f) => f.name === 'core/events/write-thread.ts')?.text ?? '';
    expect(ALL_TABLES.filter((table) => new RegExp(`\\b(FROM|INTO|UPDATE|JOIN)\\s+${table}\\b`, 'i').test(text))).toEqual([]);
  });
});
