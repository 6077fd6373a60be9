import { isValid } from 'ulid';
import { describe, expect, it, vi } from 'vitest';
import { newId } from './execute.js';

describe('run ids', () => {
  it('are unique, ordered ULIDs whose randomness is drawn from crypto in 4 KB pools, not a call per character', () => {
    const calls = vi.spyOn(crypto, 'getRandomValues');
    const ids: string[] = [];
    // Across many milliseconds (however loaded the machine): each new millisecond takes 16 fresh random characters.
    const seen = new Set<string>();
    const giveUp = Date.now() + 5_000;
    while (seen.size < 30 && Date.now() < giveUp) {
      const id = newId();
      ids.push(id);
      seen.add(id.slice(0, 10));
    }
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
