/**
 * Appending a sample to a sample set file as text: the file's comments and formatting stay as they were
 * (YAML: the new item goes at the end of the `samples` block list; JSONL: one more line). The result is
 * parsed again before it is written, and written atomically.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isNode, isSeq, parseDocument, stringify } from 'yaml';
import { CheckFailedError } from '../errors.js';
import { parseDataset, type Sample } from './dataset.js';

/** The ids already in the file (none when it does not exist yet). */
export function sampleIds(path: string): Set<string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return new Set();
  }
  const loaded = parseDataset(text, path, path);
  return new Set([...loaded.samples].map((s) => s.id));
}

/** `source` with `sample` appended (YAML or JSONL, by the file's extension). */
export function appendSampleText(source: string, sample: Sample, jsonl: boolean): string {
  if (jsonl) return `${source}${source === '' || source.endsWith('\n') ? '' : '\n'}${JSON.stringify(sample)}\n`;
  const block = (indent: number) =>
    stringify([sample], { lineWidth: 0, aliasDuplicateObjects: false })
      .trimEnd()
      .split('\n')
      .map((line) => `${' '.repeat(indent)}${line}`)
      .join('\n');
  const doc = parseDocument(source);
  const seq = doc.get('samples', true);
  if (isSeq(seq) && !seq.flow && seq.items.length > 0 && seq.range) {
    const [start, , end] = seq.range;
    const indent = start - (source.lastIndexOf('\n', start - 1) + 1);
    const before = source.slice(0, end);
    return `${before}${before.endsWith('\n') ? '' : '\n'}${block(indent)}\n${source.slice(end)}`;
  }
  if (seq && isNode(seq) && seq.range) {
    // `samples: []` (or a flow list): only this value is rewritten, as a block list.
    const [start, end] = seq.range;
    const existing = isSeq(seq) ? seq.items.map((item) => (isNode(item) ? item.toJSON() : item)) : [];
    const all = stringify([...existing, sample], { lineWidth: 0, aliasDuplicateObjects: false })
      .trimEnd()
      .split('\n')
      .map((l) => `  ${l}`);
    return `${source.slice(0, start).trimEnd()}\n${all.join('\n')}${source.slice(end)}`;
  }
  const head = source.trim() === '' ? '' : source.endsWith('\n') ? source : `${source}\n`;
  return `${head}samples:\n${block(2)}\n`;
}

/** Appends `sample` to the sample set at `path` (created when missing); refuses to write a file that would not load. */
export function appendSample(path: string, displayPath: string, sample: Sample): void {
  let source = '';
  try {
    source = readFileSync(path, 'utf8');
  } catch {
    // a new sample set
  }
  const text = appendSampleText(source, sample, path.endsWith('.jsonl'));
  const check = parseDataset(text, path, displayPath);
  const problem = check.diagnostics[0];
  if (problem)
    throw new CheckFailedError(`${displayPath} would not load with the new sample: ${problem.message}`, {
      where: `${problem.file}:${problem.line}:${problem.col}`,
      fix: `fix ${displayPath} first (agentctl validate), then add the sample again`,
    });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}
