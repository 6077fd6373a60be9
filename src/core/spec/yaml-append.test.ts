import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { appendToYamlList } from './yaml-append.js';

describe('appendToYamlList keeps the rest of the file as it was', () => {
  it('appends after the last item of a block list, at its indentation, comments kept', () => {
    const source = '# mine\nversion: 1\ninteractions:\n    - key: a   # first\n# trailing\nother: x\n';
    const text = appendToYamlList(source, ['interactions'], [{ key: 'b' }]) as string;
    expect(text).toBe('# mine\nversion: 1\ninteractions:\n    - key: a   # first\n    - key: b\n# trailing\nother: x\n');
  });

  it('rewrites only an empty or flow list, as a block list at its key indentation plus two', () => {
    const source = 'spec:\n  sideEffects: read\n  mocks: [] # none yet\n  after: 1\n';
    const text = appendToYamlList(source, ['spec', 'mocks'], [{ when: { q: 1 }, output: { ok: true } }]) as string;
    expect(parse(text)).toEqual({ spec: { sideEffects: 'read', mocks: [{ when: { q: 1 }, output: { ok: true } }], after: 1 } });
    expect(text.startsWith('spec:\n  sideEffects: read\n  mocks:\n    - when:')).toBe(true);
    expect(text).toContain('# none yet');
  });

  it('adds a missing key at the end of its parent map, at the map keys indentation', () => {
    const source = 'kind: Tool\nspec:\n  sideEffects: read # why\nother: 1\n';
    const text = appendToYamlList(source, ['spec', 'mocks'], [{ output: 1 }]) as string;
    expect(text).toBe('kind: Tool\nspec:\n  sideEffects: read # why\n  mocks:\n    - output: 1\nother: 1\n');
  });

  it('makes the list in an empty file, and gives up where there is no map to add to', () => {
    expect(appendToYamlList('', ['samples'], [{ id: 'a' }])).toBe('samples:\n  - id: a\n');
    expect(appendToYamlList('- just\n- a list\n', ['samples'], [{ id: 'a' }])).toBeUndefined();
    expect(appendToYamlList('spec: 3\n', ['spec', 'mocks'], [{ id: 'a' }])).toBeUndefined();
  });
});
