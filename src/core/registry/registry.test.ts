import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { scaffoldWorkspace, tempDir, writeFile } from '../../../test/support/workspace.js';
import { type CheckFailedError, ImmutableVersionError, PermissionError, TransitionError } from '../errors.js';
import { openWorkspace } from '../workspace/open.js';
import { MIGRATIONS } from './migrations.js';
import { registerSpecs } from './register-specs.js';
import { Registry } from './registry.js';

const actor = { user: 'alice', team: 'team-qa' };

function setup(template = 'basic') {
  const root = scaffoldWorkspace(template);
  const workspace = openWorkspace(root, {}, { XDG_CONFIG_HOME: join(root, 'no-user-config') });
  const registry = Registry.open(workspace);
  const register = (paths: string[], as = actor) => registerSpecs(workspace, registry, root, paths, as);
  return { root, workspace, registry, register };
}

/** Every row of every table, to prove a refused write changed nothing. */
function snapshot(registry: Registry): string {
  const tables = ['objects', 'versions', 'transitions', 'retired_versions', 'version_dependencies'];
  return JSON.stringify(tables.map((t) => registry.db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()));
}

describe('registering', () => {
  it('registers an agent with the workspace tool it uses, tool first, with the ref locked', () => {
    const { registry, register } = setup();
    const result = register(['agents/triage']);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.outcomes.map((o) => `${o.kind} ${o.ref} ${o.outcome}`)).toEqual(['Tool triage-lookup@0.1.0 registered', 'Agent triage@0.1.0 registered']);
    expect(registry.list().map((r) => [r.name, r.status, r.stage, r.createdBy])).toEqual([
      ['triage', 'draft', 'dev', 'alice'],
      ['triage-lookup', 'draft', 'dev', 'alice'],
    ]);
    expect(registry.dependenciesOf('triage', '0.1.0')).toEqual([
      expect.objectContaining({ ref: 'triage-lookup@^0.1.0', name: 'triage-lookup', version: '0.1.0' }),
    ]);
  });

  it('is a no-op for the same content, whatever the formatting, key order or line endings', () => {
    const { root, registry, register } = setup();
    register(['agents/triage']);
    const before = snapshot(registry);
    const path = 'agents/triage/prompts/v1/system.md';
    writeFile(root, path, readFileSync(join(root, path), 'utf8').replace(/\n/g, '\r\n'));
    const spec = readFileSync(join(root, 'agents/triage/agent.yaml'), 'utf8');
    writeFile(
      root,
      'agents/triage/agent.yaml',
      `# a comment that changes nothing\n${spec.replace('kind: Agent\n', '').replace('apiVersion: agentctl/v1\n', 'kind: Agent\napiVersion: agentctl/v1\n')}`,
    );
    const again = register(['agents/triage']);
    expect(again.ok && again.outcomes.map((o) => o.outcome)).toEqual(['unchanged', 'unchanged']);
    expect(snapshot(registry)).toBe(before);
  });

  it('refuses changed content under a registered version, naming both digests and the next version', () => {
    const { root, registry, register } = setup();
    register(['agents/triage']);
    const before = snapshot(registry);
    const registered = registry.resolve('triage@0.1.0').digest;
    writeFile(root, 'agents/triage/prompts/v1/system.md', 'A different prompt.\n');
    let error: unknown;
    try {
      register(['agents/triage']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ImmutableVersionError);
    const message = (error as ImmutableVersionError).message;
    expect(message).toContain(registered);
    expect(message).toMatch(/this content has digest sha256:[0-9a-f]{64}/);
    expect((error as ImmutableVersionError).fix).toContain('0.1.1');
    expect(snapshot(registry)).toBe(before);
  });

  it('refuses an invalid spec and writes nothing', () => {
    const { root, registry, register } = setup();
    writeFile(root, 'agents/triage/agent.yaml', 'apiVersion: agentctl/v1\nkind: Agent\nmetadata: { name: triage }\n');
    const result = register(['agents/triage']);
    expect(result.ok).toBe(false);
    expect(registry.list()).toEqual([]);
  });

  it('refuses a team that does not own the object', () => {
    const { registry, register } = setup();
    register(['agents/triage']);
    const before = snapshot(registry);
    expect(() => register(['agents/triage'], { user: 'mallory', team: 'team-x' })).toThrow(PermissionError);
    expect(() => registry.transition('triage@0.1.0', { action: 'promote', to: 'dev' }, { user: 'mallory', team: 'team-x' }, null)).toThrow(
      /owned by team team-qa/,
    );
    expect(snapshot(registry)).toBe(before);
  });
});

describe('lifecycle', () => {
  it('moves draft → dev → canary → prod → deprecated → disabled, one audit row each', () => {
    const { registry, register } = setup();
    register(['agents/triage']);
    registry.transition('triage@0.1.0', { action: 'promote', to: 'dev' }, actor, null);
    registry.transition('triage@0.1.0', { action: 'promote', to: 'canary' }, actor, 'smoke tested');
    registry.transition('triage@0.1.0', { action: 'promote', to: 'prod' }, actor, null);
    registry.transition('triage@0.1.0', { action: 'deprecate' }, actor, 'replaced');
    registry.transition('triage@0.1.0', { action: 'disable' }, actor, 'retired');
    const history = registry.history('triage');
    expect(history.map((h) => `${h.action}:${h.to?.status}/${h.to?.stage}`)).toEqual([
      'register:draft/dev',
      'promote:active/dev',
      'promote:active/canary',
      'promote:active/prod',
      'deprecate:deprecated/prod',
      'disable:disabled/prod',
    ]);
    expect(history[2]).toMatchObject({ actor: 'alice', team: 'team-qa', reason: 'smoke tested' });
  });

  it('refuses moves out of order, with the command that comes first', () => {
    const { registry, register } = setup();
    register(['agents/triage']);
    expect(() => registry.transition('triage@0.1.0', { action: 'promote', to: 'canary' }, actor, null)).toThrow(TransitionError);
    registry.transition('triage@0.1.0', { action: 'promote', to: 'dev' }, actor, null);
    const before = snapshot(registry);
    const skip = () => registry.transition('triage@0.1.0', { action: 'promote', to: 'prod' }, actor, null);
    expect(skip).toThrow(/must pass through canary/);
    expect(() => registry.transition('triage@0.1.0', { action: 'disable' }, actor, null)).toThrow(/deprecate it before disabling/);
    expect(() => registry.transition('triage@0.1.0', { action: 'promote', to: 'dev' }, actor, null)).toThrow(/already active in dev/);
    expect(snapshot(registry)).toBe(before);
  });

  it('deletes only drafts and never reuses the number', () => {
    const { root, registry, register } = setup();
    register(['agents/triage']);
    registry.transition('triage@0.1.0', { action: 'delete' }, actor, 'mistake');
    expect(registry.list({ name: 'triage' })).toEqual([]);
    // Neither the very same content nor new content can come back under the retired number.
    expect(() => register(['agents/triage'])).toThrow(/retired and never reused/);
    writeFile(root, 'agents/triage/prompts/v1/system.md', 'new\n');
    const refused = (() => {
      try {
        register(['agents/triage']);
      } catch (error) {
        return error as CheckFailedError;
      }
    })();
    expect(refused?.fix).toContain('0.1.1');
  });
});

describe('migrations', () => {
  it('a registry written by an older agentctl is upgraded, even when the first command only reads', () => {
    const dir = tempDir();
    const path = join(dir, 'registry.db');
    const old = new Database(path);
    old.exec((MIGRATIONS[0] as { sql: string }).sql);
    old.pragma('user_version = 1');
    old.close();
    const registry = Registry.open({ registryPath: path, blobsDir: join(dir, 'blobs') }, { readonly: true });
    expect(registry.list()).toEqual([]);
    expect(registry.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    registry.close();
  });

  it('a registry from a newer agentctl is refused with the fix', () => {
    const dir = tempDir();
    const path = join(dir, 'registry.db');
    const newer = new Database(path);
    newer.pragma('user_version = 99');
    newer.close();
    expect(() => Registry.open({ registryPath: path, blobsDir: join(dir, 'blobs') })).toThrow(/written by a newer agentctl/);
  });
});

describe('invariants hold against raw SQL', () => {
  function registered() {
    const s = setup();
    s.register(['agents/triage']);
    const raw = new Database(s.workspace.registryPath);
    return { ...s, raw };
  }

  it('a registered version never changes', () => {
    const { raw } = registered();
    expect(() => raw.prepare(`UPDATE versions SET digest = 'sha256:${'0'.repeat(64)}' WHERE name = 'triage'`).run()).toThrow(/never change/);
    expect(() => raw.prepare(`UPDATE versions SET bundle = '{}' WHERE name = 'triage'`).run()).toThrow(/never change/);
    const row = raw.prepare(`SELECT * FROM versions WHERE name = 'triage'`).get() as Record<string, unknown>;
    const columns = Object.keys(row);
    const replace = raw.prepare(`INSERT OR REPLACE INTO versions (${columns.join(',')}) VALUES (${columns.map(() => '?').join(',')})`);
    expect(() => replace.run(...columns.map((c) => (c === 'digest' ? `sha256:${'1'.repeat(64)}` : row[c])))).toThrow(/already registered/);
  });

  it('status and stage change only through an audited transition that follows the lifecycle', () => {
    const { raw } = registered();
    expect(() => raw.prepare(`UPDATE versions SET status = 'active' WHERE name = 'triage'`).run()).toThrow(/audited transition/);
    const insert = raw.prepare(
      `INSERT INTO transitions (name, version, action, from_status, from_stage, to_status, to_stage, actor, team, at) VALUES ('triage', '0.1.0', ?, ?, ?, ?, ?, 'eve', ?, 'now')`,
    );
    expect(() => insert.run('promote', 'draft', 'dev', 'active', 'prod', 'team-qa')).toThrow(/lifecycle/);
    expect(() => insert.run('promote', 'active', 'dev', 'active', 'canary', 'team-qa')).toThrow(/current state/);
    expect(() => insert.run('promote', 'draft', 'dev', 'active', 'dev', 'team-x')).toThrow(/owner team/);
    insert.run('promote', 'draft', 'dev', 'active', 'dev', 'team-qa');
    expect(raw.prepare(`SELECT status, stage FROM versions WHERE name = 'triage'`).get()).toEqual({ status: 'active', stage: 'dev' });
  });

  it('audit rows, tombstones and locks are append-only, and versions are deleted only when audited', () => {
    const { raw } = registered();
    expect(() => raw.prepare('DELETE FROM transitions').run()).toThrow(/append-only/);
    expect(() => raw.prepare(`UPDATE transitions SET actor = 'eve'`).run()).toThrow(/append-only/);
    expect(() =>
      raw
        .prepare(
          `INSERT OR REPLACE INTO transitions (id, name, version, action, to_status, to_stage, actor, team, at) VALUES (1, 'x', '1.0.0', 'register', 'draft', 'dev', 'eve', 't', 'now')`,
        )
        .run(),
    ).toThrow(/append-only/);
    expect(() => raw.prepare('DELETE FROM version_dependencies').run()).toThrow(/append-only/);
    expect(() => raw.prepare(`DELETE FROM versions WHERE name = 'triage'`).run()).toThrow(/audited delete/);
    expect(() => raw.prepare(`UPDATE objects SET owner = 'team-x'`).run()).toThrow(/never change/);
    expect(raw.prepare('SELECT count(*) AS n FROM versions').get()).toEqual({ n: 2 });
  });

  it('a deleted version number cannot be inserted again, even by hand', () => {
    const { raw, registry } = registered();
    const row = raw.prepare(`SELECT * FROM versions WHERE name = 'triage'`).get() as Record<string, unknown>;
    registry.transition('triage@0.1.0', { action: 'delete' }, actor, null);
    const columns = Object.keys(row);
    expect(() =>
      raw.prepare(`INSERT INTO versions (${columns.join(',')}) VALUES (${columns.map(() => '?').join(',')})`).run(...columns.map((c) => row[c])),
    ).toThrow(/never reused|already used/);
    expect(() =>
      raw
        .prepare(
          `INSERT INTO transitions (name, version, action, to_status, to_stage, actor, team, at) VALUES ('triage', '0.1.0', 'register', 'draft', 'dev', 'eve', 'team-qa', 'now')`,
        )
        .run(),
    ).toThrow(/already used/);
  });
});
