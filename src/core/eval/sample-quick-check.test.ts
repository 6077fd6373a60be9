/**
 * The quick check must never say yes where the schema says no (or would change the sample): it is tried on
 * random samples built from every assertion type and field the schema has, with values of every kind.
 */
import { describe, expect, it } from 'vitest';
import { ASSERTION_TYPES, assertionSchema, parseDataset, sampleSchema } from './dataset.js';
import { quickSampleCheck } from './sample-quick-check.js';

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VALUES: unknown[] = [
  '',
  'x',
  'in-order',
  'exact',
  'model',
  0,
  -1,
  0.5,
  1,
  2,
  1.5,
  2 ** 53,
  Number.POSITIVE_INFINITY,
  Number.NaN,
  true,
  false,
  null,
  [],
  ['a'],
  [''],
  [1],
  ['a', 2],
  [null],
  [{ role: 'user', content: 'q' }],
  {},
  { a: 1 },
  JSON.parse('{"__proto__": {"x": 1}}'),
];
const FIELDS_OF = new Map(assertionSchema.options.map((o) => [o.shape.type.value as string, Object.keys(o.shape).filter((k) => k !== 'type')]));
const SAMPLE_FIELDS = [...Object.keys(sampleSchema.shape), 'extra', '__proto__'];
const TYPES = [...ASSERTION_TYPES, 'constructor', 'toString', '__proto__', 7];

/** A value of the kind the field takes, so that many samples are valid and the wrong values come one at a time. */
const RIGHT_KIND: Record<string, unknown> = { values: ['a', 'b'], not: true, weight: 2, threshold: 0.5, tags: ['t'], expected: 'e' };

function randomSample(next: () => number): Record<string, unknown> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const set = (target: Record<string, unknown>, field: string, value: unknown) =>
    Object.defineProperty(target, field, { value, enumerable: true, writable: true, configurable: true });
  const assertion = (): Record<string, unknown> => {
    const type = next() < 0.05 ? pick(TYPES) : pick([...ASSERTION_TYPES.slice(0, 8), ...ASSERTION_TYPES]);
    const out: Record<string, unknown> = { type };
    for (const field of [...(FIELDS_OF.get(String(type)) ?? ['value']), 'not', 'weight', 'threshold', 'extra']) {
      const roll = next();
      if (field === 'extra' ? roll < 0.97 : roll < 0.3) continue;
      set(out, field, roll < 0.9 && field !== 'extra' ? (RIGHT_KIND[field] ?? 'v') : pick(VALUES));
    }
    return out;
  };
  const sample: Record<string, unknown> = {};
  for (const field of SAMPLE_FIELDS) {
    const roll = next();
    const required = ['id', 'input', 'assert'].includes(field);
    if (required ? roll < 0.03 : roll < (field === 'extra' || field === '__proto__' ? 0.97 : 0.75)) continue;
    if (roll > 0.93) set(sample, field, pick(VALUES));
    else if (field === 'assert') set(sample, field, next() < 0.7 ? [assertion()] : [assertion(), assertion()]);
    else set(sample, field, RIGHT_KIND[field] ?? (field === 'id' || field === 'input' ? 'x' : pick(VALUES)));
  }
  return sample;
}

describe('the quick sample check', () => {
  it('never accepts what the schema refuses, nor anything the schema would change', () => {
    const next = random(12);
    let accepted = 0;
    let refusedBySchema = 0;
    for (let i = 0; i < 30_000; i++) {
      const sample = randomSample(next);
      const schema = sampleSchema.safeParse(sample);
      if (!schema.success) refusedBySchema++;
      if (!quickSampleCheck(sample)) continue;
      accepted++;
      expect(schema.success, JSON.stringify(sample)).toBe(true);
      expect(schema.data).toStrictEqual(sample);
    }
    // Neither side of the comparison is empty: thousands of samples of each kind were tried.
    expect(accepted).toBeGreaterThan(1_000);
    expect(refusedBySchema).toBeGreaterThan(10_000);
  });

  it('says yes to the samples most sets are made of', () => {
    const ok = (assertion: object, extra: object = {}) => quickSampleCheck({ id: 'a', input: 'q', assert: [assertion], ...extra });
    for (const type of ['equals', 'contains', 'icontains', 'not-contains', 'starts-with']) expect(ok({ type, value: 'x' })).toBe(true);
    expect(ok({ type: 'contains-any', values: ['a', 'b'] })).toBe(true);
    expect(ok({ type: 'contains-all', values: ['a'], weight: 2, threshold: 0.5, not: false })).toBe(true);
    expect(ok({ type: 'is-json' }, { expected: 'x', tags: ['smoke'] })).toBe(true);
  });

  it('leaves the schema to refuse, and to say why, what it does not accept', () => {
    const line = (assertion: string) => `{"id":"a","input":"q","assert":[${assertion}]}\n`;
    const problems = (text: string) => parseDataset(text, '/w/s.jsonl', `quick-${text}`).diagnostics.map((d) => d.message);
    // 1e999 is Infinity once parsed: a number, but not one the schema takes
    expect(problems(line('{"type":"contains","value":"x","weight":1e999}'))).not.toEqual([]);
    expect(problems(line('{"type":"contains","values":["x"]}'))).not.toEqual([]);
    expect(problems(line('{"type":"contains-any","values":[]}'))).not.toEqual([]);
    expect(problems('{"id":"","input":"q","assert":[{"type":"is-json"}]}\n')).not.toEqual([]);
    // and loads what only the schema knows
    expect(problems(line('{"type":"regex","pattern":"^a"}'))).toEqual([]);
    expect(problems('{"id":"a","input":[{"role":"user","content":"q"}],"assert":[{"type":"is-json"}],"timeoutMs":500}\n')).toEqual([]);
  });
});
