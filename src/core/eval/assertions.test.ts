import { describe, expect, it } from 'vitest';
import { tempDir, writeFile } from '../../../test/support/workspace.js';
import { type AssertionContext, evaluateAssertion, type Observation, parseVerdict } from './assertions.js';
import type { Assertion } from './dataset.js';

const obs: Observation = {
  input: 'What is the status of LOGIN-42?',
  output: 'LOGIN-42 is in progress, assigned to the web team.',
  expected: undefined,
  status: 'succeeded',
  toolCalls: [
    { name: 'tracker', args: { key: 'LOGIN-42', verbose: true } },
    { name: 'notify', args: { channel: '#web' } },
  ],
  routes: ['planner'],
  steps: 3,
  latencyMs: 120,
  tokens: 400,
  costUsd: 0.002,
  fallback: null,
};
const ctx: AssertionContext = { judge: async () => ({ pass: true, score: 0.8, reason: 'fine' }), dir: '/' };
const run = (a: Assertion, o: Partial<Observation> = {}, c: Partial<AssertionContext> = {}) => evaluateAssertion(a, { ...obs, ...o }, { ...ctx, ...c });

describe('assertions', () => {
  it.each<[Assertion, boolean]>([
    [{ type: 'equals', value: 'LOGIN-42 is in progress, assigned to the web team.' }, true],
    [{ type: 'contains', value: 'in progress' }, true],
    [{ type: 'icontains', value: 'WEB TEAM' }, true],
    [{ type: 'not-contains', value: 'error' }, true],
    [{ type: 'starts-with', value: 'LOGIN-42' }, true],
    [{ type: 'contains-any', values: ['nope', 'web'] }, true],
    [{ type: 'contains-all', values: ['web', 'nope'] }, false],
    [{ type: 'regex', pattern: 'LOGIN-\\d+' }, true],
    [{ type: 'is-json' }, false],
    [{ type: 'tool-called', name: 'tracker', args: { key: 'LOGIN-42' } }, true],
    [{ type: 'tool-called', name: 'tracker', args: { key: 'LOGIN-42' }, match: 'exact' }, false],
    [{ type: 'tool-called', name: 'tracker', args: { key: '^LOGIN-\\d+$' }, match: 'regex' }, true],
    [{ type: 'tool-sequence', names: ['tracker', 'notify'] }, true],
    [{ type: 'tool-sequence', names: ['notify', 'tracker'] }, false],
    [{ type: 'tool-sequence', names: ['notify', 'tracker'], order: 'any-order' }, true],
    [{ type: 'not-tool-called', name: 'delete-ticket' }, true],
    [{ type: 'routed-to', agent: 'planner' }, true],
    [{ type: 'max-steps', value: 2 }, false],
    [{ type: 'max-latency', ms: 500 }, true],
    [{ type: 'max-cost', usd: 0.001 }, false],
    [{ type: 'max-tokens', value: 400 }, true],
    [{ type: 'contains', value: 'error', not: true }, true],
  ])('%j → %s', async (assertion, pass) => {
    expect((await run(assertion)).pass).toBe(pass);
  });

  it('scores partially, and a threshold decides', async () => {
    const half = await run({ type: 'contains-all', values: ['web', 'nope'], threshold: 0.5 });
    expect(half).toMatchObject({ pass: true, score: 0.5 });
  });

  it('json-schema checks parsed output', async () => {
    const schema = { type: 'object', required: ['status'], properties: { status: { enum: ['open', 'closed'] } } };
    expect((await run({ type: 'json-schema', schema }, { output: '{"status":"open"}' })).pass).toBe(true);
    const bad = await run({ type: 'json-schema', schema }, { output: '{"status":"lost"}' });
    expect(bad.pass).toBe(false);
    expect(bad.reason).toContain('must be one of');
  });

  it('json-schema implements anyOf (it used to pass any value), and a schema that does not compile is an error, not a pass', async () => {
    const schema = { type: 'object', properties: { id: { anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^[A-Z]+-\\d+$' }] } } };
    expect((await run({ type: 'json-schema', schema }, { output: '{"id":"LOGIN-42"}' })).pass).toBe(true);
    const wrong = await run({ type: 'json-schema', schema }, { output: '{"id":"login"}' });
    expect(wrong).toMatchObject({ pass: false });
    expect(wrong.error).toBeUndefined();
    expect(wrong.reason).toContain('$.id: must match a schema in anyOf');
    const broken = await run(
      { type: 'json-schema', schema: { type: 'object', properties: { id: { type: 'string', pattern: '([A-Z' } } } },
      { output: '{"id":"x"}' },
    );
    expect(broken).toMatchObject({ pass: false, error: true });
    expect(broken.reason).toContain('#/properties/id/pattern');
    // `not` must not turn a broken check into a pass either.
    expect(await run({ type: 'json-schema', not: true, schema: { type: 'strnig' } }, { output: '{}' })).toMatchObject({ pass: false, error: true });
  });

  it('judge: the verdict decides, a threshold reads its score', async () => {
    expect((await run({ type: 'judge', rubric: 'is polite' })).pass).toBe(true);
    expect((await run({ type: 'judge', rubric: 'is polite', threshold: 0.9 })).pass).toBe(false);
    expect(parseVerdict('Sure! {"pass": false, "score": 0.2, "reason": "rude"}')).toEqual({ pass: false, score: 0.2, reason: 'rude' });
    expect(() => parseVerdict('I think it is fine.')).toThrow(/not a verdict/);
    const broken = await run({ type: 'judge', rubric: 'x' }, {}, { judge: async () => parseVerdict('no json') });
    expect(broken).toMatchObject({ pass: false, error: true });
  });

  it('javascript: a function file in a worker; throwing and hanging are errors, not failures', async () => {
    const dir = tempDir();
    writeFile(dir, 'ok.mjs', 'export default (output, ctx) => ({ pass: output.includes("LOGIN") && ctx.steps === 3, reason: "checked" });');
    writeFile(dir, 'named.mjs', 'export const score = () => 0.25;');
    writeFile(dir, 'throws.mjs', 'export default () => { throw new Error("boom"); };');
    writeFile(dir, 'hangs.mjs', 'export default () => { for (;;) {} };');
    expect(await run({ type: 'javascript', file: 'ok.mjs' }, {}, { dir })).toMatchObject({ pass: true, reason: 'javascript: checked' });
    expect(await run({ type: 'javascript', file: 'named.mjs', export: 'score', threshold: 0.2 }, {}, { dir })).toMatchObject({ pass: true, score: 0.25 });
    expect(await run({ type: 'javascript', file: 'throws.mjs' }, {}, { dir })).toMatchObject({ error: true, reason: expect.stringContaining('threw: boom') });
    const started = Date.now();
    expect(await run({ type: 'javascript', file: 'hangs.mjs', timeoutMs: 300 }, {}, { dir })).toMatchObject({
      error: true,
      reason: expect.stringContaining('did not return within 300 ms'),
    });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('regex assertions on hostile patterns', () => {
  it('a catastrophic pattern ends in milliseconds (RE2, not a backtracking engine)', async () => {
    const started = performance.now();
    const result = await run({ type: 'regex', pattern: '^(a+)+$' }, { output: `${'a'.repeat(50_000)}!` });
    expect(result.score).toBe(0);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
