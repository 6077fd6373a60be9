/**
 * Schemas that the draft 2020-12 meta-schema cannot refuse, recognised without it. ajv checks a schema
 * against the meta-schema before compiling it, and compiling the meta-schema itself is the first check's
 * largest cost (~60–90 ms, most of a `register` of tools with small input schemas). A schema made only of
 * the keywords below, each holding a value of the type the meta-schema asks for, passes that check by
 * construction; anything else (another keyword, `$schema`, `$ref`, `pattern`, a non-finite number, an
 * object that is not plain) answers false and goes through the meta-schema as before. False is always safe:
 * this is a shortcut, never a verdict. Strict-mode checks (unknown formats, keywords) still happen in compile.
 */

const SIMPLE_TYPES = new Set(['array', 'boolean', 'integer', 'null', 'number', 'object', 'string']);

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};
const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const nonNegativeInteger = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const uniqueStrings = (v: unknown, minItems: number, item: (s: string) => boolean) =>
  Array.isArray(v) && v.length >= minItems && v.every((s) => typeof s === 'string' && item(s)) && new Set(v).size === v.length;

/** Per keyword: whether its value is one the meta-schema accepts (`schema` checks a nested schema). */
const KEYWORDS: Record<string, (value: unknown, schema: (s: unknown) => boolean) => boolean> = {
  type: (v) => (typeof v === 'string' ? SIMPLE_TYPES.has(v) : uniqueStrings(v, 1, (s) => SIMPLE_TYPES.has(s))),
  properties: (v, schema) => isPlainObject(v) && Object.values(v).every(schema),
  items: (v, schema) => schema(v),
  additionalProperties: (v, schema) => schema(v),
  allOf: (v, schema) => Array.isArray(v) && v.length >= 1 && v.every(schema),
  anyOf: (v, schema) => Array.isArray(v) && v.length >= 1 && v.every(schema),
  oneOf: (v, schema) => Array.isArray(v) && v.length >= 1 && v.every(schema),
  required: (v) => uniqueStrings(v, 0, () => true),
  enum: (v) => Array.isArray(v),
  examples: (v) => Array.isArray(v),
  const: () => true,
  default: () => true,
  title: (v) => typeof v === 'string',
  description: (v) => typeof v === 'string',
  $comment: (v) => typeof v === 'string',
  format: (v) => typeof v === 'string',
  minimum: finite,
  maximum: finite,
  exclusiveMinimum: finite,
  exclusiveMaximum: finite,
  multipleOf: (v) => finite(v) && (v as number) > 0,
  minLength: nonNegativeInteger,
  maxLength: nonNegativeInteger,
  minItems: nonNegativeInteger,
  maxItems: nonNegativeInteger,
  minProperties: nonNegativeInteger,
  maxProperties: nonNegativeInteger,
  uniqueItems: (v) => typeof v === 'boolean',
  deprecated: (v) => typeof v === 'boolean',
  readOnly: (v) => typeof v === 'boolean',
  writeOnly: (v) => typeof v === 'boolean',
};

/**
 * Whether `schema` certainly passes the draft 2020-12 meta-schema (false: ask the meta-schema). With
 * `compiles`, also whether ajv's strict mode certainly compiles it: besides the meta-schema, ajv refuses
 * unknown formats and an empty enum (see ajv/lib/vocabularies), so a schema naming a format or with an
 * empty enum answers false; every other keyword here compiles whatever its (valid) value.
 */
export function plainlyValidSchema(schema: unknown, options: { compiles?: boolean } = {}, depth = 0): boolean {
  if (typeof schema === 'boolean') return true;
  // Deep nesting is left to the meta-schema (and its own limits), not to this recursion.
  if (depth > 32 || !isPlainObject(schema)) return false;
  const nested = (s: unknown) => plainlyValidSchema(s, options, depth + 1);
  for (const key of Object.keys(schema)) {
    if (options.compiles && (key === 'format' || (key === 'enum' && Array.isArray(schema[key]) && schema[key].length === 0))) return false;
    const check = Object.hasOwn(KEYWORDS, key) ? KEYWORDS[key] : undefined;
    if (!check?.(schema[key], nested)) return false;
  }
  return true;
}
