import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/workspace.js';
import { applyScaffold, planScaffold, safeRelativePath } from './scaffold.js';
import { findTemplate, listTemplates } from './templates.js';

const vars = { name: 'triage', owner: 'team-qa', model: 'gpt-4o-mini', provider: 'cassette', gatewayUrl: 'http://localhost:4000/v1' };
const templates = (name: string) => [findTemplate('_workspace', { includeHidden: true }), findTemplate(name)];

describe('templates', () => {
  it('offers basic, main-sub and tool, and hides the building blocks', () => {
    expect(listTemplates().map((t) => t.name)).toEqual(['basic', 'main-sub', 'tool']);
    expect(() => findTemplate('_workspace')).toThrow(/unknown template/);
  });

  it('refuses template names that try to leave scaffolds/', () => {
    expect(() => findTemplate('../../etc')).toThrow(/unknown template/);
    expect(() => findTemplate('/etc')).toThrow(/unknown template/);
  });
});

describe('planScaffold / applyScaffold', () => {
  it('writes the whole workspace: config, gitignore, agent, prompt, evals, policy, cassette, CI', () => {
    const root = tempDir();
    const result = applyScaffold(planScaffold(root, templates('basic'), vars, { schemas: true }));
    for (const path of [
      '.agentctl/config.yaml',
      '.gitignore',
      'agents/triage/agent.yaml',
      'agents/triage/prompts/v1/system.md',
      'agents/triage/evals/samples.yaml',
      'agents/triage/cassettes/default.yaml',
      'policies/default.yaml',
      '.gitlab-ci.yml',
      '.github/workflows/agentctl.yml',
      '.agentctl/schemas/agent.schema.json',
    ]) {
      expect(result.written, path).toContain(path);
    }
    expect(readFileSync(join(root, 'agents/triage/agent.yaml'), 'utf8')).toContain('$schema=../../.agentctl/schemas/agent.schema.json');
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toContain('.agentctl/registry.db');
  });

  it('keeps existing files unless told to overwrite them', () => {
    const root = tempDir();
    mkdirSync(join(root, 'agents/triage/prompts/v1'), { recursive: true });
    writeFileSync(join(root, 'agents/triage/prompts/v1/system.md'), 'mine');
    writeFileSync(join(root, '.gitignore'), 'mine too');
    const plan = planScaffold(root, templates('basic'), vars);
    const result = applyScaffold(plan, (path) => path === '.gitignore');
    expect(result.kept).toEqual(['agents/triage/prompts/v1/system.md']);
    expect(readFileSync(join(root, 'agents/triage/prompts/v1/system.md'), 'utf8')).toBe('mine');
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).not.toBe('mine too');
  });

  it('refuses names that would escape the target', () => {
    const root = tempDir();
    for (const name of ['../evil', '..', 'a/b', '/etc', 'UPPER', 'x'.repeat(51)]) {
      expect(() => planScaffold(root, templates('basic'), { ...vars, name }), name).toThrow(/invalid name/);
    }
    expect(() => planScaffold(root, templates('basic'), { ...vars, owner: '../team' })).toThrow(/invalid owner/);
  });

  it('refuses paths outside the target', () => {
    const root = tempDir();
    expect(() => safeRelativePath(root, '../outside.txt')).toThrow(/outside the target/);
    expect(() => safeRelativePath(root, 'a/../../outside.txt')).toThrow(/outside the target/);
    expect(() => safeRelativePath(root, '/etc/passwd')).toThrow(/outside the target/);
    expect(safeRelativePath(root, './agents/x/agent.yaml')).toBe('agents/x/agent.yaml');
  });

  it('refuses to write through a symbolic link in the target', () => {
    const root = tempDir();
    const elsewhere = tempDir();
    symlinkSync(elsewhere, join(root, 'agents'));
    expect(() => planScaffold(root, templates('basic'), vars)).toThrow(/symbolic link/);
    expect(existsSync(join(elsewhere, 'triage'))).toBe(false);
  });
});
