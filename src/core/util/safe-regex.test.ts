import { describe, expect, it } from 'vitest';
import { createRedactor } from '../events/redact.js';
import { matches } from '../runtime/tools.js';
import { regexProblem, userRegex } from './safe-regex.js';

// The pattern the issue names: on V8's backtracking engine this input takes longer than the universe.
const CATASTROPHIC = '^(a+)+$';
const HOSTILE = `${'a'.repeat(50_000)}!`;

const timed = <T>(work: () => T): { value: T; ms: number } => {
  const started = performance.now();
  const value = work();
  return { value, ms: performance.now() - started };
};

describe('user regular expressions run in linear time', () => {
  it('a catastrophic pattern answers in milliseconds', () => {
    const { value, ms } = timed(() => userRegex(CATASTROPHIC, 'i').test(HOSTILE));
    expect(value).toBe(false);
    expect(ms).toBeLessThan(2_000);
    expect(userRegex(CATASTROPHIC).test('aaaa')).toBe(true);
  });

  it('a mock "/re/" when uses the same engine', () => {
    const { value, ms } = timed(() => matches({ q: `/${CATASTROPHIC}/` }, { q: HOSTILE }));
    expect(value).toBe(false);
    expect(ms).toBeLessThan(2_000);
    expect(matches({ q: '/^A+$/' }, { q: 'aaa' })).toBe(true);
  });

  it('a policy redact pattern uses the same engine, and still redacts', () => {
    const redactor = createRedactor({ patterns: ['(x+x+)+y', 'ACME-\\d{4}'] });
    const { value, ms } = timed(() => redactor.text(`${'x'.repeat(30_000)} and ACME-1234 $& here`));
    expect(ms).toBeLessThan(2_000);
    expect(value).toContain('[REDACTED]');
    expect(value).not.toContain('ACME-1234');
    // The replacement is literal: "$&" in the input stays, nothing is re-inserted.
    expect(value).toContain('$& here');
  });

  it('is stateless between calls even though the compiled pattern is cached', () => {
    const re = userRegex('b', 'g');
    expect([re.test('abc'), re.test('abc'), re.test('abc')]).toEqual([true, true, true]);
  });

  it.each([
    ['(?=a)b', 'invalid perl operator'],
    ['(?<!a)b', 'invalid perl operator'],
    ['(a)\\1', 'invalid escape sequence'],
    ['(unclosed', 'missing )'],
  ])('reports why RE2 cannot compile %s', (pattern, reason) => {
    expect(regexProblem(pattern)).toContain(reason);
    expect(() => userRegex(pattern)).toThrow(/cannot run/);
  });

  it('refuses flags RE2 does not have, and accepts i, m, s', () => {
    expect(regexProblem('a', 'x')).toContain('unsupported flag');
    expect(regexProblem('a', 'ims')).toBeUndefined();
  });
});
