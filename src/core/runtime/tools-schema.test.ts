import { describe, expect, it } from 'vitest';
import type { ToolDocument } from '../spec/schema.js';
import { executeTool } from './tools.js';

const tool = (spec: Partial<ToolDocument['spec']>): ToolDocument =>
  ({
    apiVersion: 'agentctl/v1',
    kind: 'Tool',
    metadata: { name: 'ticket', version: '0.1.0', owner: 'team-qa' },
    spec: { sideEffects: 'read', implementation: { type: 'command', command: ['x'] }, input: { type: 'object' }, ...spec },
  }) as ToolDocument;

const dry = { live: false, signal: new AbortController().signal };

describe('executeTool checks input and output with ajv', () => {
  it('input: anyOf and $ref are enforced (the old checker let both through)', async () => {
    const t = tool({
      input: {
        type: 'object',
        $defs: { id: { type: 'string', pattern: '^[A-Z]+-\\d+$' } },
        properties: { id: { anyOf: [{ $ref: '#/$defs/id' }, { type: 'integer' }] } },
      },
      mocks: [{ output: { status: 'open' } }],
    });
    expect(await executeTool(t, { id: 'LOGIN-42' }, dry)).toMatchObject({ ok: true });
    expect(await executeTool(t, { id: 7 }, dry)).toMatchObject({ ok: true });
    const bad = await executeTool(t, { id: 'login' }, dry);
    expect(bad).toMatchObject({ ok: false });
    const error = bad.ok ? '' : bad.error;
    expect(error).toMatch(/^input does not match ticket's input schema: \$\.id: /);
    expect(error).toContain('$.id: must match a schema in anyOf');
  });

  it("output: a mock's answer that violates the output schema is a tool error, not data for the model", async () => {
    const output = {
      type: 'object',
      required: ['status'],
      properties: { status: { enum: ['open', 'closed'] }, seen: { type: 'string', format: 'date-time' } },
    };
    const good = tool({ output, mocks: [{ output: { status: 'open', seen: '2024-05-01T10:00:00Z' } }] });
    expect(await executeTool(good, {}, dry)).toEqual({ ok: true, output: { status: 'open', seen: '2024-05-01T10:00:00Z' }, source: 'mock' });
    const bad = await executeTool(tool({ output, mocks: [{ output: { status: 'open', seen: 'yesterday' } }] }), {}, dry);
    expect(bad).toEqual({ ok: false, error: 'the mock output of ticket does not match its output schema: $.seen: must match format "date-time"' });
  });

  it('a tool whose input schema does not compile refuses every call', async () => {
    const t = tool({ input: { type: 'object', properties: { q: { type: 'string', pattern: '([a-z' } } }, mocks: [{ output: 1 }] });
    const result = await executeTool(t, { q: 'a' }, dry);
    expect(result.ok ? '' : result.error).toContain('the schema is not valid JSON Schema at #/properties/q/pattern');
  });
});
