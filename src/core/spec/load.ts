/** Reading one spec file: size cap, safe YAML, kind detection, schema check. Never throws for bad input. */
import { readFileSync, statSync } from 'node:fs';
import { type Diagnostic, didYouMean } from './diagnostics.js';
import { API_VERSION, documentSchemas, isSpecKind, SPEC_KINDS, type SpecDocument } from './schema.js';
import { schemaDiagnostics } from './schema-issues.js';
import { MAX_SPEC_BYTES, type ParsedYaml, parseYamlSafely, tooLarge } from './yaml.js';

export interface LoadedSpec {
  /** Path as shown to the user (relative to the workspace root when inside it). */
  file: string;
  /** Absolute path on disk. */
  absolutePath: string;
  document?: SpecDocument;
  parsed?: ParsedYaml;
  diagnostics: Diagnostic[];
}

export function loadSpecFile(absolutePath: string, displayPath: string): LoadedSpec {
  const base = { file: displayPath, absolutePath };
  let source: string;
  try {
    const size = statSync(absolutePath).size;
    if (size > MAX_SPEC_BYTES) return { ...base, diagnostics: [tooLarge(displayPath, size)] };
    source = readFileSync(absolutePath, 'utf8');
  } catch (error) {
    return { ...base, diagnostics: [fileError(displayPath, error)] };
  }
  return parseSpecSource(source, absolutePath, displayPath);
}

export function parseSpecSource(source: string, absolutePath: string, displayPath: string): LoadedSpec {
  const base = { file: displayPath, absolutePath };
  const result = parseYamlSafely(displayPath, source);
  if (!result.ok) return { ...base, diagnostics: result.diagnostics };
  const { parsed } = result;
  const value = parsed.value as Record<string, unknown> | null;

  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      ...base,
      parsed,
      diagnostics: [at(displayPath, parsed, [], 'not-a-spec', 'the file is not a YAML mapping', `start it with "apiVersion: ${API_VERSION}"`)],
    };
  }
  if (value.apiVersion !== API_VERSION) {
    return {
      ...base,
      parsed,
      diagnostics: [
        at(
          displayPath,
          parsed,
          ['apiVersion'],
          'api-version',
          `apiVersion must be "${API_VERSION}", got ${JSON.stringify(value.apiVersion ?? null)}`,
          `set apiVersion: ${API_VERSION}`,
        ),
      ],
    };
  }
  if (!isSpecKind(value.kind)) {
    const suggestion = typeof value.kind === 'string' ? didYouMean(value.kind, SPEC_KINDS) : undefined;
    return {
      ...base,
      parsed,
      diagnostics: [
        at(
          displayPath,
          parsed,
          ['kind'],
          'unknown-kind',
          `kind must be one of ${SPEC_KINDS.join(', ')}, got ${JSON.stringify(value.kind ?? null)}${suggestion ? ` — did you mean "${suggestion}"?` : ''}`,
          `set kind: ${suggestion ?? 'Agent'}`,
        ),
      ],
    };
  }
  const schema = documentSchemas[value.kind];
  const checked = schema.safeParse(value);
  if (!checked.success) {
    return { ...base, parsed, diagnostics: schemaDiagnostics(displayPath, parsed, schema, checked.error.issues) };
  }
  return { ...base, parsed, document: checked.data as SpecDocument, diagnostics: [] };
}

function at(file: string, parsed: ParsedYaml, path: string[], code: string, message: string, fix: string): Diagnostic {
  return { file, ...parsed.locate(path), path: path.join('.'), code, message, fix, severity: 'error' };
}

function fileError(file: string, error: unknown): Diagnostic {
  const code = (error as NodeJS.ErrnoException).code;
  const message = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot read the file (${code ?? String(error)})`;
  return { file, line: 1, col: 1, path: '', code: 'unreadable', message, fix: 'check the path', severity: 'error' };
}
