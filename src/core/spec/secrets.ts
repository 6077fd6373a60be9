/**
 * Live-secret lookalikes in user content that becomes a digest (a spec, its prompt, knowledge, sample
 * set, cassette, tool module): `validate` warns at file:line:col, `register` refuses, so no secret ever
 * enters the registry, the blob store or a pushed artifact. The same patterns as the redactor.
 */
import { dirname, relative, resolve } from 'node:path';
import { findSecrets } from '../events/redact.js';
import { referencedFiles } from '../registry/bundle.js';
import { readUserText } from '../util/read-file.js';
import { referencedFileCap } from '../workspace/config.js';
import { findWorkspaceRoot } from '../workspace/workspace.js';
import type { Diagnostic } from './diagnostics.js';
import type { LoadedSpec } from './load.js';

export const LIVE_SECRET = 'live-secret';

/** One diagnostic (a warning) per lookalike in `text`, at its line and column. */
export function secretDiagnostics(file: string, text: string): Diagnostic[] {
  const hits = findSecrets(text);
  if (hits.length === 0) return [];
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  return hits.map((hit) => {
    let line = 0;
    while (line + 1 < lineStarts.length && (lineStarts[line + 1] ?? 0) <= hit.index) line++;
    return {
      file,
      line: line + 1,
      col: hit.index - (lineStarts[line] ?? 0) + 1,
      path: '',
      code: LIVE_SECRET,
      message: `looks like ${hit.label}: a live secret would be stored, hashed and pushed with this version`,
      fix: 'move it to an environment variable (and rotate it if it was ever committed)',
      severity: 'warning',
    };
  });
}

/** Lookalikes in a loaded spec's own file and every file it references (files that cannot be read are reported elsewhere). */
export function specSecretDiagnostics(spec: LoadedSpec): Diagnostic[] {
  if (!spec.document) return [];
  const base = dirname(spec.absolutePath);
  const out: Diagnostic[] = [];
  // The cap comes from the workspace config: looked up only when there is a file to read.
  let maxBytes: number | undefined;
  const scan = (absolute: string, shown: string) => {
    maxBytes ??= referencedFileCap(findWorkspaceRoot(base));
    const read = readUserText(absolute, { maxBytes });
    if (read.ok) out.push(...secretDiagnostics(shown, read.text));
  };
  // The spec's own text as it was parsed (what the digest is built from), not a second read of the file.
  if (spec.source !== undefined) out.push(...secretDiagnostics(spec.file, spec.source));
  else scan(spec.absolutePath, spec.file);
  const shownBase = dirname(spec.file);
  for (const ref of new Set(referencedFiles(spec.document))) {
    const absolute = resolve(base, ref);
    scan(absolute, shownBase === '.' ? relative(base, absolute) : `${shownBase}/${relative(base, absolute)}`);
  }
  return out;
}
