/** JSON Schema through the built binary: ajv behind validate and run, errors at file:line:col with the fix. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentctl } from '../support/cli.js';
import { tempDir } from '../support/workspace.js';

const TOOL = 'tools/triage-lookup/tool.yaml';

async function workspace() {
  const cwd = tempDir();
  expect((await agentctl(['init', '.', '--yes', '--template', 'basic', '--name', 'triage', '--owner', 'team-qa'], { cwd })).exitCode).toBe(0);
  return cwd;
}

/** Rewrites the scaffolded tool; returns the 1-based line and column where `marker` ends up. */
function editTool(cwd: string, edit: (text: string) => string, marker: string): { line: number; col: number } {
  const text = edit(readFileSync(join(cwd, TOOL), 'utf8'));
  writeFileSync(join(cwd, TOOL), text);
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(marker));
  expect(line, `marker ${marker}`).toBeGreaterThanOrEqual(0);
  return { line: line + 1, col: (lines[line] as string).indexOf(marker) + 1 };
}

describe('JSON Schema in validate and run', () => {
  it("a mock whose output violates the tool's output schema: validate exits 1 at the mock's line", async () => {
    const cwd = await workspace();
    expect((await agentctl(['validate'], { cwd })).exitCode).toBe(0);
    const at = editTool(cwd, (t) => t.replace('source: "handbook" }', 'source: 42 }'), '42 }');
    const result = await agentctl(['validate'], { cwd });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      `${TOOL}:${at.line}:${at.col}  error  mock 1's output does not match the tool's output schema: output.source must be string`,
    );
    expect(result.stdout).toContain("fix: change the mock's output to match spec.output");
  });

  it('a broken pattern in the input schema and an unknown format in the output schema are errors where they are written', async () => {
    const cwd = await workspace();
    const pattern = editTool(
      cwd,
      (t) =>
        t
          .replace('properties: { query: { type: string, minLength: 1 } }', 'properties: { query: { type: string, pattern: "([a-z" } }')
          .replace('source: { type: string } }', 'source: { type: string }, at: { anyOf: [{ type: string, format: datetime }, { type: "null" }] } }'),
      '"([a-z"',
    );
    const result = await agentctl(['validate', '--json'], { cwd });
    expect(result.exitCode).toBe(1);
    const found = JSON.parse(result.stdout).diagnostics.filter((d: { file: string }) => d.file === TOOL);
    expect(found.map((d: { line: number; col: number; path: string }) => `${d.line}:${d.col} ${d.path}`)).toContain(
      `${pattern.line}:${pattern.col} spec.input.properties.query.pattern`,
    );
    const format = found.find((d: { path: string }) => d.path === 'spec.output.properties.at.anyOf[0].format');
    expect(format).toMatchObject({ code: 'invalid-json-schema', fix: 'format: date-time' });
    expect(format.message).toContain('did you mean "date-time"?');
  });
});
