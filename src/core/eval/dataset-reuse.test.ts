/**
 * An eval reads its sample set twice in one process (when the specs are checked, then from the version's
 * bytes to run it): the second read reuses the first parse when the text is the same, and the bundle's
 * evidence files do not parse a set that cannot hold a javascript assertion.
 */
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { tempDir, writeFile } from '../../../test/support/workspace.js';
import { evidenceFiles } from '../registry/evidence-files.js';
import type { AgentDocument } from '../spec/schema.js';
import { parseDataset } from './dataset.js';

const line = (id: string, assert: object) => JSON.stringify({ id, input: `q ${id}`, assert: [assert] });
const SET = `${line('a', { type: 'contains', value: 'a' })}\n${line('b', { type: 'contains', value: 'b' })}\n`;

describe('reading a sample set again', () => {
  it('reuses the parse of the same text under the same name, from any folder; parses a changed text', () => {
    const first = parseDataset(SET, '/work/agents/x/evals/s.jsonl', 'agents/x/evals/s.jsonl');
    const again = parseDataset(SET, '/cache/versions/d/evals/s.jsonl', 'agents/x/evals/s.jsonl');
    expect([...again.samples]).toStrictEqual([...first.samples]);
    expect(again.digest).toBe(first.digest);
    expect(again.absolutePath).toBe('/cache/versions/d/evals/s.jsonl');
    const changed = parseDataset(`${SET}${line('c', { type: 'contains', value: 'c' })}\n`, '/work/agents/x/evals/s.jsonl', 'agents/x/evals/s.jsonl');
    expect(changed.samples).toHaveLength(3);
    expect(changed.digest).not.toBe(first.digest);
  });

  it('reads the reused set from the text it was given, so the copy parsed first is not kept', async () => {
    // Two equal texts are two strings: a version's bundle keeps its own. 10 MB of a 100,000-sample eval's heap
    // was the copy read from disk, held only by this cache.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const text = () => `${line('w', { type: 'contains', value: 'w' })}\n`; // a new string at each call
    const firstSet = (() => new WeakRef(parseDataset(text(), '/work/s.jsonl', 'agents/w/evals/s.jsonl').samples as object))();
    const again = parseDataset(text(), '/cache/versions/d/s.jsonl', 'agents/w/evals/s.jsonl');
    await new Promise((done) => setImmediate(done));
    gc();
    expect(firstSet.deref()).toBeUndefined();
    expect(again.samples.at(0)).toStrictEqual({ id: 'w', input: 'q w', assert: [{ type: 'contains', value: 'w' }] });
  });

  it('parses again a set whose checks read files: a javascript assertion created in between is found', () => {
    const dir = tempDir();
    const text = `${line('a', { type: 'javascript', file: 'check.mjs' })}\n`;
    const path = join(dir, 's.jsonl');
    expect(parseDataset(text, path, 's.jsonl').diagnostics.map((d) => d.code)).toEqual(['missing-file']);
    writeFile(dir, 'check.mjs', 'export default () => true;\n');
    expect(parseDataset(text, path, 's.jsonl').diagnostics).toEqual([]);
  });
});

describe("a version's evidence files", () => {
  const agent = (dataset: string) => ({ spec: { evals: { dataset } } }) as unknown as AgentDocument;

  it('finds the javascript assertion files, even when the type is spelled with an escape', () => {
    const dir = tempDir();
    writeFile(dir, 'check.mjs', 'export default () => true;\n');
    writeFile(dir, 'plain.jsonl', SET);
    writeFile(dir, 'js.jsonl', `${line('a', { type: 'javascript', file: 'check.mjs' })}\n`);
    writeFile(dir, 'escaped.jsonl', '{"id":"a","input":"q","assert":[{"type":"java\\u0073cript","file":"check.mjs"}]}\n');
    expect(evidenceFiles(dir, agent('plain.jsonl'))).toEqual([]);
    expect(evidenceFiles(dir, agent('js.jsonl'))).toEqual(['check.mjs']);
    expect(evidenceFiles(dir, agent('escaped.jsonl'))).toEqual(['check.mjs']);
  });
});
