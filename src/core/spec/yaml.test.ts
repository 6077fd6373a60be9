import { describe, expect, it } from 'vitest';
import { MAX_SPEC_BYTES, parseYamlSafely } from './yaml.js';

describe('parseYamlSafely', () => {
  it('reports a syntax error at its line and column', () => {
    const result = parseYamlSafely('a.yaml', 'kind: Agent\nmetadata:\n  name: [unclosed\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnostics[0]).toMatchObject({ file: 'a.yaml', code: 'yaml-syntax', severity: 'error' });
    expect(result.diagnostics[0]?.line).toBeGreaterThanOrEqual(3);
  });

  it('refuses duplicate keys, pointing at the second one', () => {
    const result = parseYamlSafely('a.yaml', 'kind: Agent\nname: a\nname: b\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnostics[0]).toMatchObject({ code: 'duplicate-key', line: 3, col: 1 });
  });

  it('refuses an alias bomb quickly, without expanding it', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      levels.push(`${next}: &${next} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`);
    }
    const started = Date.now();
    const result = parseYamlSafely('bomb.yaml', `${levels.join('\n')}\n`);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnostics.every((d) => d.code === 'yaml-alias')).toBe(true);
    expect(result.diagnostics[0]).toMatchObject({ line: 2 });
  });

  it('refuses custom tags', () => {
    const result = parseYamlSafely('a.yaml', 'kind: !!js/function "x"\nother: !custom 1\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnostics.map((d) => d.code)).toContain('custom-tag');
  });

  it('caps the size before parsing', () => {
    const result = parseYamlSafely('big.yaml', `a: "${'x'.repeat(MAX_SPEC_BYTES)}"\n`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnostics[0]?.code).toBe('too-large');
  });

  it('locates values and keys by path', () => {
    const result = parseYamlSafely('a.yaml', 'spec:\n  tools:\n    - ref: one\n    - ref: two\n');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.parsed.locate(['spec', 'tools', 1, 'ref'])).toEqual({ line: 4, col: 12 });
    expect(result.parsed.locateKey(['spec'], 'tools')).toEqual({ line: 2, col: 3 });
    // A path that does not exist points at its nearest existing ancestor.
    expect(result.parsed.locate(['spec', 'missing', 'deeper'])).toEqual({ line: 2, col: 3 });
  });
});
