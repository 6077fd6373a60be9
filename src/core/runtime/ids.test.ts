import { isValid } from 'ulid';
import { describe, expect, it, vi } from 'vitest';
import { newId } from './execute.js';

describe('run ids', () => {
  it('are unique, ordered ULIDs whose randomness is drawn from crypto in 4 KB pools, not a call per character', () => {
    const calls = vi.spyOn(crypto, 'getRandomValues');
    const ids: string[] = [];
    // Across many milliseconds: each new millisecond takes 16 fresh random characters.
    const until = Date.now() + 40;
    while (Date.now() < until) ids.push(newId());
    const draws = calls.mock.calls.length;
    calls.mockRestore();
    expect(ids.every((id) => isValid(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    const milliseconds = new Set(ids.map((id) => id.slice(0, 10))).size;
    expect(milliseconds).toBeGreaterThan(20);
    // 16 bytes per new millisecond at most: one 4 KB draw covers 256 of them.
    expect(draws).toBeLessThanOrEqual(Math.ceil((milliseconds * 16) / 4096) + 1);
  });
});
