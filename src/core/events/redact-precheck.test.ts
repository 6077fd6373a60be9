/**
 * The precheck decides which strings skip the combined pattern: it must never let a secret through.
 * Checked against findSecrets, which always runs the combined pattern over the whole string.
 */
import { describe, expect, it } from 'vitest';
import { createRedactor, findSecrets, REDACTED } from './redact.js';

const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SECRETS = [
  'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z',
  'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET,
  'ghp_aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6',
  'glpat-Xy7zW3vU9tS5rQ1pO8nM',
  'xoxb-2048163264-4096128256-aBcDeFgHiJkLmNoP',
  'AIzaSyD4f8G2h6J0k3L7m1N5p9Q2r6S0t4U8v2w',
  'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk',
  'x.postgres://app:s3cr3t@db',
  'Bearer abc.def.123456',
  'DB_PASSWORD=abcd1234',
  '"apiKey": "0123-abcd"',
  '-----BEGIN PRIVATE KEY-----\nMIIEvAAAAAAAAAAAAAAAAAA',
];
// Text around the secrets, chosen to sit right against them: scheme characters, [=_-], 40-character runs.
const FILLERS = [
  '',
  ' ',
  'a',
  'x.y+z',
  '=',
  '_',
  '-',
  'é',
  `${'q'.repeat(39)}`,
  `${'Q1'.repeat(20)}`,
  'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b',
  '\n',
  '"',
];

/** A deterministic pseudo-random generator, so a failure names a reproducible case. */
function* cases(count: number): Generator<string> {
  let seed = 12345;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let i = 0; i < count; i++) {
    let text = '';
    for (let parts = 1 + next(4); parts > 0; parts--) {
      text += FILLERS[next(FILLERS.length)] ?? '';
      if (next(3) === 0) text += SECRETS[next(SECRETS.length)] ?? '';
      text += FILLERS[next(FILLERS.length)] ?? '';
    }
    yield text;
  }
}

describe('the precheck never lets a secret through', () => {
  const r = createRedactor();

  it('changes a string exactly when the combined pattern finds a secret in it (2,000 generated strings)', () => {
    let withSecrets = 0;
    for (const text of cases(2000)) {
      const hits = findSecrets(text);
      if (hits.length > 0) withSecrets++;
      expect({ text, changed: r.text(text) !== text }).toEqual({ text, changed: hits.length > 0 });
      for (const hit of hits) expect(r.text(text)).not.toContain(text.slice(hit.index, hit.index + hit.length));
    }
    expect(withSecrets).toBeGreaterThan(300);
  });

  it('finds an AWS secret only as a whole run of exactly 40 characters, at the start, middle and end', () => {
    expect(r.text(AWS_SECRET)).toBe(REDACTED);
    expect(r.text(`${AWS_SECRET} x`)).toBe(`${REDACTED} x`);
    expect(r.text(`x ${AWS_SECRET}`)).toBe(`x ${REDACTED}`);
    expect(r.text(`${'a'.repeat(50)} ${AWS_SECRET}`)).toBe(`${'a'.repeat(50)} ${REDACTED}`);
    for (const kept of [`${AWS_SECRET}A`, `A${AWS_SECRET}`, `=${AWS_SECRET}`, `${AWS_SECRET}_`]) expect(r.text(kept)).toBe(kept);
  });

  it('sees the characters before the first candidate (\\b and lookbehinds are not cut off)', () => {
    // "Xsk-…" has no word boundary before sk-, so it is no OpenAI key, although the precheck stops at "sk-".
    const glued = `Xsk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z`;
    expect(r.text(glued)).toBe(glued);
    expect(r.text(`see git+https://u:pw@host and ${AWS_SECRET}`)).toBe(`see git+https://u:${REDACTED}@host and ${REDACTED}`);
  });

  it('redacts values under secret-like JSON keys at any depth, spaced or escaped, as the replacer does', () => {
    const value = { a: [{ b: { 'x-api-key': 'v1', Password: 'v2', 'say "hi" db_token': 'v3', cookie: 7, maxTokens: 5, key: 'sha256:abc' } }] };
    const expected = {
      a: [{ b: { 'x-api-key': REDACTED, Password: REDACTED, 'say "hi" db_token': REDACTED, cookie: REDACTED, maxTokens: 5, key: 'sha256:abc' } }],
    };
    expect(JSON.parse(r.json(value))).toEqual(expected);
    expect(JSON.parse(r.json(value, 2))).toEqual(expected);
    // Nothing secret-like: byte for byte what JSON.stringify gives.
    const clean = { spanId: 'abcdef0123456789', usage: { inputTokens: 1 }, key: `sha256:${'9f'.repeat(32)}`, content: 'an answer' };
    expect(r.json(clean)).toBe(JSON.stringify(clean));
  });

  it('runs policy patterns on the fast path too', () => {
    const policy = createRedactor({ patterns: ['ACME-[0-9]{4}'] });
    expect(policy.json({ note: 'order ACME-1234' })).toBe(`{"note":"order ${REDACTED}"}`);
    expect(policy.text('order ACME-1234')).toBe(`order ${REDACTED}`);
  });
});
