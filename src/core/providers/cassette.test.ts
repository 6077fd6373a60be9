import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createRedactor } from '../events/redact.js';
import { appendToCassette, cassetteSchema, createCassetteProvider } from './cassette.js';
import type { ModelRequest, ModelResponse } from './types.js';
import { requestKey } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'agentctl-cassette-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HAND_WRITTEN = `# Recorded by hand for the demo — keep these comments!
version: 1
interactions:
    # the greeting, answered in two calls
    -   match: { input: "Hello there" }   # flow map, odd spacing
        responses:
            - content: >-
                  Hi! How can I
                  help?
            - {content: 'second call'}
`;

function request(input: string, step = 1): ModelRequest {
  return {
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: input },
    ],
    tools: [],
    params: {},
    agent: 'triage',
    input,
    step,
  } as ModelRequest;
}
const response: ModelResponse = { content: 'recorded answer', toolCalls: [], usage: { inputTokens: 5, outputTokens: 2 }, model: 'gpt-4o-mini' };

function cassette(text: string): string {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, text);
  return path;
}

describe('appendToCassette', () => {
  it('keeps hand-written entries byte for byte and adds a request recorded twice once', () => {
    const path = cassette(HAND_WRITTEN);
    appendToCassette(path, [{ request: request('What is new?'), response }]);
    appendToCassette(path, [{ request: request('What is new?'), response }]);
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith(HAND_WRITTEN)).toBe(true);
    const parsed = cassetteSchema.parse(parse(text));
    expect(parsed.interactions).toHaveLength(2);
    expect(parsed.interactions[1]).toMatchObject({ key: requestKey(request('What is new?')), response: { content: 'recorded answer' } });
    // The new entry sits in the same list, at the list's indentation.
    expect(text.slice(HAND_WRITTEN.length)).toMatch(/^ {4}- key: sha256:/);
  });

  it('adds nothing when the same request appears twice in one batch or is already there', () => {
    const path = cassette(HAND_WRITTEN);
    appendToCassette(path, [
      { request: request('Once'), response },
      { request: request('Once'), response },
    ]);
    const after = readFileSync(path, 'utf8');
    appendToCassette(path, [{ request: request('Once'), response }]);
    expect(readFileSync(path, 'utf8')).toBe(after);
    expect(cassetteSchema.parse(parse(after)).interactions).toHaveLength(2);
  });

  it('the recorded entries are found again by the cassette provider', async () => {
    const path = cassette(HAND_WRITTEN);
    appendToCassette(path, [{ request: request('What is new?'), response }]);
    const data = cassetteSchema.parse(parse(readFileSync(path, 'utf8')));
    const provider = createCassetteProvider({ cassetteFor: () => data });
    const signal = new AbortController().signal;
    expect((await provider.complete(request('What is new?'), { signal })).content).toBe('recorded answer');
    expect((await provider.complete(request('Hello there', 2), { signal })).content).toBe('second call');
  });

  it('redacts what it records (request, content, tool arguments) and keeps the key of the live request', async () => {
    const path = cassette('version: 1\n');
    const live = request('my key is sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z');
    const leaky: ModelResponse = {
      ...response,
      content: 'the gateway key gw-key-123456789 and https://admin:pw@host',
      toolCalls: [{ id: 'c1', name: 'lookup', arguments: { query: 'AKIAIOSFODNN7EXAMPLE', password: 'hunter22' } }],
    };
    appendToCassette(path, [{ request: live, response: leaky }], createRedactor({ literals: ['gw-key-123456789'] }));
    const text = readFileSync(path, 'utf8');
    expect(text).not.toMatch(/sk-proj|gw-key|:pw@|AKIA|hunter22/);
    expect(text).toContain(requestKey(live));
    const data = cassetteSchema.parse(parse(text));
    const replayed = await createCassetteProvider({ cassetteFor: () => data }).complete(live, { signal: new AbortController().signal });
    expect(replayed.content).toBe('the gateway key [REDACTED] and https://admin:[REDACTED]@host');
    expect(replayed.toolCalls[0]?.arguments).toEqual({ query: '[REDACTED]', password: '[REDACTED]' });
  });

  it.each([
    ['a new file', undefined],
    ['an empty list', '# mine\nversion: 1\ninteractions: []   # none yet\n'],
    ['no list at all', 'version: 1\n'],
    ['a list with a trailing comment', 'version: 1\ninteractions:\n  - match: { input: "x" }\n    responses:\n      - content: hi\n  # trailing comment\n'],
    ['a list before version', 'interactions:\n- match: { input: "x" }\n  responses: [{ content: hi }]\nversion: 1'],
  ])('adds to %s', (_, text) => {
    const path = text === undefined ? join(dir, 'new.yaml') : cassette(text);
    appendToCassette(path, [{ request: request('A'), response }]);
    appendToCassette(path, [{ request: request('B'), response }]);
    const written = readFileSync(path, 'utf8');
    if (text?.startsWith('# mine')) expect(written).toContain('# mine\nversion: 1\n');
    const interactions = cassetteSchema.parse(parse(written)).interactions;
    expect(interactions.map((i) => ('key' in i ? i.key : 'hand-written'))).toEqual([
      ...(text?.includes('match') ? ['hand-written'] : []),
      requestKey(request('A')),
      requestKey(request('B')),
    ]);
    if (text?.includes('match')) expect(written).toContain(text.split('\n').slice(0, 3).join('\n'));
  });
});

describe('matching a hand-written entry by input', () => {
  const signal = new AbortController().signal;
  const answers = (text: string) => createCassetteProvider({ cassetteFor: () => cassetteSchema.parse(parse(text)) });
  const HELLO = 'version: 1\ninteractions:\n  - match: { input: hello }\n    responses: [{ content: hi there }]\n';

  it.each(['hello', 'Hello!', ' hello ', 'HELLO?', 'hello...', 'Hello  ?!'])('finds "hello" for %j', async (input) => {
    expect((await answers(HELLO).complete(request(input), { signal })).content).toBe('hi there');
  });

  it.each(['hello world', 'hell', '¡hello', 'say hello'])('still misses %j (only case, outer space and trailing punctuation are loose)', async (input) => {
    await expect(answers(HELLO).complete(request(input), { signal })).rejects.toMatchObject({ errorClass: 'cassette-miss' });
  });

  it('prefers an exact match over a loose one that comes first in the file', async () => {
    const text = `version: 1
interactions:
  - match: { input: "hello" }
    responses: [{ content: loose }]
  - match: { input: "Hello!" }
    responses: [{ content: exact }]
`;
    expect((await answers(text).complete(request('Hello!'), { signal })).content).toBe('exact');
    expect((await answers(text).complete(request('HELLO'), { signal })).content).toBe('loose');
  });

  it('between two loose matches takes the first in the file', async () => {
    const text = `version: 1
interactions:
  - match: { input: "Hello." }
    responses: [{ content: first }]
  - match: { input: "hello?" }
    responses: [{ content: second }]
`;
    expect((await answers(text).complete(request('hello'), { signal })).content).toBe('first');
  });

  it('keeps recorded entries on their exact request key: a loosely equal input misses them', async () => {
    const path = cassette('version: 1\n');
    appendToCassette(path, [{ request: request('What is new?'), response }]);
    const provider = answers(readFileSync(path, 'utf8'));
    expect((await provider.complete(request('What is new?'), { signal })).content).toBe('recorded answer');
    expect(requestKey(request('what is new'))).not.toBe(requestKey(request('What is new?')));
    await expect(provider.complete(request('what is new'), { signal })).rejects.toMatchObject({ errorClass: 'cassette-miss' });
  });
});
