import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaffoldWorkspace } from '../../../test/support/workspace.js';
import { openWorkspace } from '../workspace/open.js';
import { registerSpecs } from './register-specs.js';
import { Registry } from './registry.js';

describe('build metadata', () => {
  it('1.0.0+a and 1.0.0+b are the same version: the second registration is refused as such', () => {
    const root = scaffoldWorkspace();
    const workspace = openWorkspace(root, {}, { XDG_CONFIG_HOME: join(root, 'no-user-config') });
    const registry = Registry.open(workspace);
    const spec = join(root, 'tools/triage-lookup/tool.yaml');
    const setVersion = (version: string, extra = '') =>
      writeFileSync(spec, `${readFileSync(spec, 'utf8').replace(/version: .*/, `version: ${version}`)}${extra}`);
    const register = () => registerSpecs(workspace, registry, root, ['tools/triage-lookup'], { user: 'alice', team: 'team-qa' });

    setVersion('1.0.0+a');
    expect(register().ok).toBe(true);
    setVersion('1.0.0+b', '# changed\n');
    expect(() => register()).toThrow(/triage-lookup@1\.0\.0\+b is the same version as the registered triage-lookup@1\.0\.0\+a/);
    expect(registry.db.prepare("SELECT version FROM versions WHERE name = 'triage-lookup'").pluck().all()).toEqual(['1.0.0+a']);
  });
});
