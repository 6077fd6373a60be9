/**
 * JSON Schema (draft 2020-12) for user-written schemas — tool input/output, mocks, the `json-schema`
 * assertion — checked by ajv with ajv-formats. Our own specs are zod; this is for schemas users write.
 *
 * ajv is loaded on the first check, not when this module is imported: building its draft 2020-12
 * instance costs tens of milliseconds that `--help` and read commands must not pay. It is a synchronous
 * `require()` (bundled by esbuild into a lazily evaluated wrapper) rather than `import()`, because
 * `validate` runs inside synchronous callers (resolving an agent for `run`, `register`, the playground).
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type { PathSegment } from '../spec/diagnostics.js';
import { didYouMean } from '../spec/diagnostics.js';
import { plainlyValidSchema } from './json-schema-plain.js';

/** What is wrong with a schema itself, and where inside it. */
export interface SchemaDefect {
  /** Path inside the schema object, e.g. ['properties', 'id', 'pattern']. */
  path: PathSegment[];
  message: string;
  fix: string;
}

/** A value that does not match: its path (JSON pointer segments) inside the value, and why. */
export interface ValueProblem {
  path: PathSegment[];
  keyword: string;
  message: string;
}

export type CompiledSchema = { ok: true; check: (value: unknown) => ValueProblem[] } | { ok: false; defects: SchemaDefect[] };

let engine: Ajv2020 | undefined;
let formatNames: string[] = [];

/**
 * strict: unknown keywords (a typo such as minItem) and unknown formats are errors, not silently ignored;
 * annotations (title, description, examples, default, …) are keywords of the draft and stay fine.
 * strictTypes/strictTuples/strictRequired only lint style (properties without type: object, required
 * names not listed under properties) and would log to the console or refuse valid schemas.
 */
export const AJV_OPTIONS = {
  strict: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  allErrors: true,
  allowUnionTypes: true,
  logger: false,
} as const;

function ajv(): Ajv2020 {
  if (engine) return engine;
  const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const { default: addFormats } = require('ajv-formats') as { default: typeof import('ajv-formats').default };
  const instance = new Ajv({
    ...AJV_OPTIONS,
    // compile() below checks each schema against the meta-schema itself, first, unless plainlyValidSchema
    // shows it passes: left on, ajv's compile would check again and build the meta-schema every time.
    validateSchema: false,
  });
  addFormats(instance);
  formatNames = Object.keys(instance.formats);
  engine = instance;
  return instance;
}

// Compiled schemas by object (the same tool spec on every call) and by canonical text (an equal schema
// from another load): compiling is the expensive part and this sits on the eval's hot path.
const byObject = new WeakMap<object, CompiledSchema>();
const byText = new Map<string, CompiledSchema>();

/** Compiles a JSON Schema once; a schema that is not valid draft 2020-12 comes back as its defects. */
export function compileJsonSchema(schema: unknown): CompiledSchema {
  if (schema !== null && typeof schema === 'object') {
    const cached = byObject.get(schema);
    if (cached) return cached;
  }
  const text = canonicalJson(schema);
  let compiled = byText.get(text);
  if (!compiled) {
    compiled = compile(schema);
    byText.set(text, compiled);
  }
  if (schema !== null && typeof schema === 'object') byObject.set(schema, compiled);
  return compiled;
}

function compile(schema: unknown): CompiledSchema {
  if (typeof schema !== 'boolean' && (schema === null || typeof schema !== 'object' || Array.isArray(schema))) {
    return {
      ok: false,
      defects: [{ path: [], message: 'a JSON Schema must be an object (or true/false)', fix: 'write a schema object, e.g. { type: object }' }],
    };
  }
  // Valid and certain to compile: ajv (~30 ms to load) waits for the first value to check, which `register`
  // and `validate` of tools with plain input schemas never have.
  if (plainlyValidSchema(schema, { compiles: true })) {
    // Not a copy: specs are never changed once parsed, and a clone would turn class instances in const or
    // enum values into plain objects (ajv's equality compares constructors).
    let validate: ValidateFunction | undefined;
    return {
      ok: true,
      check: (value) => {
        validate ??= ajv().compile(schema as object | boolean);
        return validate(value) ? [] : (validate.errors ?? []).map(valueProblem);
      },
    };
  }
  const instance = ajv();
  let valid: boolean;
  try {
    valid = plainlyValidSchema(schema) || (instance.validateSchema(schema as object) as boolean);
  } catch (error) {
    // ajv throws, rather than answers, for a $schema it has no meta-schema for (draft-07, a typo).
    return { ok: false, defects: [dialectDefect(schema, error as Error)] };
  }
  if (!valid) return { ok: false, defects: metaDefects(instance.errors ?? [], schema) };
  let validate: ValidateFunction;
  try {
    validate = instance.compile(schema as object);
  } catch (error) {
    return { ok: false, defects: [compileDefect(schema, error as Error & { missingRef?: string })] };
  } finally {
    // Schemas are compiled anonymously; drop anything ajv registered by $id so the next one may reuse it.
    if (typeof schema === 'object' && schema !== null && typeof (schema as { $id?: unknown }).$id === 'string') {
      instance.removeSchema((schema as { $id: string }).$id);
    }
  }
  return { ok: true, check: (value) => (validate(value) ? [] : (validate.errors ?? []).map(valueProblem)) };
}

/** The problems of `value` against `schema` as readable lines (`$.items[0]: must be string`); a bad schema is one line. */
export function checkJsonSchema(schema: unknown, value: unknown): string[] {
  const compiled = compileJsonSchema(schema);
  if (!compiled.ok) return compiled.defects.map((d) => `the schema is not valid JSON Schema at ${pointerText(d.path)}: ${d.message}`);
  return compiled.check(value).map((p) => `${dollarPath(p.path)}: ${p.message}`);
}

function metaDefects(errors: ErrorObject[], schema: unknown): SchemaDefect[] {
  // Meta-schema errors come in families (every branch of an anyOf fails); the deepest ones say what is wrong.
  const relevant = errors.filter((e) => !['anyOf', 'oneOf', 'if', '$dynamicRef'].includes(e.keyword));
  const seen = new Set<string>();
  const defects: SchemaDefect[] = [];
  for (const error of relevant.length ? relevant : errors) {
    const path = pointerSegments(error.instancePath);
    // A bad `type` fails both branches of the meta-schema's anyOf (a name, a list): report it once.
    const key = path.at(-1) === 'type' || path.at(-2) === 'type' ? error.instancePath : `${error.instancePath}|${error.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const last = path.at(-1);
    if (error.keyword === 'format' && (error.params as { format?: string }).format === 'regex') {
      defects.push({ path, message: 'pattern does not compile as a regular expression', fix: 'fix the pattern (ECMA-262 syntax with the u flag)' });
    } else if (last === 'type' || path.at(-2) === 'type') {
      const written = valueAt(schema, path);
      const suggestion = typeof written === 'string' ? didYouMean(written, TYPES) : undefined;
      defects.push({
        path,
        message: `${JSON.stringify(written)} is not a JSON Schema type${suggestion ? ` — did you mean "${suggestion}"?` : ''}`,
        fix: suggestion ? `type: ${suggestion}` : `use one of ${TYPES.join(', ')} (or a list of them)`,
      });
    } else {
      defects.push({ path, message: `${last === undefined ? 'schema' : String(last)} ${error.message}`, fix: 'see https://json-schema.org/draft/2020-12' });
    }
  }
  return defects;
}

const TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'];

function valueAt(node: unknown, path: readonly PathSegment[]): unknown {
  return path.reduce<unknown>((at, key) => (at !== null && typeof at === 'object' ? (at as Record<PathSegment, unknown>)[key] : undefined), node);
}

function dialectDefect(schema: unknown, error: Error): SchemaDefect {
  const dialect = (schema as { $schema?: unknown }).$schema;
  if (typeof dialect === 'string')
    return {
      path: ['$schema'],
      message: `$schema ${dialect} is not supported: schemas are JSON Schema draft 2020-12`,
      fix: 'remove $schema, or set it to https://json-schema.org/draft/2020-12/schema',
    };
  return { path: [], message: error.message, fix: 'write a JSON Schema (draft 2020-12)' };
}

function compileDefect(schema: unknown, error: Error & { missingRef?: string }): SchemaDefect {
  const message = error.message;
  if (error.missingRef !== undefined || /can't resolve reference/.test(message)) {
    const ref = error.missingRef ?? /reference (\S+)/.exec(message)?.[1] ?? '';
    const target = ref.replace(/^[^#]*#/, '#');
    return {
      path: findInSchema(schema, (key, value) => key === '$ref' && typeof value === 'string' && (value === ref || value === target)) ?? [],
      message: `$ref ${target || ref} does not resolve`,
      fix: 'point $ref at a definition in this schema, e.g. #/$defs/name (remote references are not fetched)',
    };
  }
  if (/^Invalid regular expression/.test(message)) {
    return {
      path: findInSchema(schema, (key, value) => key === 'pattern' && typeof value === 'string' && !compiles(value)) ?? [],
      message: `pattern does not compile: ${message}`,
      fix: 'fix the pattern (ECMA-262 syntax with the u flag: escape literal brackets and braces)',
    };
  }
  const unknownFormat = /unknown format "([^"]+)"/.exec(message);
  if (unknownFormat) {
    const name = unknownFormat[1] as string;
    const suggestion = didYouMean(name, formatNames);
    return {
      path: findInSchema(schema, (key, value) => key === 'format' && value === name) ?? [],
      message: `unknown format "${name}"${suggestion ? ` — did you mean "${suggestion}"?` : ''}`,
      fix: suggestion ? `format: ${suggestion}` : `use one of ${formatNames.join(', ')}`,
    };
  }
  const unknownKeyword = /unknown keyword: "([^"]+)"/.exec(message);
  if (unknownKeyword) {
    const name = unknownKeyword[1] as string;
    return {
      path: findInSchema(schema, (key) => key === name) ?? [],
      message: `unknown keyword "${name}"`,
      fix: 'fix the keyword (draft 2020-12) or remove it; put notes in description or $comment',
    };
  }
  return { path: [], message: message.replace(/^strict mode: /, ''), fix: 'see https://json-schema.org/draft/2020-12' };
}

/** Path of the first key (depth first) for which `match` holds, to put a compile error at its line. */
function findInSchema(node: unknown, match: (key: string, value: unknown) => boolean, path: PathSegment[] = []): PathSegment[] | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  const entries: [PathSegment, unknown][] = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
  for (const [key, value] of entries) {
    if (typeof key === 'string' && match(key, value)) return [...path, key];
    const found = findInSchema(value, match, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

function valueProblem(error: ErrorObject): ValueProblem {
  const params = error.params as Record<string, unknown>;
  let message = error.message ?? 'does not match';
  if (error.keyword === 'enum') message = `must be one of ${JSON.stringify(params.allowedValues)}`;
  if (error.keyword === 'additionalProperties') message += ` ("${String(params.additionalProperty)}")`;
  if (error.keyword === 'required') message = `must have property "${String(params.missingProperty)}"`;
  return { path: pointerSegments(error.instancePath), keyword: error.keyword, message };
}

function pointerSegments(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}

function dollarPath(path: readonly PathSegment[]): string {
  return path.reduce<string>((out, s) => (typeof s === 'number' ? `${out}[${s}]` : `${out}.${s}`), '$');
}

function pointerText(path: readonly PathSegment[]): string {
  return `#/${path.join('/')}`;
}

/**
 * JSON with sorted keys, so equal schemas written in another key order share one compiled validator.
 * Numbers JSON cannot write (YAML's .nan, .inf) keep their own text: as null, { const: .nan } took the
 * validator of { const: null }.
 */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) return `\u0000${v}`;
    if (typeof v === 'string' && v.startsWith('\u0000')) return `\u0000${v}`; // so no string reads as one of them
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v;
  });
}
