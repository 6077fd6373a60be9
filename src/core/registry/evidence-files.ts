/**
 * Everything that decides an eval verdict belongs to the version: the sample set is referenced by the
 * spec, and so, through it, is the code of its `javascript` assertions and the local modules that code
 * imports. They join the bundle (and the digest), so editing a check after registration changes the
 * digest and the old evidence stops counting — and `eval name@version` runs the registered bytes.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { CheckFailedError } from '../errors.js';
import { isInsideFolder, parseDataset } from '../eval/dataset.js';
import type { AgentDocument } from '../spec/schema.js';
import { readUserText } from '../util/read-file.js';
import { RAISE_REFERENCED_FILE_CAP, referencedFileCap } from '../workspace/config.js';
import { findWorkspaceRoot } from '../workspace/workspace.js';

// Relative specifiers in import/export-from, dynamic import() and require(): the local modules a check uses.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\1/g;

/** Assertion files and the modules they import, as paths relative to the agent's folder. */
export function evidenceFiles(agentDir: string, doc: AgentDocument): string[] {
  const dataset = doc.spec.evals?.dataset;
  if (!dataset) return [];
  const datasetPath = resolve(agentDir, dataset);
  if (!existsSync(datasetPath)) return [];
  const maxBytes = referencedFileCap(findWorkspaceRoot(agentDir));
  const read = (absolute: string, from: string): string => {
    const result = readUserText(absolute, { maxBytes, raise: RAISE_REFERENCED_FILE_CAP });
    if (result.ok) return result.text;
    throw new CheckFailedError(`${from}: ${relative(agentDir, absolute)} ${result.problem.message}`, {
      where: from,
      fix: result.problem.fix,
      code: result.problem.code,
    });
  };
  const text = read(datasetPath, dataset);
  // A javascript assertion names its type in the text, spelled out or through an escape: a set with
  // neither the word nor a backslash has none, and 100,000 samples are not parsed once more to learn it.
  if (!text.includes('javascript') && !text.includes('\\')) return [];
  const parsed = parseDataset(text, datasetPath, dataset);
  const found = new Set<string>();
  const visit = (absolute: string, from: string) => {
    const rel = relative(agentDir, absolute).split(sep).join('/');
    if (rel.startsWith('..') || !isInsideFolder(rel)) {
      throw new CheckFailedError(`${from} uses ${rel}, outside the agent folder: assertion code must be part of the version`, {
        where: from,
        fix: 'move the module inside the agent folder and import it with a relative path',
        code: 'path-outside-agent',
      });
    }
    if (found.has(rel) || !existsSync(absolute)) return;
    found.add(rel);
    const text = read(absolute, from);
    for (const match of text.matchAll(SPECIFIER)) visit(resolve(dirname(absolute), match[2] as string), rel);
  };
  for (const sample of parsed.samples) {
    for (const assertion of sample.assert) {
      if (assertion.type !== 'javascript' || !isInsideFolder(assertion.file)) continue;
      visit(join(dirname(datasetPath), assertion.file), dataset);
    }
  }
  return [...found];
}
