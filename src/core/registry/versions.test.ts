import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaffoldWorkspace } from '../../../test/support/workspace.js';
import { openWorkspace } from '../workspace/open.js';
import { registerSpecs } from './register-specs.js';
import { Registry } from './registry.js';
import { readVersionList } from './versions.js';

const actor = { user: 'alice', team: 'team-qa' };

describe("list's read without the Registry class", () => {
  it('reads the same rows as Registry.list, each with its usedBy count, for every filter', () => {
    const root = scaffoldWorkspace('basic');
    const workspace = openWorkspace(root, {}, { XDG_CONFIG_HOME: join(root, 'no-user-config') });
    const registry = Registry.open(workspace);
    const result = registerSpecs(workspace, registry, root, ['agents/triage'], actor);
    expect(result.ok).toBe(true);
    registry.transition('triage@0.1.0', { action: 'promote', to: 'dev' }, actor, null);
    const usage = registry.usageCounts();
    registry.close();
    // The lookup tool is used by the agent: a count that could be wrong.
    const all = readVersionList(workspace.registryPath, {});
    expect(all.find((r) => r.name === 'triage-lookup')?.usedBy).toBe(1);
    const again = Registry.open(workspace, { readonly: true });
    try {
      for (const filter of [
        {},
        { kind: 'Agent' as const },
        { name: 'triage-lookup' },
        { holds: 'dev' as const },
        { holds: 'prod' as const },
        { status: 'active' as const },
      ]) {
        const rows = readVersionList(workspace.registryPath, filter);
        const reference = again.list(filter).map((r) => ({ ...r, usedBy: usage.get(`${r.name}@${r.version}`) ?? 0 }));
        expect(rows, JSON.stringify(filter)).toEqual(reference);
        // The same bytes as list --json printed when it copied usedBy onto Registry.list's rows.
        expect(JSON.stringify(rows, null, 2)).toBe(JSON.stringify(reference, null, 2));
      }
      expect(readVersionList(workspace.registryPath, { holds: 'dev' }).map((r) => r.name)).toEqual(['triage']);
    } finally {
      again.close();
    }
  });

  it('lists a registry that only registers (nothing held, rolled back or used) with empty holds and counts', () => {
    const root = scaffoldWorkspace('basic');
    const workspace = openWorkspace(root, {}, { XDG_CONFIG_HOME: join(root, 'no-user-config') });
    const registry = Registry.open(workspace);
    expect(registerSpecs(workspace, registry, root, ['tools/triage-lookup'], actor).ok).toBe(true);
    registry.close();
    const rows = readVersionList(workspace.registryPath, {});
    expect(rows.map((r) => [r.name, r.holds, r.rolledBack, r.usedBy])).toEqual([['triage-lookup', [], false, 0]]);
    expect(readVersionList(workspace.registryPath, { holds: 'dev' })).toEqual([]);
  });

  it('reads nothing, and creates nothing, where no registry exists yet', () => {
    const root = scaffoldWorkspace('basic');
    const path = join(root, '.agentctl', 'registry.db');
    expect(readVersionList(path, {})).toEqual([]);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses a registry whose schema stamp was tampered with, as every read command does', () => {
    const root = scaffoldWorkspace('basic');
    const workspace = openWorkspace(root, {}, { XDG_CONFIG_HOME: join(root, 'no-user-config') });
    const registry = Registry.open(workspace);
    registry.db.pragma('user_version = 3');
    registry.close();
    chmodSync(workspace.registryPath, 0o644);
    expect(() => readVersionList(workspace.registryPath, {})).toThrow(/tables are those of schema/);
  });
});
