import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { scaffoldWorkspace, writeFile } from '../../../test/support/workspace.js';
import { openWorkspace } from '../workspace/open.js';
import { registerSpecs } from './register-specs.js';
import { Registry } from './registry.js';

const tool = (i: number) =>
  `apiVersion: agentctl/v1\nkind: Tool\nmetadata:\n  name: bulk-${i}\n  version: 1.0.0\n  owner: team-qa\nspec:\n  description: Tool ${i}.\n  input: { type: object }\n  sideEffects: read\n  implementation: { type: http, url: https://tools.example.com/${i}, method: GET }\n  mocks:\n    - output: { ok: true }\n`;

/** Statements prepared while one register call writes `count` new versions. */
function preparesFor(count: number): number {
  const root = scaffoldWorkspace('basic');
  for (let i = 0; i < count; i++) writeFile(root, `tools/bulk-${i}/tool.yaml`, tool(i));
  const workspace = openWorkspace(root, {}, { XDG_CONFIG_HOME: join(root, 'no-user-config') });
  const registry = Registry.open(workspace);
  try {
    const prepare = vi.spyOn(registry.db, 'prepare');
    const result = registerSpecs(
      workspace,
      registry,
      root,
      Array.from({ length: count }, (_, i) => `tools/bulk-${i}`),
      { user: 'alice', team: 'team-qa' },
    );
    expect(result.ok && result.outcomes.filter((o) => o.outcome === 'registered')).toHaveLength(count);
    return prepare.mock.calls.length;
  } finally {
    registry.close();
  }
}

describe('register at scale', () => {
  it('prepares its statements once per command, not once per version', () => {
    const few = preparesFor(3);
    expect(preparesFor(40)).toBe(few);
    expect(few).toBeLessThan(20);
  });
});
