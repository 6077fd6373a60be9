import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaffoldWorkspace } from '../../../test/support/workspace.js';
import { openWorkspace } from '../workspace/open.js';
import { promoteDependencies } from './promote-deps.js';
import { registerSpecs } from './register-specs.js';
import { Registry } from './registry.js';

const actor = { user: 'alice', team: 'team-qa' };

function setup() {
  const root = scaffoldWorkspace('basic');
  const workspace = openWorkspace(root, {}, { XDG_CONFIG_HOME: join(root, 'no-user-config') });
  const registry = Registry.open(workspace);
  const release = (version: string) => {
    const spec = join(root, 'agents/triage/agent.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace(/version: \d+\.\d+\.\d+/, `version: ${version}`));
    writeFileSync(join(root, 'agents/triage/prompts/v1/system.md'), `prompt ${version}\n`);
    registerSpecs(workspace, registry, root, ['agents/triage'], actor);
    for (const to of ['dev', 'canary'] as const) {
      promoteDependencies(registry, registry.resolve(`triage@${version}`), to, actor, null, () => {});
      registry.transition(`triage@${version}`, { action: 'promote', to }, actor, null);
    }
    promoteDependencies(registry, registry.resolve(`triage@${version}`), 'prod', actor, null, () => {});
  };
  return { root, workspace, registry, release };
}

describe('stage holders', () => {
  it('a promotion takes the stage from its holder; a rollback walks back past rolled-back versions', () => {
    const { registry, release } = setup();
    for (const v of ['0.1.0', '0.2.0', '0.3.0']) {
      release(v);
      registry.transition(`triage@${v}`, { action: 'promote', to: 'prod' }, actor, null);
    }
    expect(registry.resolve('triage@prod').version).toBe('0.3.0');
    expect(registry.rollback('triage', 'prod', { reason: 'bad', actor }).to.version).toBe('0.2.0');
    expect(registry.resolve('triage@0.3.0')).toMatchObject({ rolledBack: true, holds: ['dev', 'canary'] });
    // Rolling back again skips 0.3.0 (rolled back) and goes to 0.1.0.
    expect(registry.rollback('triage', 'prod', { reason: 'worse', actor }).to.version).toBe('0.1.0');
    expect(registry.defaultBaseline('triage', registry.resolve('triage@0.3.0').digest)).toBe('triage@0.1.0');
  });

  it('a promotion that raced another is refused, not silently stacked (compare-and-swap on the holder)', () => {
    const { registry, release, workspace } = setup();
    release('0.1.0');
    registry.transition('triage@0.1.0', { action: 'promote', to: 'prod' }, actor, null);
    release('0.2.0');
    release('0.3.0');
    const seen = registry.stages.holder('triage', 'prod') ?? null; // what process A saw when it started
    const other = Registry.open(workspace); // process B
    other.transition('triage@0.2.0', { action: 'promote', to: 'prod' }, actor, null, undefined, seen);
    other.close();
    expect(() => registry.transition('triage@0.3.0', { action: 'promote', to: 'prod' }, actor, null, undefined, seen)).toThrow(/another promotion won/);
    expect(registry.resolve('triage@prod').version).toBe('0.2.0');
    expect(registry.resolve('triage@0.3.0').stage).toBe('canary');
  });

  it('rollback refuses a disabled target and a stage nobody holds', () => {
    const { registry, release } = setup();
    release('0.1.0');
    expect(() => registry.rollback('triage', 'prod', { reason: 'x', actor })).toThrow(/nothing holds prod/);
    registry.transition('triage@0.1.0', { action: 'promote', to: 'prod' }, actor, null);
    release('0.2.0');
    registry.transition('triage@0.2.0', { action: 'promote', to: 'prod' }, actor, null);
    registry.transition('triage@0.1.0', { action: 'deprecate' }, actor, 'old');
    expect(() => registry.rollback('triage', 'prod', { to: '0.1.0', reason: 'x', actor })).toThrow(/is deprecated: only an active version/);
    expect(() => registry.rollback('triage', 'prod', { reason: 'x', actor })).toThrow(/no earlier holder/);
  });

  it('every promotion is a stage move, audited with who and when', () => {
    const { registry, release } = setup();
    release('0.1.0');
    registry.transition('triage@0.1.0', { action: 'promote', to: 'prod' }, actor, null);
    expect(registry.stages.moves('triage').map((m) => [m.stage, m.toVersion])).toEqual([
      ['dev', '0.1.0'],
      ['canary', '0.1.0'],
      ['prod', '0.1.0'],
    ]);
  });
});

describe('rolled back, precisely', () => {
  it('a version given a stage back after its rollback is no longer rolled back, and the next rollback walks to it', () => {
    const { registry, release } = setup();
    for (const v of ['1.0.0', '1.1.0']) {
      release(v);
      registry.transition(`triage@${v}`, { action: 'promote', to: 'prod' }, actor, null);
    }
    registry.rollback('triage', 'prod', { reason: 'bad', actor }); // prod: 1.1.0 → 1.0.0
    registry.rollback('triage', 'prod', { to: '1.1.0', reason: 'fixed upstream', actor }); // back to 1.1.0
    expect(registry.resolve('triage@1.1.0').rolledBack).toBe(false);
    release('1.2.0');
    registry.transition('triage@1.2.0', { action: 'promote', to: 'prod' }, actor, null);
    expect(registry.rollback('triage', 'prod', { reason: 'again', actor }).to.version).toBe('1.1.0');
    // A rollback of canary does not make the prod holder a rolled-back baseline.
    expect(registry.defaultBaseline('triage', 'sha256:none')).toBe('triage@1.1.0');
  });
});

describe('promote --with-deps', () => {
  it('never takes a stage from a newer version of a dependency, and moves nothing when it refuses', () => {
    const { registry, root, workspace } = setup();
    registerSpecs(workspace, registry, root, ['agents/triage'], actor); // triage@0.1.0 locks triage-lookup@0.1.0
    const tool = join(root, 'tools/triage-lookup/tool.yaml');
    writeFileSync(tool, readFileSync(tool, 'utf8').replace(/version: 0\.1\.0/, 'version: 0.1.1'));
    registerSpecs(workspace, registry, root, ['tools/triage-lookup'], actor);
    for (const to of ['dev', 'canary'] as const) registry.transition('triage-lookup@0.1.1', { action: 'promote', to }, actor, null);
    expect(() => promoteDependencies(registry, registry.resolve('triage@0.1.0'), 'dev', actor, null, () => {})).toThrow(
      /triage-lookup@dev is 0\.1\.1, newer than triage-lookup@0\.1\.0/,
    );
    expect(registry.resolve('triage-lookup@0.1.0').status).toBe('draft');
  });
});
