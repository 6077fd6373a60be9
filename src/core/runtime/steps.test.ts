import { describe, expect, it } from 'vitest';
import type { RuntimeEvent } from './events.js';
import { drive, eventsOf, type Steps, waitFor } from './steps.js';

const event = (n: number) => ({ type: 'model.delta', runId: 'r', at: n, spanId: 's', text: String(n) }) as RuntimeEvent;

/** Two events around a wait, recording what it got back and whether its finally ran. */
function* twoSteps(wait: Promise<string>, seen: { value?: string; error?: string; closed: boolean }): Steps<string> {
  try {
    yield event(1);
    try {
      seen.value = yield* waitFor(wait);
    } catch (error) {
      seen.error = (error as Error).message;
    }
    yield event(2);
    return 'done';
  } finally {
    seen.closed = true;
  }
}

describe('a run driven as steps', () => {
  it('hands events on in order, resumes a wait with its value, and returns the result', async () => {
    const seen = { closed: false } as { value?: string; closed: boolean };
    const events: number[] = [];
    expect(await drive(twoSteps(Promise.resolve('answer'), seen), (e) => events.push(e.at))).toBe('done');
    expect(events).toEqual([1, 2]);
    expect(seen).toEqual({ value: 'answer', closed: true });
  });

  it("throws a wait's error into the steps, where their try/catch sees it as an await's", async () => {
    const seen = { closed: false } as { error?: string; closed: boolean };
    expect(await drive(twoSteps(Promise.reject(new Error('model down')), seen), () => {})).toBe('done');
    expect(seen.error).toBe('model down');
  });

  it('closes the steps (their finally runs: timers cleared) when the emitter throws', async () => {
    const seen = { closed: false };
    await expect(
      drive(twoSteps(Promise.resolve('x'), seen), () => {
        throw new Error('log failed');
      }),
    ).rejects.toThrow('log failed');
    expect(seen.closed).toBe(true);
  });

  it('as an async stream: the same events and result, and a consumer that stops early still closes the run', async () => {
    const seen = { closed: false };
    const tapped: number[] = [];
    const stream = eventsOf(twoSteps(Promise.resolve('x'), seen), (e) => tapped.push(e.at));
    const got: number[] = [];
    let next = await stream.next();
    while (!next.done) {
      got.push(next.value.at);
      next = await stream.next();
    }
    expect([got, tapped, next.value]).toEqual([[1, 2], [1, 2], 'done']);

    const early = { closed: false };
    for await (const e of eventsOf(twoSteps(new Promise(() => {}), early))) if (e.at === 1) break;
    expect(early.closed).toBe(true);
  });
});
