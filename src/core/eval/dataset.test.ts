import { describe, expect, it } from 'vitest';
import { tempDir, writeFile } from '../../../test/support/workspace.js';
import { compareResults } from './compare.js';
import { ASSERTION_TYPES, loadDataset, sampleSchema } from './dataset.js';
import type { SampleResult } from './results.js';
import { SummaryBuilder, summarize } from './results.js';

const load = (name: string, text: string) => {
  const dir = tempDir();
  return loadDataset(writeFile(dir, name, text), name);
};
const codes = (d: ReturnType<typeof load>) => d.diagnostics.map((x) => `${x.line}:${x.col} ${x.code}`);

describe('sample sets', () => {
  it('reads YAML and JSONL with conversations, mocks and tags', () => {
    const yaml = load('s.yaml', 'samples:\n  - id: a\n    input: hi\n    assert: [{ type: contains, value: hi }]\n    tags: [smoke]\n');
    expect([...yaml.samples].map((s) => s.id)).toEqual(['a']);
    expect(yaml.digest).toMatch(/^sha256:/);
    const jsonl = load(
      's.jsonl',
      '{"id":"a","input":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"},{"role":"user","content":"bye"}],"assert":[{"type":"is-json"}]}\n\n{"id":"b","input":"x","mocks":{"t":[{"output":1}]},"assert":[{"type":"equals","value":"1"}]}\n',
    );
    expect(jsonl.diagnostics).toEqual([]);
    expect(jsonl.samples).toHaveLength(2);
  });

  it('keeps a JSONL set as checked lines, reading a sample again when it is asked for', () => {
    const lines = Array.from({ length: 5000 }, (_, i) =>
      JSON.stringify({ id: `s${i}`, input: `q ${i}`, timeoutMs: 2000, assert: [{ type: 'contains', value: `${i}` }] }),
    );
    const d = load('big.jsonl', `${lines.slice(0, 2500).join('\n')}\n\n${lines.slice(2500).join('\n')}`);
    expect(d.diagnostics).toEqual([]);
    expect(d.samples.length).toBe(5000);
    // The checked line read again, a fresh object each time.
    expect(d.samples.at(2500)).toEqual({ id: 's2500', input: 'q 2500', timeoutMs: 2000, assert: [{ type: 'contains', value: '2500' }] });
    expect(d.samples.at(-1)?.id).toBe('s4999');
    expect(d.samples.at(5000)).toBeUndefined();
    expect(d.samples.at(7)).not.toBe(d.samples.at(7));
    expect([...d.samples].map((s) => s.id)).toEqual(lines.map((_, i) => `s${i}`));
    // A duplicate id after the blank line is found and located on its own line.
    const dup = load('dup.jsonl', `${lines[0]}\n\n${lines[0]}\n`);
    expect(codes(dup)).toEqual(['3:1 duplicate-id']);
  });

  it('reads each sample back as sampleSchema gives it: the schema adds and changes nothing', () => {
    // JsonlSamples.at returns the line's JSON unchecked; a default or a transform added to the schema would
    // make that differ from the checked sample. Every assertion type, with only its required fields (where a
    // default would show), and every optional field of a sample and a mock left out once.
    const minimal: Record<string, Record<string, unknown>> = {
      equals: { value: 'x' },
      contains: { value: 'x' },
      icontains: { value: 'x' },
      'not-contains': { value: 'x' },
      'starts-with': { value: 'x' },
      'contains-any': { values: ['x'] },
      'contains-all': { values: ['x'] },
      regex: { pattern: 'x' },
      'is-json': {},
      'json-schema': { schema: { type: 'object' } },
      'tool-called': { name: 't' },
      'tool-sequence': { names: ['t'] },
      'not-tool-called': { name: 't' },
      'routed-to': { agent: 'a' },
      'fell-back': {},
      'max-steps': { value: 3 },
      'max-latency': { ms: 10 },
      'max-cost': { usd: 0.1 },
      'max-tokens': { value: 10 },
      judge: { rubric: 'r' },
      javascript: { file: 'check.mjs' },
    };
    expect(Object.keys(minimal).sort()).toEqual([...ASSERTION_TYPES].sort());
    const samples = [
      { id: 'a', input: 'hi', assert: Object.entries(minimal).map(([type, fields]) => ({ type, ...fields })) },
      {
        id: 'b',
        input: [{ role: 'user', content: 'hi' }],
        expected: 'e',
        tags: ['t'],
        timeoutMs: 5,
        mocks: { t: [{}, { when: { q: 1 }, output: null, error: 'x' }] },
        assert: [{ type: 'is-json', not: true, weight: 2, threshold: 0.5 }],
      },
    ];
    const dir = tempDir();
    writeFile(dir, 'check.mjs', 'export default () => true;\n');
    const d = loadDataset(writeFile(dir, 's.jsonl', samples.map((s) => JSON.stringify(s)).join('\n')), 's.jsonl');
    expect(d.diagnostics).toEqual([]);
    for (const [i, s] of samples.entries()) expect(d.samples.at(i)).toStrictEqual(sampleSchema.parse(s));
  });

  it('reads back a "__proto__" key in a record as the schema does: dropped, written out or escaped', () => {
    // The one thing the schema changes: a record drops an own "__proto__" key (JSON.parse keeps it), which
    // would turn `args: {"__proto__": "x"}` into a different assertion, and replace the prototype of the mocks.
    const lines = [
      '{"id":"a","input":"hi","mocks":{"__proto__":[{"output":1}],"t":[{"when":{"__proto__":"x","q":1}}]},"assert":[{"type":"tool-called","name":"t","args":{"__proto__":"x"}}]}',
      '{"id":"b","input":"hi","assert":[{"type":"json-schema","schema":{"\\u005f_proto__":{"type":"string"}}}]}',
      '{"id":"c","input":"hi \\u00e9","assert":[{"type":"is-json"}]}',
    ];
    const d = load('p.jsonl', lines.join('\n'));
    expect(d.diagnostics).toEqual([]);
    for (const [i, line] of lines.entries()) expect(d.samples.at(i)).toStrictEqual(sampleSchema.parse(JSON.parse(line)));
    expect(Object.keys(d.samples.at(0)?.mocks ?? {})).toEqual(['t']);
    expect(Object.getPrototypeOf(d.samples.at(0)?.mocks)).toBe(Object.prototype);
  });

  it('points at a syntax error, in YAML and in JSONL', () => {
    expect(codes(load('s.yaml', 'samples:\n  - id: a\n    input: [unclosed\n'))[0]).toMatch(/^\d+:\d+ yaml-syntax$/);
    expect(codes(load('s.jsonl', '{"id":"a","input":"x","assert":[{"type":"is-json"}]}\n{"id": "b", oops}\n'))).toEqual([
      expect.stringMatching(/^2:\d+ json-syntax$/),
    ]);
  });

  it('names an unknown assertion type with a suggestion', () => {
    const d = load('s.yaml', 'samples:\n  - id: a\n    input: hi\n    assert:\n      - type: icontain\n        value: x\n');
    expect(codes(d)).toEqual(['5:15 unknown-assertion']);
    expect(d.diagnostics[0]?.message).toContain('did you mean "icontains"');
  });

  it('refuses a regex that does not compile, a missing javascript file, and duplicate ids', () => {
    const d = load(
      's.yaml',
      'samples:\n  - id: a\n    input: hi\n    assert:\n      - { type: regex, pattern: "(unclosed" }\n  - id: a\n    input: hi\n    assert:\n      - { type: javascript, file: missing.mjs }\n',
    );
    expect(d.diagnostics.map((x) => x.code).sort()).toEqual(['duplicate-id', 'invalid-regex', 'missing-file']);
    expect(d.diagnostics.find((x) => x.code === 'invalid-regex')).toMatchObject({ line: 5 });
  });
});

const result = (sampleId: string, status: SampleResult['status'], iteration = 1, pass = status === 'pass'): SampleResult => ({
  sampleId,
  iteration,
  runId: null,
  status,
  score: pass ? 1 : 0,
  assertions: [{ type: 'contains', pass, score: pass ? 1 : 0, weight: 1, reason: pass ? 'ok' : 'lacks "x"' }],
  output: '',
  error: null,
  latencyMs: 10,
  tokens: 5,
  costUsd: 0.001,
  tags: [],
});

describe('comparison with a baseline', () => {
  it('finds newly failing and newly passing samples, assertion by assertion', () => {
    const c = compareResults(
      'a@1.0.0',
      'sha256:x',
      [result('s1', 'pass'), result('s2', 'fail'), result('s3', 'pass'), result('old', 'pass')],
      [result('s1', 'fail'), result('s2', 'pass'), result('s3', 'pass'), result('new', 'pass')],
    );
    expect(c.newlyFailing.map((x) => x.sampleId)).toEqual(['s1']);
    expect(c.newlyFailing[0]?.assertions).toEqual([{ index: 0, type: 'contains', was: true, now: false, reason: 'lacks "x"' }]);
    expect(c.newlyPassing.map((x) => x.sampleId)).toEqual(['s2']);
    expect(c).toMatchObject({ regressions: 1, added: ['new'], removed: ['old'] });
  });

  it('with repeats, a sample that passes sometimes is flaky, not a regression', () => {
    const current = [result('s1', 'pass', 1), result('s1', 'fail', 2), result('s1', 'pass', 3)];
    const c = compareResults('a@1.0.0', 'sha256:x', [result('s1', 'pass', 1), result('s1', 'pass', 2), result('s1', 'pass', 3)], current);
    expect(c.regressions).toBe(0);
    expect(c.flaky.map((x) => [x.sampleId, x.currentRate])).toEqual([['s1', 2 / 3]]);
    expect(summarize(current)).toMatchObject({ flaky: ['s1'], samplePassRates: { s1: 2 / 3 }, executions: 3, passed: 2 });
  });
});

describe('streaming summaries and comparisons (an eval never holds its results)', () => {
  it('compares streams: the baseline in any order, the current results grouped by sample, as the store yields them', () => {
    const n = 20_000;
    const baseline = function* () {
      for (let i = n - 1; i >= 0; i--) yield result(`s${i}`, i % 1000 === 0 ? 'fail' : 'pass');
    };
    const current = function* () {
      for (let i = 0; i < n; i++) for (let k = 1; k <= 2; k++) yield result(`s${i}`, i % 1000 === 1 ? 'fail' : 'pass', k);
    };
    const c = compareResults('a@1.0.0', 'sha256:x', baseline(), current());
    expect(c.newlyFailing).toHaveLength(n / 1000);
    expect(c.newlyPassing).toHaveLength(n / 1000);
    expect(c.newlyFailing[0]).toMatchObject({ sampleId: 's1', baselineRate: 1, currentRate: 0, assertions: [{ index: 0, was: true, now: false }] });
    expect(c).toMatchObject({ added: [], removed: [], flaky: [] });
  });

  it('a summary built with the repeat count drops each sample once its last repeat is in, and says the same', () => {
    const results = [
      result('a', 'pass', 2),
      result('b', 'fail', 1),
      result('a', 'fail', 1),
      result('b', 'fail', 2),
      result('c', 'pass', 1),
      result('a', 'pass', 3),
      result('b', 'pass', 3),
    ];
    const builder = new SummaryBuilder(3);
    for (const r of results) builder.add(r);
    const held = (builder as unknown as { perSample: Map<string, unknown> }).perSample;
    // Only c, still waiting for two repeats (an interrupted eval): a and b are folded into counts.
    expect([...held.keys()]).toEqual(['c']);
    expect(builder.summary()).toEqual(summarize(results));
    expect(builder.summary()).toMatchObject({ samples: 3, executions: 7, flaky: ['a', 'b'], samplePassRates: { a: 2 / 3, b: 1 / 3 } });
  });
});
