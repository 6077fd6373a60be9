import { describe, expect, it } from 'vitest';
import { scaffoldWorkspace, writeFile } from '../../../test/support/workspace.js';
import { validateWorkspace } from './validate.js';

const validate = (root: string) => validateWorkspace({ root, cwd: root, defaultPolicy: 'default' });

/** A tool spec whose spec body is `body` (indented by two spaces), so the line numbers below are easy to count. */
const tool = (body: string) =>
  `apiVersion: agentctl/v1\nkind: Tool\nmetadata: { name: ticket, version: 0.1.0, owner: team-qa }\nspec:\n  sideEffects: read\n  implementation: { type: command, command: [x] }\n${body}`;

function diagnosticsOf(body: string) {
  const root = scaffoldWorkspace();
  writeFile(root, 'tools/ticket/tool.yaml', tool(body));
  return validate(root).diagnostics.filter((d) => d.file === 'tools/ticket/tool.yaml');
}

describe('validate: tool JSON Schemas', () => {
  it('a pattern that does not compile is an error at its line:col', () => {
    const found = diagnosticsOf('  input:\n    type: object\n    properties:\n      id: { type: string, pattern: "([A-Z" }\n');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ code: 'invalid-json-schema', line: 10, col: 36, path: 'spec.input.properties.id.pattern', severity: 'error' });
    expect(found[0]?.message).toContain('pattern does not compile');
  });

  it('a misspelt type, an unresolvable $ref and an unknown format, each where it is written', () => {
    expect(diagnosticsOf('  input: { type: object, properties: { id: { type: strnig } } }\n')[0]).toMatchObject({
      line: 7,
      path: 'spec.input.properties.id.type',
      fix: 'type: string',
    });
    const ref = diagnosticsOf('  input:\n    type: object\n    properties:\n      id: { $ref: "#/$defs/ticketId" }\n');
    expect(ref[0]).toMatchObject({ code: 'invalid-json-schema', line: 10, path: 'spec.input.properties.id.$ref' });
    const format = diagnosticsOf('  input: { type: object }\n  output:\n    type: object\n    properties:\n      at: { type: string, format: date-tiem }\n');
    expect(format[0]).toMatchObject({ line: 11, path: 'spec.output.properties.at.format', fix: 'format: date-time' });
  });

  it('anyOf, $ref to $defs and format in a valid schema are accepted', () => {
    const body =
      '  input:\n    type: object\n    $defs: { id: { type: string, pattern: "^[A-Z]+-\\\\d+$" } }\n    properties:\n' +
      '      id: { $ref: "#/$defs/id" }\n      when: { anyOf: [{ type: string, format: date-time }, { type: "null" }] }\n' +
      '      tags: { type: array, minItems: 1, items: { type: string } }\n    required: [id]\n';
    expect(diagnosticsOf(body)).toEqual([]);
  });

  it("a mock whose output violates the output schema fails at the mock's line", () => {
    const body =
      '  input: { type: object, properties: { id: { type: string } } }\n' +
      '  output:\n    type: object\n    required: [status]\n    properties:\n      status: { enum: [open, closed] }\n      tags: { type: array, minItems: 1 }\n' +
      '  mocks:\n    - when: { id: LOGIN-42 }\n      output: { status: open, tags: [auth] }\n' +
      '    - when: { id: LOGIN-43 }\n      output: { status: lost, tags: [] }\n';
    const found = diagnosticsOf(body);
    expect(found.map((d) => [d.code, d.line, d.path])).toEqual([
      ['mock-output-mismatch', 18, 'spec.mocks[1].output.status'],
      ['mock-output-mismatch', 18, 'spec.mocks[1].output.tags'],
    ]);
    expect(found[0]?.message).toContain('must be one of ["open","closed"]');
    expect(found[0]?.fix).toContain('spec.output');
  });

  it("a mock's when is checked as a partial input: wrong values fail, missing required keys and /regex/ do not", () => {
    const body =
      '  input:\n    type: object\n    additionalProperties: false\n    required: [id, team]\n' +
      '    properties: { id: { type: string }, team: { type: string }, limit: { type: integer } }\n' +
      '  mocks:\n    - when: { id: "/LOGIN/" }\n      output: ok\n    - when: { limit: "ten" }\n      output: ok\n    - when: { tema: qa }\n      output: ok\n';
    const found = diagnosticsOf(body);
    expect(found.map((d) => [d.code, d.line, d.path])).toEqual([
      ['mock-input-mismatch', 15, 'spec.mocks[1].when.limit'],
      ['mock-input-mismatch', 17, 'spec.mocks[2].when'],
    ]);
    expect(found[1]?.message).toContain('"tema"');
  });

  it('the scaffolded workspaces validate with their tool schemas and mocks', () => {
    for (const template of ['basic', 'main-sub', 'tool']) expect(validate(scaffoldWorkspace(template)).diagnostics, template).toEqual([]);
  });
});
