import { afterEach, describe, expect, it } from 'vitest';
import { createContext } from './context.js';

const stdin = Object.getOwnPropertyDescriptor(process, 'stdin') as PropertyDescriptor;

describe('createContext', () => {
  afterEach(() => {
    Object.defineProperty(process, 'stdin', stdin);
  });

  it('builds process.stdin only when a command asks whether it is interactive, and asks once', () => {
    let reads = 0;
    Object.defineProperty(process, 'stdin', {
      configurable: true,
      get: () => {
        reads++;
        return { isTTY: true };
      },
    });
    const ctx = createContext({}, {});
    expect(reads).toBe(0);
    expect(ctx.interactive).toBe(Boolean(process.stdout.isTTY));
    expect(ctx.interactive).toBe(Boolean(process.stdout.isTTY));
    expect(reads).toBe(1);
  });

  it('is never interactive in CI, whatever the terminal', () => {
    Object.defineProperty(process, 'stdin', { configurable: true, get: () => ({ isTTY: true }) });
    expect(createContext({}, { CI: 'true' }).interactive).toBe(false);
    expect(createContext({}, { CI: '0' }).interactive).toBe(Boolean(process.stdout.isTTY));
  });
});
