/** Turns zod issues into diagnostics that point at the YAML and say what was expected. */
import type * as z from '../util/zod.js';
import { type Diagnostic, didYouMean, formatPath, type PathSegment } from './diagnostics.js';
import type { ParsedYaml } from './yaml.js';

type Issue = z.core.$ZodIssue;

export function schemaDiagnostics(file: string, parsed: ParsedYaml, schema: z.ZodType, issues: readonly Issue[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schema, path, parsed.value);
      for (const key of issue.keys) {
        const suggestion = didYouMean(key, known);
        out.push({
          file,
          ...(parsed.locateKey(path, key) ?? parsed.locate(path)),
          path: formatPath([...path, key]),
          code: 'unknown-key',
          message: `unknown key "${key}"${suggestion ? ` — did you mean "${suggestion}"?` : ''}`,
          fix: suggestion ? `rename "${key}" to "${suggestion}"` : `remove "${key}"; allowed here: ${known.join(', ') || '(none)'}`,
          severity: 'error',
        });
      }
      continue;
    }
    out.push({ file, ...parsed.locate(path), path: formatPath(path), severity: 'error', ...describe(issue, path, parsed.value) });
  }
  return out;
}

function describe(issue: Issue, path: PathSegment[], data: unknown): Pick<Diagnostic, 'code' | 'message' | 'fix'> {
  const where = formatPath(path) || 'the document';
  switch (issue.code) {
    case 'invalid_type': {
      const actual = valueAt(data, path);
      if (actual === undefined) {
        const key = path.at(-1);
        const parent = formatPath(path.slice(0, -1)) || 'the top level';
        return {
          code: 'missing-key',
          message: `missing required key "${String(key)}" (${issue.expected}) in ${parent}`,
          fix: `add "${String(key)}:" under ${parent}`,
        };
      }
      return {
        code: 'wrong-type',
        message: `${where}: expected ${issue.expected}, got ${typeName(actual)} ${preview(actual)}`,
        fix: `change ${where} to a ${issue.expected}`,
      };
    }
    case 'invalid_value': {
      const actual = valueAt(data, path);
      const allowed = issue.values.map((v) => String(v));
      const suggestion = typeof actual === 'string' ? didYouMean(actual, allowed) : undefined;
      return {
        code: 'invalid-value',
        message: `${where}: expected ${allowed.length === 1 ? `"${allowed[0]}"` : `one of ${allowed.join(', ')}`}, got ${preview(actual)}${suggestion ? ` — did you mean "${suggestion}"?` : ''}`,
        fix: `set ${where} to ${suggestion ? `"${suggestion}"` : `one of: ${allowed.join(', ')}`}`,
      };
    }
    case 'invalid_format':
      return {
        code: 'invalid-format',
        message: `${where}: expected ${issue.message}, got ${preview(valueAt(data, path))}`,
        fix: `change ${where} to ${issue.message}`,
      };
    case 'too_small':
    case 'too_big':
      return { code: 'out-of-range', message: `${where}: ${issue.message}`, fix: `change ${where} to fit` };
    case 'invalid_union': {
      return {
        code: 'invalid-value',
        message: `${where}: ${issue.message}`,
        fix: `check ${where} against \`agentctl schema\``,
      };
    }
    default:
      return { code: 'invalid', message: `${where}: ${issue.message}`, fix: `check ${where} against \`agentctl schema\`` };
  }
}

/** The keys a strict object at `path` accepts, found by walking the schema alongside the data. */
function knownKeys(schema: z.ZodType, path: readonly PathSegment[], data: unknown): string[] {
  let current: unknown = schema;
  let value: unknown = data;
  for (const segment of [...path, null]) {
    current = unwrap(current, value);
    const def = defOf(current);
    if (segment === null) return def?.type === 'object' ? Object.keys(def.shape ?? {}) : [];
    if (def?.type === 'object') current = def.shape?.[String(segment)];
    else if (def?.type === 'array') current = def.element;
    else if (def?.type === 'record') current = def.valueType;
    else return [];
    value = (value as Record<PathSegment, unknown> | undefined)?.[segment];
  }
  return [];
}

interface LooseDef {
  type: string;
  shape?: Record<string, unknown>;
  element?: unknown;
  valueType?: unknown;
  innerType?: unknown;
  options?: unknown[];
  discriminator?: string;
}

function defOf(schema: unknown): LooseDef | undefined {
  return (schema as { _zod?: { def?: LooseDef } } | undefined)?._zod?.def;
}

function unwrap(schema: unknown, value: unknown): unknown {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (!def) return current;
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable') current = def.innerType;
    else if (def.type === 'union' && def.options) {
      const tag = def.discriminator ? (value as Record<string, unknown> | undefined)?.[def.discriminator] : undefined;
      current =
        def.options.find((o) => {
          const shape = defOf(o)?.shape;
          return tag !== undefined && def.discriminator && defOf(shape?.[def.discriminator])?.type === 'literal'
            ? (defOf(shape?.[def.discriminator]) as { values?: unknown[] }).values?.includes(tag)
            : false;
        }) ?? def.options[0];
    } else return current;
  }
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PathSegment, unknown>)[segment];
  }
  return value;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
