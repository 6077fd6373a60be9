import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaffoldWorkspace } from '../../../test/support/workspace.js';
import { registerSpecs } from '../registry/register-specs.js';
import { Registry } from '../registry/registry.js';
import { openWorkspace } from '../workspace/open.js';
import { LIVE_SECRET, secretDiagnostics } from './secrets.js';
import { validateWorkspace } from './validate.js';

const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe('secretDiagnostics', () => {
  it('points at line and column of each lookalike, with the fix', () => {
    const found = secretDiagnostics('a.yaml', `name: x\nnote: key ${AWS_SECRET}\n  url: https://admin:pw@host\n`);
    expect(found.map((d) => [d.line, d.col, d.severity, d.code])).toEqual([
      [2, 11, 'warning', LIVE_SECRET],
      [3, 22, 'warning', LIVE_SECRET],
    ]);
    expect(found[0]?.message).toMatch(/^looks like an AWS secret access key/);
    expect(found[0]?.fix).toMatch(/environment variable/);
  });
});

describe('validate and register with a secret in the prompt', () => {
  it('validate warns (still ok), register refuses and registers nothing', () => {
    const root = scaffoldWorkspace('basic');
    const prompt = join(root, 'agents/triage/prompts/v1/system.md');
    appendFileSync(prompt, '\nUse the token ghp_aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6 for GitHub.\n');
    const workspace = openWorkspace(root, {}, { XDG_CONFIG_HOME: join(root, 'no-user-config') });
    const report = validateWorkspace({ root, cwd: root });
    const secret = report.diagnostics.find((d) => d.code === LIVE_SECRET);
    expect(report.ok).toBe(true);
    expect(secret).toMatchObject({ file: 'agents/triage/prompts/v1/system.md', severity: 'warning', message: expect.stringMatching(/GitHub token/) });
    expect(
      readFileSync(prompt, 'utf8')
        .split('\n')
        [(secret?.line ?? 0) - 1]?.slice((secret?.col ?? 0) - 1),
    ).toMatch(/^ghp_/);

    const registry = Registry.open(workspace);
    const result = registerSpecs(workspace, registry, root, [], { user: 'alice', team: 'team-qa' });
    expect(result.ok).toBe(false);
    expect(result.report.diagnostics.find((d) => d.code === LIVE_SECRET)?.severity).toBe('error');
    expect(registry.list({})).toEqual([]);
    registry.close();
  });
});
