/** Evidence is digest-complete: assertion code is part of the version, and an eval of a version runs its bytes. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { agentctl } from '../support/cli.js';
import { tempDir, writeFile } from '../support/workspace.js';

async function workspace() {
  const cwd = tempDir();
  expect((await agentctl(['init', '.', '--yes', '--template', 'basic', '--name', 'triage', '--owner', 'team-qa'], { cwd })).exitCode).toBe(0);
  return cwd;
}

const SAMPLES = 'samples:\n  - id: strict\n    input: What is our refund policy?\n    assert: [{ type: javascript, file: checks/strict.mjs }]\n';

describe('digest-complete evidence', () => {
  it('a javascript assertion and the module it imports are in the digest; eval of the version runs the registered bytes', async () => {
    const cwd = await workspace();
    writeFile(cwd, 'agents/triage/evals/samples.yaml', SAMPLES);
    writeFile(cwd, 'agents/triage/evals/checks/strict.mjs', "import { verdict } from './lib/verdict.mjs';\nexport default (output) => verdict(output);\n");
    writeFile(cwd, 'agents/triage/evals/checks/lib/verdict.mjs', 'export const verdict = () => false;\n');
    const registered = await agentctl(['register', 'agents/triage', '--json'], { cwd });
    expect(registered.exitCode, registered.stderr).toBe(0);
    const files = JSON.parse((await agentctl(['show', 'triage@0.1.0', '--json'], { cwd })).stdout).files.map((f: { path: string }) => f.path);
    expect(files).toEqual(expect.arrayContaining(['evals/checks/strict.mjs', 'evals/checks/lib/verdict.mjs']));

    // Faking the check in the workspace: the version's digest no longer matches, so register refuses...
    writeFile(cwd, 'agents/triage/evals/checks/lib/verdict.mjs', 'export const verdict = () => true;\n');
    const again = await agentctl(['register', 'agents/triage'], { cwd });
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/already registered|different digest|never change/);
    // ...and the eval of the registered version still runs the registered (failing) check.
    const evalOfVersion = JSON.parse((await agentctl(['eval', 'triage@0.1.0', '--json'], { cwd })).stdout);
    expect(evalOfVersion.results[0]).toMatchObject({ sampleId: 'strict', status: 'fail' });
    // Rewriting the check in the materialized cache is caught: the cache is rewritten from the version's bytes.
    const cached = readdirSync(join(cwd, '.agentctl/cache/versions'))[0] as string;
    writeFile(join(cwd, '.agentctl/cache/versions', cached), 'evals/checks/lib/verdict.mjs', 'export const verdict = () => true;\n');
    const afterTamper = JSON.parse((await agentctl(['eval', 'triage@0.1.0', '--json'], { cwd })).stdout);
    expect(afterTamper.results[0]).toMatchObject({ status: 'fail' });
    // The workspace copy is another digest: its (passing) eval is no evidence for 0.1.0.
    const evalOfWorkspace = JSON.parse((await agentctl(['eval', 'triage', '--json'], { cwd })).stdout);
    expect(evalOfWorkspace.results[0]).toMatchObject({ status: 'pass' });
    expect(evalOfWorkspace.digest).not.toBe(evalOfVersion.digest);

    // The evidence records what else decided it: agentctl's version, the provider, the models, the policies.
    const db = new Database(join(cwd, '.agentctl/registry.db'), { readonly: true });
    const stored = JSON.parse(db.prepare('SELECT summary FROM evals WHERE eval_id = ?').pluck().get(evalOfVersion.evalId) as string);
    db.close();
    expect(stored.environment).toEqual({ agentctl: expect.stringMatching(/^\d+\.\d+\.\d+/), provider: 'cassette', models: ['gpt-4o-mini'] });
    expect(stored.policies).toEqual([expect.objectContaining({ name: 'default' })]);
  });

  it('assertion paths outside the agent folder are refused where they are written', async () => {
    const cwd = await workspace();
    writeFile(cwd, 'outside.mjs', 'export default () => true;\n');
    for (const path of ['../../../outside.mjs', '/etc/passwd']) {
      writeFile(cwd, 'agents/triage/evals/samples.yaml', `samples:\n  - id: s\n    input: hi\n    assert: [{ type: javascript, file: "${path}" }]\n`);
      const result = await agentctl(['validate'], { cwd });
      expect(result.exitCode).toBe(1);
      expect(result.stdout + result.stderr).toMatch(/samples\.yaml:4:\d+/);
      expect(result.stdout + result.stderr).toContain('must stay inside the agent folder');
    }
    // A check that imports from outside the folder cannot be registered either.
    writeFile(cwd, 'agents/triage/evals/samples.yaml', SAMPLES);
    writeFile(cwd, 'agents/triage/evals/checks/strict.mjs', "import x from '../../../../outside.mjs';\nexport default () => x();\n");
    const refused = await agentctl(['register', 'agents/triage'], { cwd });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('outside the agent folder');
  });
});
