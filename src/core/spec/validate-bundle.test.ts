import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaffoldWorkspace } from '../../../test/support/workspace.js';
import { type Bundle, buildBundle } from '../registry/bundle.js';
import { type Digest, sha256 } from '../util/canonical.js';
import { loadSpecFile } from './load.js';
import type { SpecDocument } from './schema.js';
import { assertValidBundle, validateBundle } from './validate-bundle.js';

function built() {
  const root = scaffoldWorkspace();
  const spec = loadSpecFile(join(root, 'agents/triage/agent.yaml'), 'agents/triage/agent.yaml', root);
  if (!spec.document) throw new Error('the scaffold should load');
  const { bundle, contents } = buildBundle({ ...spec, document: spec.document });
  return { bundle, contents: new Map(contents) };
}

const clone = (b: Bundle): Bundle => structuredClone(b);
const agentSpec = (b: Bundle) => b.spec as Extract<SpecDocument, { kind: 'Agent' }>;
const codes = (b: Bundle, files: Map<Digest, Buffer>) => validateBundle(b, files).map((d) => `${d.path} ${d.code}`);

describe('validateBundle: a pulled bundle is checked like a local spec', () => {
  it('accepts a bundle agentctl built', () => {
    const { bundle, contents } = built();
    expect(validateBundle(bundle, contents)).toEqual([]);
  });

  it('refuses a spec that fails its schema (a 10-day budget)', () => {
    const { bundle, contents } = built();
    const b = clone(bundle);
    agentSpec(b).spec.budget = { timeoutMs: 10 * 24 * 3600 * 1000 };
    expect(codes(b, contents)).toEqual(['spec.budget.timeoutMs schema']);
  });

  it('refuses file paths that leave the bundle, and references to files it lacks', () => {
    const { bundle, contents } = built();
    const b = clone(bundle);
    const first = b.files[0];
    if (!first) throw new Error('the bundle has files');
    const original = first.path;
    first.path = `../${original}`;
    expect(codes(b, contents)).toEqual(expect.arrayContaining(['files[0].path path-escape', 'spec missing-file']));
    first.path = `/etc/${original}`;
    expect(codes(b, contents)).toContain('files[0].path path-escape');
  });

  it('refuses an RE2-incompatible route, and a sample set regex with lookbehind', () => {
    const { bundle, contents } = built();
    const b = clone(bundle);
    agentSpec(b).spec.subAgents = [{ ref: 'x@*', route: { when: '(?<=a)b' } }];
    const dataset = b.files.find((f) => f.path === agentSpec(b).spec.evals?.dataset);
    if (!dataset) throw new Error('the scaffold has a dataset');
    const text = Buffer.from('samples:\n  - id: s1\n    input: hi\n    assert: [{ type: regex, pattern: "(?!x)y" }]\n');
    dataset.digest = sha256(text);
    dataset.size = text.length;
    contents.set(dataset.digest, text);
    const found = codes(b, contents);
    expect(found).toEqual(expect.arrayContaining(['spec.subAgents[0].route.when invalid-regex', 'samples[0].assert[0].pattern invalid-regex']));
  });

  it('refuses files over the cap and throws one error carrying every diagnostic', () => {
    const { bundle, contents } = built();
    expect(validateBundle(bundle, contents, { maxFileBytes: 4 }).every((d) => d.code === 'too-large')).toBe(true);
    expect(() => assertValidBundle(bundle, contents, { maxFileBytes: 4 })).toThrow(
      /triage@0\.1\.0 is refused: files\[0\]: the file .* the cap is 4 \(and \d+ more\)/,
    );
  });
});
