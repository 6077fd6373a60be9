/** Inputs that used to hang validate or flood memory: each must end in seconds with a diagnostic. */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaffoldWorkspace, tempDir, writeFile } from '../../../test/support/workspace.js';
import { validateWorkspace } from './validate.js';

const validate = (root: string) => validateWorkspace({ root, cwd: root, defaultPolicy: 'default' });
const codes = (root: string) => validate(root).diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code}`);
const agentYaml = (root: string) => join(root, 'agents/triage/agent.yaml');
const edit = (root: string, from: string, to: string) => {
  const path = agentYaml(root);
  writeFileSync(path, readFileSync(path, 'utf8').replace(from, to));
};

describe('validate on hostile inputs', () => {
  it('refuses a FIFO and a link to /dev/zero as prompt, knowledge and samples, without opening them', () => {
    const root = scaffoldWorkspace();
    const dir = join(root, 'agents/triage');
    rmSync(join(dir, 'prompts/v1/system.md'));
    execFileSync('mkfifo', [join(dir, 'prompts/v1/system.md')]);
    symlinkSync('/dev/zero', join(dir, 'zero.md'));
    rmSync(join(dir, 'evals/samples.yaml'));
    execFileSync('mkfifo', [join(dir, 'evals/samples.yaml')]);
    edit(root, '  tools:\n', '  knowledge:\n    - ref: zero.md\n  tools:\n');
    const started = performance.now();
    const found = validate(root).diagnostics;
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(found.map((d) => `${d.line}:${d.col} ${d.path} ${d.code}`)).toEqual([
      '11:18 spec.prompt.ref special-file',
      '13:12 spec.knowledge[0].ref path-escape',
      '21:14 spec.evals.dataset special-file',
    ]);
    expect(found[0]?.message).toContain('FIFO');
  });

  it('refuses a link to /dev/zero inside the workspace as a device, not only as a link out', () => {
    const root = scaffoldWorkspace();
    const dir = join(root, 'agents/triage');
    rmSync(join(dir, 'prompts/v1/system.md'));
    symlinkSync('/dev/zero', join(dir, 'prompts/v1/system.md'));
    // realpath leads out of the workspace; either way the file is never read.
    expect(codes(root).some((c) => /agent\.yaml:11:18 (special-file|path-escape)/.test(c))).toBe(true);
  });

  it('refuses a spec that is a FIFO or a link to /dev/zero', () => {
    const root = scaffoldWorkspace();
    rmSync(agentYaml(root));
    execFileSync('mkfifo', [agentYaml(root)]);
    writeFile(root, 'agents/zero/.keep', '');
    symlinkSync('/dev/zero', join(root, 'agents/zero/agent.yaml'));
    expect(codes(root)).toEqual(expect.arrayContaining(['agents/triage/agent.yaml:1:1 special-file', 'agents/zero/agent.yaml:1:1 special-file']));
  });

  it('refuses a 300 MB prompt by its size, before reading it, with the cap and how to raise it', () => {
    const root = scaffoldWorkspace();
    truncateSync(join(root, 'agents/triage/prompts/v1/system.md'), 300 * 1024 * 1024);
    const started = performance.now();
    const found = validate(root).diagnostics;
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ code: 'too-large', line: 11, col: 18 });
    expect(found[0]?.message).toContain('300.0 MiB; the cap is 16.0 MiB');
    expect(found[0]?.fix).toContain('limits.referencedFileBytes');
  });

  it('lets the workspace config raise or lower the referenced-file cap', () => {
    const root = scaffoldWorkspace();
    writeFile(root, '.agentctl/config.yaml', `${readFileSync(join(root, '.agentctl/config.yaml'), 'utf8')}\nlimits: { referencedFileBytes: 10 }\n`);
    expect(codes(root)).toContain('agents/triage/agent.yaml:11:18 too-large');
  });

  it('reports symlinked specs: followed inside the workspace, reported when they lead out or nowhere', () => {
    const root = scaffoldWorkspace();
    const outside = tempDir();
    writeFileSync(join(outside, 'agent.yaml'), readFileSync(agentYaml(root), 'utf8'));
    writeFile(root, 'agents/out/.keep', '');
    symlinkSync(join(outside, 'agent.yaml'), join(root, 'agents/out/agent.yaml'));
    writeFile(root, 'agents/broken/.keep', '');
    symlinkSync(join(root, 'nowhere.yaml'), join(root, 'agents/broken/agent.yaml'));
    expect(codes(root)).toEqual(expect.arrayContaining(['agents/out/agent.yaml:1:1 path-escape', 'agents/broken/agent.yaml:1:1 missing-file']));
  });

  it('reports regular expressions RE2 cannot run at their file:line:col, and accepts catastrophic ones (they run in linear time)', () => {
    const root = scaffoldWorkspace();
    edit(
      root,
      '  tools:\n',
      '  subAgents:\n    - ref: triage@*\n      route: { when: "(?=refund)" }\n    - ref: triage@*\n      route: { when: "^(a+)+$" }\n  tools:\n',
    );
    const found = validate(root).diagnostics.filter((d) => d.code === 'invalid-regex');
    expect(found.map((d) => `${d.line}:${d.col} ${d.path}`)).toEqual(['14:22 spec.subAgents[0].route.when']);
    expect(found[0]?.message).toContain('invalid perl operator');
    expect(found[0]?.fix).toContain('RE2');
  });

  it('caps durations: a budget of more than 24 hours is refused at its position', () => {
    const root = scaffoldWorkspace();
    edit(root, 'timeoutMs: 60000', 'timeoutMs: 9999999999');
    const found = validate(root).diagnostics.filter((d) => d.file.includes('agent.yaml'));
    expect(found.map((d) => `${d.line}:${d.col} ${d.code}`)).toEqual(['14:77 out-of-range']);
    expect(found[0]?.message).toContain('24 hours');
  });

  it('a duplicate key no longer hides the other errors of the file', () => {
    const root = scaffoldWorkspace();
    edit(root, '  owner: team-qa\n', '  owner: team-qa\n  owner: team-qa\n');
    edit(root, 'maxSteps: 6', 'maxSteps: "six"');
    expect(codes(root).filter((c) => c.includes('agent.yaml'))).toEqual([
      'agents/triage/agent.yaml:8:3 duplicate-key',
      'agents/triage/agent.yaml:15:23 wrong-type',
    ]);
  });
});
