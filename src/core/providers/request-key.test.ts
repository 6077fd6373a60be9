import { describe, expect, it } from 'vitest';
import { type ModelRequest, requestKey } from './types.js';

const request = (): ModelRequest => ({
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'hi' },
  ],
  tools: [{ name: 'lookup', description: 'd', parameters: { type: 'object' } }],
  params: { temperature: 0 },
  agent: 'a',
  input: 'hi',
  step: 1,
});

describe('requestKey', () => {
  it('is byte for byte the key recorded cassettes hold (computed before it was memoised)', () => {
    expect(requestKey(request())).toBe('sha256:0173bb9dc7c64e03a3896cf0f2e25d2471cb8bb26b54a0501baa8a56f5a02ae7');
  });

  it('hashes a request once, however many times one model call asks for its key', () => {
    const r = request();
    let reads = 0;
    const tools = r.tools;
    Object.defineProperty(r, 'tools', {
      get: () => {
        reads++;
        return tools;
      },
    });
    const first = requestKey(r);
    expect(requestKey(r)).toBe(first);
    expect(requestKey(r)).toBe(first);
    expect(reads).toBe(1);
    // Another request with the same content has the same key (the cache across samples depends on it).
    expect(requestKey(request())).toBe(first);
  });
});
