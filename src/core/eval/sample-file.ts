/**
 * Appending a sample to a sample set file as text: the file's comments and formatting stay as they were
 * (YAML: the new item goes at the end of the `samples` block list; JSONL: one more line). The result is
 * parsed again before it is written, and written atomically.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { CheckFailedError } from '../errors.js';
import { appendToYamlList } from '../spec/yaml-append.js';
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
  const text = appendToYamlList(source, ['samples'], [sample]);
  if (text === undefined)
    throw new CheckFailedError('the sample set is not a YAML map with a samples list; the sample was not added', {
      fix: 'fix the file (agentctl validate), then add the sample again',
    });
  return text;
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
