import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { random } from '../../../test/support/random.js';
import { AJV_OPTIONS, compileJsonSchema } from './json-schema-check.js';
import { plainlyValidSchema } from './json-schema-plain.js';

const require = createRequire(import.meta.url);
const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
const { default: addFormats } = require('ajv-formats') as { default: typeof import('ajv-formats').default };

/** ajv as json-schema-check configured it before the shortcut: every schema checked against the meta-schema. */
const reference = new Ajv2020(AJV_OPTIONS);
addFormats(reference);
const referenceOk = (schema: unknown): boolean => {
  if (typeof schema !== 'boolean' && (schema === null || typeof schema !== 'object' || Array.isArray(schema))) return false;
  if (!reference.validateSchema(schema as object)) return false;
  try {
    reference.compile(schema as object);
    return true;
  } catch {
    return false;
  }
};

const TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null', 'strng', 'Object', ''];
const nonFinite = (schema: unknown) => {
  let found = false;
  JSON.stringify(schema, (_k, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) found = true;
    return v;
  });
  return found;
};
const VALUES = [null, 1, 2.5, 'x', '', { a: 1, b: 'y' }, { a: 'z' }, [1, 'a'], true];
const ODD = [-1, 1.5, 0, 3, Number.NaN, Number.POSITIVE_INFINITY, '3', null, true, [], {}, 'x', ['a', 'a'], ['a', 'b'], [1], -0.5];

function schemaOf(r: ReturnType<typeof random>, depth: number): unknown {
  if (r.next() < 0.08) return r.pick([true, false, null, 'string', [], 3]);
  const schema: Record<string, unknown> = {};
  const keys = Math.floor(r.next() * 4);
  for (let i = 0; i < keys; i++) {
    const key = r.pick([
      'type',
      'type',
      'properties',
      'items',
      'required',
      'enum',
      'minLength',
      'maximum',
      'multipleOf',
      'anyOf',
      'additionalProperties',
      'uniqueItems',
      'format',
      'description',
      'pattern',
      '$ref',
      'minItem',
      'prefixItems',
      'const',
      'examples',
    ]);
    const odd = r.next() < 0.3;
    const sub = () => (depth < 3 ? schemaOf(r, depth + 1) : { type: 'string' });
    if (odd) schema[key] = r.pick(ODD);
    else if (key === 'type') schema[key] = r.next() < 0.7 ? r.pick(TYPES) : [r.pick(TYPES), r.pick(TYPES)];
    else if (key === 'properties') schema[key] = { a: sub(), b: sub() };
    else if (key === 'items' || key === 'additionalProperties') schema[key] = sub();
    else if (key === 'anyOf') schema[key] = r.next() < 0.2 ? [] : [sub(), sub()];
    else if (key === 'required') schema[key] = r.next() < 0.5 ? ['a', 'b'] : ['a', 'a'];
    else if (key === 'format') schema[key] = r.pick(['email', 'date-time', 'emial']);
    else if (key === 'pattern') schema[key] = r.pick(['^a+$', '[', '\\d']);
    else if (key === '$ref') schema[key] = r.pick(['#', '#/$defs/nope']);
    else if (key === 'prefixItems') schema[key] = [sub()];
    else schema[key] = r.pick(ODD);
  }
  return schema;
}

describe('plainlyValidSchema: a shortcut past the meta-schema, never a different verdict', () => {
  it('answers true only for schemas the meta-schema accepts, and compileJsonSchema decides as before on 3,000 generated schemas', () => {
    const r = random(12);
    let plain = 0;
    let refused = 0;
    for (let i = 0; i < 3_000; i++) {
      const schema = schemaOf(r, 0);
      const text = JSON.stringify(schema);
      if (plainlyValidSchema(schema)) {
        plain++;
        expect(reference.validateSchema(schema as object), text).toBe(true);
      }
      const ok = referenceOk(schema);
      if (!ok) refused++;
      const compiled = compileJsonSchema(schema);
      expect(compiled.ok, text).toBe(ok);
      // ($ref: '#' alone recurses forever on any value, in ajv as anywhere. NaN and Infinity are left out:
      // compileJsonSchema shares validators by JSON text, where they read as null.)
      if (!compiled.ok || text.includes('$ref') || nonFinite(schema)) continue;
      // Compiled now or on the first value, a schema finds the same problems as ajv does directly.
      const validate = reference.compile(schema as object);
      for (const value of VALUES) {
        validate(value);
        const expected = (validate.errors ?? []).map((e) => e.keyword);
        expect(
          compiled.check(value).map((p) => p.keyword),
          `${text} on ${JSON.stringify(value)}`,
        ).toEqual(expected);
      }
    }
    // Both sides were exercised: many schemas took the shortcut, many were refused.
    expect(plain).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(500);
  });

  it('takes the shortcut for the schemas tools usually have, and not for what only the meta-schema can judge', () => {
    expect(plainlyValidSchema({ type: 'object', properties: { key: { type: 'string' } } })).toBe(true);
    expect(plainlyValidSchema({ type: 'object', required: ['q'], additionalProperties: false, properties: { q: { type: 'string', minLength: 1 } } })).toBe(
      true,
    );
    // Valid, but ajv refuses an empty enum and looks formats up when compiling: those compile at once.
    for (const schema of [{ enum: [] }, { type: 'string', format: 'email' }]) {
      expect(plainlyValidSchema(schema), JSON.stringify(schema)).toBe(true);
      expect(plainlyValidSchema(schema, { compiles: true }), JSON.stringify(schema)).toBe(false);
    }
    expect(plainlyValidSchema({ type: 'object', properties: { key: { type: 'string' } } }, { compiles: true })).toBe(true);
    for (const schema of [
      { type: 'object', properties: { id: { type: 'string', pattern: '^[A-Z]+$' } } },
      { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' },
      { type: 'strng' },
      { type: [] },
      { required: ['a', 'a'] },
      { minLength: -1 },
      { maximum: Number.POSITIVE_INFINITY },
      { anyOf: [] },
      Object.assign(Object.create({ inherited: 1 }), { type: 'string' }),
      [],
      null,
    ]) {
      expect(plainlyValidSchema(schema), JSON.stringify(schema)).toBe(false);
    }
  });
});
