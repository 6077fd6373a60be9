/** `eval --all` through the real binary writes ONE JUnit document and ONE Markdown document, checked by xmllint. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentctl } from '../support/cli.js';
import { tempDir } from '../support/workspace.js';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const attrs = (text: string, tag: string, name: string) => [...text.matchAll(new RegExp(`<${tag} [^>]*\\b${name}="([^"]+)"`, 'g'))].map((m) => Number(m[1]));

describe('eval --all reports', () => {
  it('one valid JUnit document with a suite per agent and top-level counts that add up; one Markdown document', async () => {
    const cwd = tempDir();
    await agentctl(['init', '.', '--yes', '--template', 'main-sub', '--name', 'triage', '--owner', 'team-qa'], { cwd });
    const result = await agentctl(['eval', '--all', '--junit', 'f.xml', '--md', 'f.md'], { cwd });
    expect(result.stderr).toContain('wrote f.xml');
    const file = join(cwd, 'f.xml');
    const lint = spawnSync('xmllint', ['--noout', file], { encoding: 'utf8' });
    expect(lint.stderr).toBe('');
    expect(lint.status).toBe(0);
    const xml = readFileSync(file, 'utf8');
    expect(xml.match(/<testsuites /g)).toHaveLength(1);
    const suites = [...xml.matchAll(/<testsuite name="([^"]+)"/g)].map((m) => m[1]);
    expect(suites.sort()).toEqual(['triage-planner@0.1.0', 'triage-writer@0.1.0', 'triage@0.1.0']);
    for (const name of ['tests', 'failures', 'errors', 'skipped']) expect(attrs(xml, 'testsuites', name), name).toEqual([sum(attrs(xml, 'testsuite', name))]);
    expect(attrs(xml, 'testsuites', 'tests')).toEqual([(xml.match(/<testcase /g) ?? []).length]);
    expect(attrs(xml, 'testsuites', 'time')[0]).toBeCloseTo(sum(attrs(xml, 'testsuite', 'time')), 6);

    const md = readFileSync(join(cwd, 'f.md'), 'utf8');
    expect(md.match(/^# /gm)).toHaveLength(1);
    expect(md.match(/^## Eval: /gm)).toHaveLength(3);
  });
});
