/**
 * The build rewrites string-width (scripts/build-plugins.mjs) so the playground's first frame skips a
 * ~20 ms emoji regex: the rewritten module must measure exactly what the package measures.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import stringWidth from 'string-width';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NARROW_CLASS, stringWidthFastPath } from '../../scripts/build-plugins.mjs';

type Width = (s: string, options?: { ambiguousIsNarrow?: boolean; countAnsiEscapeCodes?: boolean }) => number;
let patched: Width;
let source: string;
const dir = mkdtempSync(join(tmpdir(), 'agentctl-sw-'));

beforeAll(async () => {
  const outfile = join(dir, 'string-width.mjs');
  await build({
    stdin: { contents: "export { default } from 'string-width';", resolveDir: process.cwd() },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile,
    plugins: [stringWidthFastPath],
    logLevel: 'silent',
  });
  source = readFileSync(outfile, 'utf8');
  patched = (await import(pathToFileURL(outfile).href)).default as Width;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every code point of the shortcut's character class. */
function narrowCodePoints(): number[] {
  const out: number[] = [];
  for (const [, from, to] of NARROW_CLASS.matchAll(/\\u([0-9A-F]{4})-\\u([0-9A-F]{4})/g)) {
    for (let c = Number.parseInt(from as string, 16); c <= Number.parseInt(to as string, 16); c++) out.push(c);
  }
  return out;
}

describe('string-width as the build rewrites it', () => {
  it('was rewritten: the emoji regex is built on first use, and the shortcut is there', () => {
    expect(source).toContain('rgiEmojiRegexBuilt ??=');
    expect(source).toContain(NARROW_CLASS);
  });

  it('measures every character of the shortcut as the package does, alone, in a run and after ASCII, both ambiguity settings', () => {
    const codePoints = narrowCodePoints();
    expect(codePoints.length).toBe(437);
    for (const c of codePoints) {
      const ch = String.fromCodePoint(c);
      for (const s of [ch, `a${ch}${ch}b`, `status ${ch} ok`]) {
        expect(patched(s), `U+${c.toString(16)} in ${JSON.stringify(s)}`).toBe(stringWidth(s));
        expect(patched(s, { ambiguousIsNarrow: false }), `U+${c.toString(16)} wide`).toBe(stringWidth(s, { ambiguousIsNarrow: false }));
      }
    }
    expect(patched(String.fromCodePoint(...codePoints))).toBe(codePoints.length);
  });

  it('still measures what the shortcut does not cover: emoji, wide, combining, zero-width, soft hyphen, ANSI', () => {
    for (const s of ['👍', '©️', '👨‍👩‍👧', '漢字', 'e\u0301', 'a\u200Bb', 'a\u00ADb', '\u001b[31m·red›\u001b[39m', 'tokens 0 · $0.0000 · ✓', '↔️', '⌚', '']) {
      expect(patched(s), JSON.stringify(s)).toBe(stringWidth(s));
      expect(patched(s, { countAnsiEscapeCodes: true }), JSON.stringify(s)).toBe(stringWidth(s, { countAnsiEscapeCodes: true }));
    }
    expect(patched('👍')).toBe(2);
  });
});
