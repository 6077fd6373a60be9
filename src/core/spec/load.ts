/** Reading one spec file: size cap, safe YAML, kind detection, schema check. Never throws for bad input. */

import { lstatSync, realpathSync } from 'node:fs';
import { checkUserFile, readUserText } from '../util/read-file.js';
import { type Diagnostic, didYouMean } from './diagnostics.js';
import { isInside } from './discover.js';
import { API_VERSION, documentSchemas, isSpecKind, SPEC_KINDS, type SpecDocument } from './schema.js';
import { schemaDiagnostics } from './schema-issues.js';
import { MAX_SPEC_BYTES, type ParsedYaml, parseYamlSafely } from './yaml.js';

export interface LoadedSpec {
  /** Path as shown to the user (relative to the workspace root when inside it). */
  file: string;
  /** Absolute path on disk. */
  absolutePath: string;
  document?: SpecDocument;
  parsed?: ParsedYaml;
  /** The text that was parsed, when the file could be read: scanned for secrets without reading it again. */
  source?: string;
  diagnostics: Diagnostic[];
}

/** `root`: a spec reached through a symbolic link must still be inside it (a link leading out is reported). */
export function loadSpecFile(absolutePath: string, displayPath: string, root?: string): LoadedSpec {
  const base = { file: displayPath, absolutePath };
  // For a link, what the file is comes first (a link to /dev/zero is a device), then where the link leads.
  // A file that is no link needs neither check here: reading it checks its type (one stat a file, not three).
  if (root !== undefined && isSymlink(absolutePath)) {
    const special = checkUserFile(absolutePath, { maxBytes: Number.MAX_SAFE_INTEGER });
    const leadsOut = special?.code === 'special-file' ? undefined : linkProblem(root, absolutePath);
    if (leadsOut) return { ...base, diagnostics: [{ file: displayPath, line: 1, col: 1, path: '', ...leadsOut, severity: 'error' }] };
  }
  const read = readUserText(absolutePath, {
    maxBytes: MAX_SPEC_BYTES,
    raise: 'move large content (knowledge, datasets) into referenced files, or split the spec',
  });
  if (!read.ok) {
    const { code, message, fix } = read.problem;
    return { ...base, diagnostics: [{ file: displayPath, line: 1, col: 1, path: '', code, message: `the spec ${message}`, fix, severity: 'error' }] };
  }
  return parseSpecSource(read.text, absolutePath, displayPath);
}

export function parseSpecSource(source: string, absolutePath: string, displayPath: string): LoadedSpec {
  const base = { file: displayPath, absolutePath, source };
  const result = parseYamlSafely(displayPath, source, MAX_SPEC_BYTES, { continueAfterDuplicateKeys: true });
  if (!result.ok) return { ...base, diagnostics: result.diagnostics };
  const loaded = checkDocument(result.parsed, base, displayPath);
  // A duplicate key is an error, but it must not hide the file's other errors: both are reported.
  return result.diagnostics.length === 0 ? loaded : { ...loaded, document: undefined, diagnostics: [...result.diagnostics, ...loaded.diagnostics] };
}

function checkDocument(parsed: ParsedYaml, base: { file: string; absolutePath: string; source: string }, displayPath: string): LoadedSpec {
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

function linkProblem(root: string, path: string): { code: string; message: string; fix: string } | undefined {
  let real: string;
  try {
    if (!lstatSync(path).isSymbolicLink()) return undefined;
    real = realpathSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && isSymlink(path)) return { code: 'missing-file', message: 'the spec is a symbolic link to nothing', fix: 'fix or remove the link' };
    return undefined;
  }
  if (isInside(realpathSync(root), real)) return undefined;
  return {
    code: 'path-escape',
    message: `the spec is a symbolic link leading outside the workspace (to ${real})`,
    fix: 'copy the spec into the workspace instead of linking it',
  };
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function at(file: string, parsed: ParsedYaml, path: string[], code: string, message: string, fix: string): Diagnostic {
  return { file, ...parsed.locate(path), path: path.join('.'), code, message, fix, severity: 'error' };
}
