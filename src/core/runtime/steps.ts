/**
 * A run's steps: a synchronous generator that yields its events, and yields a wait only where the run
 * really waits (a model's answer, a tool's). An agent loop as nested async generators cost a promise and
 * several microtask turns per event per level of nesting (four levels, a dozen events a sample): the
 * largest share of an offline eval sample after its database rows. Driven here, an event costs a call.
 */
import type { RuntimeEvent } from './events.js';

/** A promise the run waits for; the steps resume with its value, or with its error thrown into them. */
export interface Wait {
  readonly wait: Promise<unknown>;
}

export type Step = RuntimeEvent | Wait;

export type Steps<T> = Generator<Step, T, unknown>;

/** `const x = yield* waitFor(promise)`: an await inside a run's steps. */
export function* waitFor<T>(promise: Promise<T>): Generator<Wait, T, unknown> {
  return (yield { wait: promise }) as T;
}

const isWait = (step: Step): step is Wait => 'wait' in step;

/** Resumes the steps after a wait: with its value, or with its error thrown into them. */
async function resume<T>(steps: Steps<T>, step: Wait): Promise<IteratorResult<Step, T>> {
  let value: unknown;
  try {
    value = await step.wait;
  } catch (error) {
    return steps.throw(error);
  }
  return steps.next(value);
}

/**
 * Runs the steps to their end, handing each event to `emit` as it comes. If `emit` throws (or a wait's
 * error is not caught by the steps), the steps are closed, so their `finally` blocks (timers) still run.
 */
export async function drive<T>(steps: Steps<T>, emit: (event: RuntimeEvent) => void): Promise<T> {
  let next = steps.next();
  try {
    while (!next.done) {
      const step = next.value;
      if (isWait(step)) next = await resume(steps, step);
      else {
        emit(step);
        next = steps.next();
      }
    }
    return next.value;
  } finally {
    if (!next.done) steps.return(undefined as never);
  }
}

/** The steps as an async stream of their events, for callers that consume one event at a time. */
export async function* eventsOf<T>(steps: Steps<T>, tap?: (event: RuntimeEvent) => void): AsyncGenerator<RuntimeEvent, T> {
  let next = steps.next();
  try {
    while (!next.done) {
      const step = next.value;
      if (isWait(step)) next = await resume(steps, step);
      else {
        tap?.(step);
        yield step;
        next = steps.next();
      }
    }
    return next.value;
  } finally {
    // A consumer that stops early (or a tap that throws) still closes the run: its timers are cleared.
    if (!next.done) steps.return(undefined as never);
  }
}
