import { describe, expect, it } from 'vitest';
import { checkJsonSchema, compileJsonSchema } from './json-schema-check.js';

const defects = (schema: unknown) => {
  const compiled = compileJsonSchema(schema);
  return compiled.ok ? [] : compiled.defects;
};

describe('checkJsonSchema (ajv, draft 2020-12)', () => {
  it('anyOf: a value matching no branch fails (the old checker ignored anyOf)', () => {
    const schema = { anyOf: [{ type: 'string' }, { type: 'integer' }] };
    expect(checkJsonSchema(schema, 'x')).toEqual([]);
    expect(checkJsonSchema(schema, 3)).toEqual([]);
    expect(checkJsonSchema(schema, 1.5)).toContain('$: must match a schema in anyOf');
  });

  it('$ref to local $defs is followed', () => {
    const schema = { $defs: { id: { type: 'string', pattern: '^[A-Z]+-\\d+$' } }, type: 'object', properties: { ticket: { $ref: '#/$defs/id' } } };
    expect(checkJsonSchema(schema, { ticket: 'LOGIN-42' })).toEqual([]);
    expect(checkJsonSchema(schema, { ticket: 'login' })).toEqual(['$.ticket: must match pattern "^[A-Z]+-\\d+$"']);
  });

  it('minItems, required, enum and additionalProperties say where', () => {
    expect(checkJsonSchema({ type: 'array', minItems: 2 }, [1])).toEqual(['$: must NOT have fewer than 2 items']);
    const object = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string' }, s: { enum: ['a', 'b'] } } };
    expect(new Set(checkJsonSchema(object, { s: 'c', x: 1 }))).toEqual(
      new Set(['$: must NOT have additional properties ("x")', '$: must have property "id"', '$.s: must be one of ["a","b"]']),
    );
  });

  it.each([
    ['email', 'ops@example.com', 'not an address'],
    ['date-time', '2024-05-01T10:00:00Z', '2024-13-01T10:00:00Z'],
    ['uri', 'https://example.com/a', 'not a uri'],
  ])('format %s is checked', (format, good, bad) => {
    expect(checkJsonSchema({ type: 'string', format }, good)).toEqual([]);
    expect(checkJsonSchema({ type: 'string', format }, bad)).toEqual([`$: must match format "${format}"`]);
  });

  it('annotations (title, description, examples, default, $comment) are fine', () => {
    expect(defects({ type: 'object', title: 't', description: 'd', examples: [{}], default: {}, $comment: 'c', properties: {} })).toEqual([]);
  });

  it('reports what is wrong with a schema, with the path inside it', () => {
    expect(defects({ properties: { a: { type: 'strnig' } } })).toEqual([
      { path: ['properties', 'a', 'type'], message: '"strnig" is not a JSON Schema type — did you mean "string"?', fix: 'type: string' },
    ]);
    expect(defects({ properties: { a: { type: 'string', pattern: '([a-z' } } })[0]).toMatchObject({
      path: ['properties', 'a', 'pattern'],
      message: expect.stringContaining('pattern does not compile'),
    });
    expect(defects({ properties: { a: { $ref: '#/$defs/nope' } } })[0]).toMatchObject({
      path: ['properties', 'a', '$ref'],
      message: '$ref #/$defs/nope does not resolve',
    });
    expect(defects({ properties: { a: { format: 'emial' } } })[0]).toMatchObject({ path: ['properties', 'a', 'format'], fix: 'format: email' });
    expect(defects({ properties: { a: { format: 'nonsense-format' } } })[0]?.fix).toMatch(/^use one of .*date-time/);
    expect(defects({ items: { minItem: 2 } })[0]).toMatchObject({ path: ['items', 'minItem'], message: 'unknown keyword "minItem"' });
    expect(defects({ type: 'array', minItems: 'two' })[0]).toMatchObject({ path: ['minItems'], message: 'minItems must be integer' });
  });

  it('a schema that does not compile never passes a value', () => {
    expect(checkJsonSchema({ type: 'strnig' }, 'x')[0]).toMatch(/^the schema is not valid JSON Schema at #\/type/);
  });

  it('compiles an equal schema once, whatever its key order, and allows the same $id twice', () => {
    const a = compileJsonSchema({ type: 'string', minLength: 1 });
    expect(compileJsonSchema({ minLength: 1, type: 'string' })).toBe(a);
    expect(compileJsonSchema({ $id: 'https://example.com/s', type: 'string' }).ok).toBe(true);
    expect(compileJsonSchema({ $id: 'https://example.com/s', type: 'integer' }).ok).toBe(true);
  });

  it('a $schema other than draft 2020-12 is a defect of the schema, not a crash', () => {
    expect(checkJsonSchema({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' }, {})).toEqual([
      expect.stringContaining('$schema http://json-schema.org/draft-07/schema# is not supported'),
    ]);
  });

  it('{ const: NaN } and { const: null } are two schemas (JSON writes NaN as null)', () => {
    expect(checkJsonSchema({ const: Number.NaN }, null)).not.toEqual([]);
    expect(checkJsonSchema({ const: null }, null)).toEqual([]);
    expect(checkJsonSchema({ const: '\u0000NaN' }, '\u0000NaN')).toEqual([]);
  });
});
