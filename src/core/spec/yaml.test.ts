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

  it('finds a lone alias or a standard-looking custom tag, and lets `*` and `!` inside strings through', () => {
    const alias = parseYamlSafely('a.yaml', 'a: &x 1\nb: *x\n');
    expect(alias.ok ? [] : alias.diagnostics.map((d) => [d.code, d.line])).toEqual([['yaml-alias', 2]]);
    const tagged = parseYamlSafely('a.yaml', 'a: !!set { x }\n');
    expect(tagged.ok ? [] : tagged.diagnostics.map((d) => d.code)).toContain('custom-tag');
    const plain = parseYamlSafely('a.yaml', 'glob: "src/*.ts"\nsay: "hi!"\n');
    expect(plain.ok && plain.parsed.value).toEqual({ glob: 'src/*.ts', say: 'hi!' });
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

describe('deep nesting', () => {
  const flow = `a: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`;
  // 10,000 indented levels would exceed the 1 MiB cap first; 1,000 is as deep for the scanner.
  const block = Array.from({ length: 1_000 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n');
  const dashes = `${'- '.repeat(10_000)}x\n`;

  it.each([
    ['flow', flow, { line: 1, col: 67 }],
    ['block', block, { line: 65, col: 65 }],
    ['compact sequences', dashes, { line: 1, col: 127 }],
  ])('a deep %s document gets a stable diagnostic, fast, at the same position every run', (_name, source, position) => {
    const started = performance.now();
    const runs = [parseYamlSafely('deep.yaml', source), parseYamlSafely('deep.yaml', source)];
    expect(performance.now() - started).toBeLessThan(2_000);
    for (const result of runs) {
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.diagnostics).toHaveLength(1);
      expect(result.diagnostics[0]).toMatchObject({ code: 'too-deep', ...position });
      expect(result.diagnostics[0]?.message).toBe(`nesting deeper than 64 levels at ${position.line}:${position.col}`);
    }
  });

  it('does not count brackets inside strings, comments or block scalars, nor moderate real nesting', () => {
    const source = [
      `a: "${'['.repeat(200)}"`,
      `b: '${'{'.repeat(200)}' # ${'['.repeat(200)}`,
      'c: |',
      `  ${'['.repeat(200)}`,
      `d: ${'['.repeat(30)}1${']'.repeat(30)}`,
      `e: x[${'['.repeat(200)}`,
    ].join('\n');
    const result = parseYamlSafely('ok.yaml', source);
    expect(result.ok).toBe(true);
  });
});

describe('duplicate keys', () => {
  it('are reported without hiding the other errors when the caller goes on after them', () => {
    const result = parseYamlSafely('a.yaml', 'kind: Agent\nname: a\nname: b\n', undefined, { continueAfterDuplicateKeys: true });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.diagnostics).toMatchObject([{ code: 'duplicate-key', line: 3, col: 1 }]);
    expect(result.parsed.value).toEqual({ kind: 'Agent', name: 'b' });
  });
});
