/**
 * The precheck lets most payloads skip the combined pattern (and `json` skip its replacer): held here to
 * the reference that always scans, on generated payloads shaped like events, with and without secrets.
 */
import { describe, expect, it } from 'vitest';
import { random } from '../../../test/support/random.js';
import { createRedactor } from './redact.js';

const KEYS = ['spanId', 'tool', 'query', 'output', 'maxTokens', 'inputTokens', 'apiKey', 'db_password', 'x-api-key', 'Authorization', 'cookie', 'key', 'note'];
const SECRETS = [
  'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z',
  'AKIAIOSFODNN7EXAMPLE',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'ghp_aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6',
  'xoxb-2048163264-4096128256-aBcDeFgHiJkLmNoP',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk',
  'postgres://app:s3cr3t@db',
  'Bearer abc.def.123456',
  'TOKEN=abcd1234',
  'password: hunter22',
  '-----BEGIN RSA PRIVATE KEY-----\nMIIEvAAAAAAAAAAAAAAAAAA',
  'literal-secret-value-42',
];
// Near misses and text that sits against a secret: the precheck must stay a superset, not a guess.
const WORDS = ['a short mocked passage', 'handbook', 'question 7', 'tokens estimated', 'sk', 'ASIA pacific', 'high', '\n', '"', '\\', 'é', 'x'.repeat(39), ''];

function value(r: ReturnType<typeof random>, depth: number): unknown {
  const roll = r.next();
  if (depth > 2 || roll < 0.45) {
    let text = '';
    for (let parts = 1 + Math.floor(r.next() * 3); parts > 0; parts--) text += r.next() < 0.25 ? r.pick(SECRETS) : r.pick(WORDS);
    return text;
  }
  if (roll < 0.55) return Math.floor(r.next() * 1e6);
  if (roll < 0.7) return Array.from({ length: 1 + Math.floor(r.next() * 3) }, () => value(r, depth + 1));
  const object: Record<string, unknown> = {};
  for (let n = 1 + Math.floor(r.next() * 4); n > 0; n--) object[r.pick(KEYS)] = value(r, depth + 1);
  return object;
}

describe('the redactor fast path', () => {
  for (const options of [{}, { literals: ['literal-secret-value-42'] }, { patterns: ['ACME-[0-9]{4}'] }]) {
    it(`gives what always scanning gives, for 3,000 generated payloads (${JSON.stringify(options)})`, () => {
      const fast = createRedactor(options);
      const reference = createRedactor({ ...options, alwaysScan: true });
      const r = random(20261122);
      let redacted = 0;
      for (let i = 0; i < 3000; i++) {
        const payload = value(r, 0);
        const expected = reference.json(payload);
        if (expected !== JSON.stringify(payload)) redacted++;
        expect({ i, json: fast.json(payload) }).toEqual({ i, json: expected });
        expect({ i, spaced: fast.json(payload, 2) }).toEqual({ i, spaced: reference.json(payload, 2) });
        if (typeof payload === 'string') expect({ i, text: fast.text(payload) }).toEqual({ i, text: reference.text(payload) });
      }
      // Both kinds were generated: payloads the precheck lets through and payloads it must stop.
      expect(redacted).toBeGreaterThan(600);
      expect(redacted).toBeLessThan(2700);
    });
  }
});
