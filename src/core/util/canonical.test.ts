import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical.js';

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
