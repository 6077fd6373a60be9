/**
 * Does the registry still guard itself, and does it still hold what it says? For `doctor`: every table,
 * index, trigger and column the migrations create is there; every object is backed by a registration of
 * its owner team; and with `--deep`, every bundle hashes to its digest, every file a bundle names is in
 * the blob store, and every blob hashes to its name. Reads only (the store that reads across tables for
 * this, and nothing else).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson, sha256 } from '../util/canonical.js';
import type { BundleFile } from './bundle.js';
import type { Db } from './db.js';
import type { Registry } from './registry.js';
import { expectedAddedColumns, expectedSchemaObjects } from './schema-objects.js';

export interface Finding {
  /** What is wrong, naming the version, blob or schema object. */
  problem: string;
}

export interface IntegrityReport {
  /** What was looked at (for the check's detail when nothing is wrong). */
  checked: string;
  findings: Finding[];
}

/** The queries `doctor` needs, over every table (read only). */
class IntegrityStore {
  constructor(private readonly db: Db) {}

  schemaObjects(): Set<string> {
    return new Set(this.db.prepare(`SELECT type || ' ' || name FROM sqlite_master WHERE type IN ('table', 'index', 'trigger')`).pluck().all() as string[]);
  }

  columnsOf(table: string): Set<string> {
    return new Set((this.db.pragma(`table_info(${JSON.stringify(table)})`) as { name: string }[]).map((c) => c.name));
  }

  /** Objects no register transition of their owner team backs (agentctl writes both in one transaction). */
  unbackedObjects(): { name: string; owner: string }[] {
    return this.db
      .prepare(
        `SELECT o.name, o.owner FROM objects o
         WHERE NOT EXISTS (SELECT 1 FROM transitions t WHERE t.name = o.name AND t.action = 'register' AND t.team = o.owner) ORDER BY o.name`,
      )
      .all() as { name: string; owner: string }[];
  }

  *bundles(): Generator<{ name: string; version: string; digest: string; bundle: string }> {
    yield* this.db.prepare('SELECT name, version, digest, bundle FROM versions ORDER BY name, version').iterate() as Iterable<{
      name: string;
      version: string;
      digest: string;
      bundle: string;
    }>;
  }
}

function store(registry: Registry): IntegrityStore {
  return new IntegrityStore(registry.db);
}

/** Every table, index, trigger and added column the migrations create, compared with the file. */
export function checkSchema(registry: Registry): IntegrityReport {
  const s = store(registry);
  const present = s.schemaObjects();
  const expected = expectedSchemaObjects();
  const findings: Finding[] = expected
    .filter((o) => !present.has(`${o.type} ${o.name}`))
    .map((o) => ({ problem: `${o.type} ${o.name} (migration ${o.migration}) is missing` }));
  const columns = new Map<string, Set<string>>();
  for (const c of expectedAddedColumns()) {
    const have = columns.get(c.table) ?? s.columnsOf(c.table);
    columns.set(c.table, have);
    if (!have.has(c.column)) findings.push({ problem: `column ${c.table}.${c.column} (migration ${c.migration}) is missing` });
  }
  const triggers = expected.filter((o) => o.type === 'trigger').length;
  const indexes = expected.filter((o) => o.type === 'index').length;
  return { checked: `${triggers} triggers, ${indexes} indexes, ${expected.length - triggers - indexes} tables`, findings };
}

/** Objects that no registration of their owner team backs: a name claimed by raw SQL. */
export function checkOwnership(registry: Registry): IntegrityReport {
  const findings = store(registry)
    .unbackedObjects()
    .map((o) => ({ problem: `${o.name} is owned by ${o.owner}, but no registration by ${o.owner} backs it` }));
  return { checked: 'every object is backed by a registration of its owner team', findings };
}

/** Every version's bundle hashed again (canonical JSON), and the files it names present in the blob store. */
export function checkBundles(registry: Registry): IntegrityReport {
  const findings: Finding[] = [];
  let count = 0;
  for (const row of store(registry).bundles()) {
    count++;
    const ref = `${row.name}@${row.version}`;
    let files: BundleFile[] = [];
    try {
      const bundle = JSON.parse(row.bundle) as { files?: BundleFile[] };
      const actual = sha256(canonicalJson(bundle));
      if (actual !== row.digest) findings.push({ problem: `${ref}: its bundle hashes to ${actual}, not to its digest ${row.digest}` });
      files = Array.isArray(bundle.files) ? bundle.files : [];
    } catch {
      findings.push({ problem: `${ref}: its bundle is not JSON` });
    }
    for (const file of files) {
      if (!registry.blobs.has(file.digest)) findings.push({ problem: `${ref}: file ${file.path} (${file.digest}) is missing from the blob store` });
    }
  }
  return { checked: `${count} bundle(s)`, findings };
}

/** Every blob in the blob store hashed again, against its own name. */
export function checkBlobs(registry: Registry): IntegrityReport {
  const root = join(registry.blobs.dir, 'sha256');
  const findings: Finding[] = [];
  let count = 0;
  for (const prefix of entries(root)) {
    for (const rest of entries(join(root, prefix))) {
      // A crashed put leaves a temp file behind: not a blob, nothing refers to it.
      if (rest.endsWith('.tmp')) continue;
      count++;
      const name = `sha256:${prefix}${rest}`;
      const path = join(root, prefix, rest);
      let actual: string;
      try {
        actual = sha256(readFileSync(path));
      } catch (error) {
        findings.push({ problem: `blob ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` });
        continue;
      }
      if (actual !== name) findings.push({ problem: `blob ${path} hashes to ${actual}, not to its name` });
    }
  }
  return { checked: `${count} blob(s)`, findings };
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
