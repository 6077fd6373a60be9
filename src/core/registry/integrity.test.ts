/**
 * `doctor` checks the guard and the contents: a dropped trigger, a tampered bundle, a corrupt blob, a
 * hand-written object and a downgraded schema stamp are each named, with the fix, on a real registry.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { scaffoldWorkspace } from '../../../test/support/workspace.js';
import { type Check, doctorExitCode, runDoctor } from '../doctor.js';
import { type EnvironmentError, ExitCode } from '../errors.js';
import { openWorkspace } from '../workspace/open.js';
import { MIGRATIONS } from './migrations.js';
import { registerSpecs } from './register-specs.js';
import { Registry } from './registry.js';
import { expectedSchemaObjects } from './schema-objects.js';

const env = (root: string) => ({ XDG_CONFIG_HOME: join(root, 'no-user-config'), AGENTCTL_TEAM: 'team-qa', AGENTCTL_USER: 'alice' });

function setup() {
  const root = scaffoldWorkspace('basic');
  const workspace = openWorkspace(root, {}, env(root));
  const registry = Registry.open(workspace);
  registerSpecs(workspace, registry, root, ['agents/triage'], { user: 'alice', team: 'team-qa' });
  registry.close();
  const doctor = (deep = false) => runDoctor(root, env(root), {}, { deep });
  return { root, workspace, doctor, raw: () => new Database(workspace.registryPath) };
}

const check = (checks: Check[], name: string) => checks.find((c) => c.name === name);

describe('the expected schema', () => {
  it('is read from the migrations, and includes the guard of migration 8', () => {
    const names = expectedSchemaObjects().map((o) => `${o.type} ${o.name}`);
    expect(names).toEqual(
      expect.arrayContaining(['trigger lifecycle_no_insert', 'trigger versions_immutable', 'index runs_by_session', 'table stage_holders']),
    );
    expect(names).not.toContain('trigger table_no_update');
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('doctor', () => {
  it('is all ok on an intact registry, deep too', () => {
    const { doctor } = setup();
    const checks = doctor(true);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(check(checks, 'schema')?.detail).toMatch(/\d+ triggers, \d+ indexes, \d+ tables: ok/);
    expect(check(checks, 'bundles')?.detail).toBe('2 bundle(s): ok');
    expect(check(checks, 'blobs')?.detail).toMatch(/^[1-9]\d* blob\(s\): ok$/);
    expect(doctorExitCode(checks)).toBe(ExitCode.ok);
  });

  it('fails when a trigger or an index was dropped, naming it, with the fix', () => {
    const { doctor, raw } = setup();
    const db = raw();
    db.exec('DROP TRIGGER lifecycle_no_delete; DROP INDEX versions_by_digest');
    db.close();
    const schema = check(doctor(), 'schema');
    expect(schema).toMatchObject({ ok: false, fix: expect.stringContaining('restore .agentctl/registry.db from a backup') });
    expect(schema?.detail).toContain('trigger lifecycle_no_delete (migration 8) is missing');
    expect(schema?.detail).toContain('index versions_by_digest (migration 1) is missing');
    expect(doctorExitCode(doctor())).toBe(ExitCode.failure);
  });

  it('--deep fails on a bundle tampered with (after dropping its guard), naming the version', () => {
    const { doctor, raw } = setup();
    const db = raw();
    db.exec('DROP TRIGGER versions_immutable');
    const bundle = JSON.parse(db.prepare(`SELECT bundle FROM versions WHERE name = 'triage'`).pluck().get() as string);
    bundle.spec.metadata.description = 'tampered';
    db.prepare(`UPDATE versions SET bundle = ? WHERE name = 'triage'`).run(JSON.stringify(bundle));
    db.close();
    expect(check(doctor(), 'bundles')).toBeUndefined();
    const bundles = check(doctor(true), 'bundles');
    expect(bundles).toMatchObject({ ok: false, detail: expect.stringMatching(/triage@0\.1\.0: its bundle hashes to sha256:[0-9a-f]{64}, not to its digest/) });
    expect(bundles?.detail).not.toContain('triage-lookup@0.1.0');
  });

  it('--deep fails on a corrupt blob and on a blob a bundle names that is gone', () => {
    const { workspace, doctor } = setup();
    const root = join(workspace.blobsDir, 'sha256');
    const [prefix] = readdirSync(root).sort();
    const [rest] = readdirSync(join(root, prefix as string));
    writeFileSync(join(root, prefix as string, rest as string), 'corrupted');
    const blobs = check(doctor(true), 'blobs');
    expect(blobs).toMatchObject({ ok: false, fix: expect.stringContaining('restore .agentctl/blobs') });
    expect(blobs?.detail).toContain(`${join(root, prefix as string, rest as string)} hashes to sha256:`);
  });

  it('fails on an object no registration of its owner backs (a name claimed by raw SQL)', () => {
    const { doctor, raw } = setup();
    const db = raw();
    db.exec(`INSERT INTO objects VALUES ('squatter', 'Agent', 'team-x', 'now', 'eve')`);
    db.close();
    expect(check(doctor(), 'ownership')).toMatchObject({ ok: false, detail: expect.stringContaining('squatter is owned by team-x, but no registration') });
  });

  it('reports a downgraded schema stamp as an environment failure (exit 3) with the fix, and every command refuses it', () => {
    const { workspace, doctor, raw } = setup();
    const db = raw();
    db.pragma('user_version = 0');
    db.close();
    const checks = doctor();
    expect(check(checks, 'registry')).toMatchObject({
      ok: false,
      environment: true,
      detail: expect.stringContaining(`says it is schema 0, but its tables are those of schema ${MIGRATIONS.at(-1)?.version}`),
      fix: expect.stringContaining(`PRAGMA user_version = ${MIGRATIONS.at(-1)?.version}`),
    });
    expect(doctorExitCode(checks)).toBe(ExitCode.environment);
    let error: EnvironmentError | undefined;
    try {
      Registry.open(workspace);
    } catch (e) {
      error = e as EnvironmentError;
    }
    expect(error).toMatchObject({ exitCode: ExitCode.environment, code: 'registry-version-tampered' });
    // A stamp between migrations (6 of 8): the same refusal, not a half-run migration.
    const again = raw();
    again.pragma('user_version = 6');
    again.close();
    expect(() => Registry.open(workspace)).toThrow(/says it is schema 6/);
  });
});
