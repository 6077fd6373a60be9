import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, normalizeText, sha256, textDigest } from './canonical.js';

/** The first implementation, kept as the reference: digests already in registries were computed with it. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('non-finite number in canonical JSON');
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => reference(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
}

describe('canonicalJson', () => {
  it('sorts keys by code unit, leaves undefined out, writes undefined array items as null', () => {
    expect(canonicalJson({ b: 1, a: [undefined, 'x'], é: true, Z: null, u: undefined })).toBe('{"Z":null,"a":[null,"x"],"b":1,"é":true}');
    expect(() => canonicalJson({ a: Number.NaN })).toThrow('non-finite');
  });

  it('writes exactly what the first implementation wrote, for generated values', () => {
    let seed = 11;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const keys = ['a', 'B', 'b', '', 'é', '10', '9', 'a b', '"q"', '\u00e9\u0301', 'z'];
    const make = (depth: number): unknown => {
      const kind = next(depth > 3 ? 5 : 8);
      if (kind === 0) return null;
      if (kind === 1) return next(2) === 0;
      if (kind === 2) return next(1000) - 500 + next(100) / 7;
      if (kind === 3) return `s${next(50)}\n"\\`;
      if (kind === 4) return undefined;
      if (kind === 5) {
        const out: unknown[] = Array.from({ length: next(4) }, () => make(depth + 1));
        if (next(5) === 0) out[out.length + 1] = 'after a hole';
        return out;
      }
      return Object.fromEntries(Array.from({ length: next(6) }, () => [keys[next(keys.length)], make(depth + 1)]));
    };
    for (let i = 0; i < 2000; i++) {
      const value = make(0);
      expect(canonicalJson(value)).toBe(reference(value));
    }
  });
});

/** The digest as first written: the whole string (or buffer) in one update. */
const oneShot = (data: string | Uint8Array) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
/** normalizeText as first written: decoded, BOM and CRs removed, encoded again (binary as it is). */
function normalizedOnce(bytes: Buffer): Buffer {
  if (bytes.includes(0)) return bytes;
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return Buffer.from(text.replace(/\r\n?/g, '\n'), 'utf8');
}

/** Text from pieces chosen to meet at slice bounds: pairs, lone surrogates, CR, CRLF, BOMs, NUL. */
function awkwardText(seed: number, length: number): string {
  const pieces = ['a', 'é', '😀', '\ud800', '\udc00', '\r', '\r\n', '\n', '\ufeff', '\0', '語'];
  let state = seed;
  let out = '';
  while (out.length < length) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    out += state % 7 === 0 ? (pieces[state % pieces.length] as string) : 'x';
  }
  return out;
}

describe('sha256 of a long string', () => {
  it('is the digest of the whole string, however its surrogate pairs meet the slices', () => {
    const slice = 1 << 15;
    for (const at of [slice - 1, slice, slice + 1]) {
      const text = `${'a'.repeat(at - 1)}😀${'b'.repeat(slice)}\ud800${'c'.repeat(slice)}😀`;
      expect(sha256(text)).toBe(oneShot(text));
      expect(sha256(text)).toBe(oneShot(Buffer.from(text)));
    }
    // a lone high surrogate ends a slice, and a pair starts the next one
    const lone = `${'a'.repeat(slice - 1)}\ud800😀${'b'.repeat(10)}`;
    expect(sha256(lone)).toBe(oneShot(lone));
    for (let seed = 1; seed < 6; seed++) {
      const text = awkwardText(seed, 3 * slice + seed);
      expect(sha256(text)).toBe(oneShot(text));
    }
  });
});

describe('normalizeText and textDigest', () => {
  it('give what decoding and encoding again gave, for text, binary, and bytes that are not UTF-8', () => {
    const inputs = [
      ...Array.from({ length: 12 }, (_, seed) => Buffer.from(awkwardText(seed, 2000 + seed))),
      ...Array.from({ length: 12 }, (_, seed) => Buffer.from(awkwardText(seed, 2000 + seed).replaceAll('\0', ''))),
      Buffer.from('plain\nlines\n'),
      Buffer.from('\ufeffwith a BOM\r\n'),
      Buffer.from('\ufeffa BOM, no CR\n'),
      Buffer.from('CRs: a\r\nb\rc\n'),
      Buffer.from([0x61, 0xff, 0x62, 0x0a]), // not UTF-8: decoding replaced the byte with U+FFFD
      Buffer.from([0xe2, 0x82]), // a sequence cut short
      Buffer.from([0xef, 0xbb]), // half a BOM
    ];
    for (const bytes of inputs) {
      expect(normalizeText(bytes).equals(normalizedOnce(bytes))).toBe(true);
      const text = bytes.toString('utf8');
      expect(textDigest(text)).toBe(oneShot(normalizedOnce(Buffer.from(text))));
    }
  });

  it('returns text that needs nothing done as the same buffer', () => {
    const bytes = Buffer.from('already LF, valid UTF-8: é 😀\n');
    expect(normalizeText(bytes)).toBe(bytes);
  });
});
