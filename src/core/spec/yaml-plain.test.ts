import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { parsePlainYaml } from './yaml-plain.js';

/** What the library makes of `source` (the options parseYamlSafely uses), or undefined when it reports anything. */
function library(source: string): unknown {
  const doc = parseDocument(source, { uniqueKeys: true, merge: false, prettyErrors: false, strict: true });
  if (doc.errors.length > 0 || doc.warnings.length > 0) return undefined;
  return doc.toJS({ maxAliasCount: 0 });
}

/** Whenever the fast path answers, the library answers the same, with no error or warning. */
function agrees(source: string): boolean {
  const fast = parsePlainYaml(source);
  if (fast === undefined) return false;
  expect(library(source), source).toStrictEqual(fast);
  return true;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

const tool = (i: number) =>
  `apiVersion: agentctl/v1\nkind: Tool\nmetadata:\n  name: tool-${i}\n  version: 1.${i}.0\n  owner: team-bench\nspec:\n  description: Tool number ${i}.\n  input: { type: object, properties: { key: { type: string } } }\n  sideEffects: read\n  implementation: { type: http, url: https://tools.example.com/${i}, method: GET }\n  mocks:\n    - output: { ok: true }\n`;

describe('parsePlainYaml', () => {
  it('reads a plain tool spec exactly as the library does', () => {
    expect(agrees(tool(7))).toBe(true);
    expect(parsePlainYaml(tool(7))).toMatchObject({ metadata: { version: '1.7.0' }, spec: { implementation: { url: 'https://tools.example.com/7' } } });
  });

  it('agrees with the library on every scaffolded spec it reads, and reads most of them', () => {
    const files = yamlFiles(join(import.meta.dirname, '../../../scaffolds'));
    // Templates hold {{placeholders}}: filled in as `init` would, with plain names.
    const read = files.filter((f) => agrees(readFileSync(f, 'utf8').replace(/\{\{(\w+)\}\}/g, 'x-$1')));
    expect(files.length).toBeGreaterThan(5);
    expect(read.length).toBeGreaterThan(files.length / 2);
  });

  it('leaves to the library what is outside the subset or wrong', () => {
    for (const source of [
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: |\n  text\n',
      'a: b: c\n',
      'a: 1\na: 2\n',
      'a: 1\n- b\n',
      '- a\n',
      '---\na: 1\n',
      'a: "x\\ty"\n',
      'a: [b,\n  c]\n',
      'a: plain\n  continued\n',
      'a:\tb\n',
      '? a\n: b\n',
      'a: {b: }\n',
      'a: [b: c]\n',
      'true: 1\n',
      'a: 0x1F\n',
      'a: 1e3\n',
      'a: 007\n',
      'a: .inf\n',
      'a: - b\n',
      'a: @x\n',
      'a: x\u00a0\n',
      'a: \u00a0x\n',
      'a: [\u00a0x]\n',
      'a:\u00a0\n',
      'a:\n\u00a0\u00a0b: 1\n',
      'a: 1\n\u00a0# c\n',
      'owner: team-qa\u3000\n',
      'a: x\u2003y\u202f\n',
      '  a: 1\n',
      '',
    ]) {
      expect(parsePlainYaml(source), source).toBeUndefined();
    }
  });

  it('agrees with the library on generated documents mixing scalars, flows, sequences and comments', () => {
    const scalars = [
      '1.10.0',
      '-5',
      '0',
      '12',
      '0.2',
      '-1.5',
      '10.25',
      '1.',
      '00.5',
      'yes',
      'No',
      'null',
      '~',
      'True',
      'FALSE',
      'a:b',
      'a #b',
      'a#b',
      'http://x.y/z?q=1',
      '-x',
      'x-',
      '+x',
      '.x',
      '"q r"',
      "'it''s'",
      "''",
      '""',
      '[a, b]',
      '{a: 1}',
      '{ a: b:c }',
      '[]',
      '{}',
      'a,b',
      'a, b',
      'e@x.y',
      '50%',
      'ünïcode',
      '[1, -2, x, "y z"]',
      '{a: [b, {c: d}], e: null}',
      '{ "k": v }',
      '[a, ]',
      'a  b',
      'Tool number 3.',
      'x: y',
      '[a: b]',
      '{a: b, a: c}',
      '- a',
    ];
    let seed = 7;
    const pick = <T>(xs: readonly T[]): T => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return xs[seed % xs.length] as T;
    };
    let engaged = 0;
    for (let n = 0; n < 400; n++) {
      const lines: string[] = [];
      const keys = ['a', 'b_c', 'd.e', 'f-g', '"h i"', "'j'"];
      for (const key of keys.slice(0, 2 + (n % 4))) {
        const shape = pick(['scalar', 'map', 'seq', 'seqmap', 'empty', 'comment']);
        if (shape === 'scalar') lines.push(`${key}: ${pick(scalars)}${pick(['', ' # note', '  '])}`);
        else if (shape === 'map') lines.push(`${key}:`, `  x: ${pick(scalars)}`, `  y: ${pick(scalars)}`);
        else if (shape === 'seq') lines.push(`${key}:`, `${pick(['  ', ''])}- ${pick(scalars)}`, `${pick(['  ', ''])}- ${pick(scalars)}`);
        else if (shape === 'seqmap') lines.push(`${key}:`, `  - p: ${pick(scalars)}`, `    q: ${pick(scalars)}`, '  -', `    r: ${pick(scalars)}`);
        else if (shape === 'empty') lines.push(`${key}:`);
        else lines.push('# a comment', `${key}: ${pick(scalars)}`, '');
      }
      if (agrees(`${lines.join('\n')}\n`)) engaged++;
    }
    expect(engaged).toBeGreaterThan(100);
  });
});
