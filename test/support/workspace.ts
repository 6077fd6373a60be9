/** Real temp folders and real workspaces for tests, made with the same scaffolder users get. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';
import { applyScaffold, planScaffold } from '../../src/core/scaffold/scaffold.js';
import { findTemplate } from '../../src/core/scaffold/templates.js';

const made: string[] = [];

afterEach(() => {
  while (made.length) rmSync(made.pop() as string, { recursive: true, force: true });
});

export function tempDir(prefix = 'agentctl-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A workspace from a template, as `agentctl init --yes` writes it. */
export function scaffoldWorkspace(template = 'basic', name = 'triage', owner = 'team-qa'): string {
  const root = tempDir();
  const plan = planScaffold(
    root,
    [findTemplate('_workspace', { includeHidden: true }), findTemplate(template)],
    { name, owner, model: 'gpt-4o-mini', provider: 'cassette', gatewayUrl: 'http://localhost:4000/v1' },
    { schemas: true },
  );
  applyScaffold(plan);
  return root;
}

export function writeFile(root: string, path: string, content: string): string {
  const absolute = join(root, path);
  mkdirSync(dirname(absolute), { recursive: true });
  writeFileSync(absolute, content);
  return absolute;
}
