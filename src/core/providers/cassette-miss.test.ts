import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Cassette, cassetteSchema, createCassetteProvider } from './cassette.js';
import { closestFirst, knownInputs, shellArg } from './cassette-miss.js';
import type { ModelError, ModelRequest } from './types.js';
import { requestKey } from './types.js';

function request(input: string): ModelRequest {
  return {
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: input }],
    tools: [],
    params: {},
    agent: 'helpdesk',
    input,
    step: 1,
  } as ModelRequest;
}

const CASSETTE: Cassette = cassetteSchema.parse(
  parse(`version: 1
interactions:
  - match: { input: Hello! }
    responses: [{ content: hi }]
  - match: { input: What is our refund policy? }
    responses: [{ toolCalls: [{ name: lookup, arguments: { query: refund } }] }, { content: 30 days }]
  - key: ${requestKey(request('Where is my parcel?'))}
    request: { model: gpt-4o-mini, step: 1, last: Where is my parcel? }
    response: { content: on its way }
  - key: sha256:${'0'.repeat(64)}
    request: { model: gpt-4o-mini, step: 2, last: '{"passage":"tool output, not a question"}' }
    response: { content: later call }
`),
);

async function miss(input: string, cassette: Cassette | undefined, advice = {}): Promise<ModelError> {
  const provider = createCassetteProvider({ cassetteFor: () => cassette }, advice);
  return provider.complete(request(input), { signal: new AbortController().signal }).then(
    () => {
      throw new Error('expected a miss');
    },
    (error: ModelError) => error,
  );
}

describe('a cassette miss', () => {
  it('lists what the cassette knows, closest first, and the two ways on with real values', async () => {
    const error = await miss('how do refunds work', CASSETTE, { apiKeyEnv: 'LITELLM_KEY', gatewayUrl: 'http://gw.local/v1' });
    expect(error.errorClass).toBe('cassette-miss');
    expect(error.message).toContain('the cassette of helpdesk knows (closest first): "What is our refund policy?", ');
    expect(error.message.indexOf('refund policy')).toBeLessThan(error.message.indexOf('"Hello!"'));
    // Hand-written inputs and the user text of recorded first calls; never a later call's tool output.
    expect(error.message).toContain('"Where is my parcel?"');
    expect(error.message).not.toContain('tool output');
    expect(error.fix).toContain('agentctl run helpdesk -i "how do refunds work" --provider echo');
    expect(error.fix).toContain(
      'the gateway at http://gw.local/v1, key in $LITELLM_KEY: agentctl run helpdesk -i "how do refunds work" --record --provider openai',
    );
  });

  it('says when the agent has no cassette, and still offers echo and recording', async () => {
    const error = await miss('hi', undefined);
    expect(error.message).toContain('helpdesk has no cassette');
    expect(error.fix).not.toContain('ask one of those');
    expect(error.fix).toContain('--provider echo');
    expect(error.fix).toContain('key in $AGENTCTL_GATEWAY_KEY');
  });

  it('shows at most five inputs and counts the rest', async () => {
    const many = cassetteSchema.parse({
      version: 1,
      interactions: Array.from({ length: 8 }, (_, i) => ({ match: { input: `question ${i}` }, responses: [{ content: 'x' }] })),
    });
    const error = await miss('something else', many);
    expect(error.message.match(/"question \d"/g)).toHaveLength(5);
    expect(error.message).toContain('and 3 more');
  });
});

describe('ranking and quoting', () => {
  it('ranks by shared words and letter pairs; ties keep file order', () => {
    expect(closestFirst('refunds?', ['Hello!', 'Where is my parcel?', 'What is our refund policy?'])[0]).toBe('What is our refund policy?');
    expect(closestFirst('zzz', ['b', 'a'])).toEqual(['b', 'a']);
  });

  it('lists each input once, however it is spelled', () => {
    const twice = cassetteSchema.parse({
      version: 1,
      interactions: [
        { match: { input: 'Hello' }, responses: [{ content: 'x' }] },
        { match: { input: 'hello!' }, responses: [{ content: 'y' }] },
      ],
    });
    expect(knownInputs(twice)).toEqual(['Hello']);
  });

  it('quotes the input so the printed command can be pasted into a shell', () => {
    expect(shellArg("What's new?")).toBe(`"What's new?"`);
    expect(shellArg('costs $5!')).toBe(`'costs $5!'`);
    expect(shellArg(`it's "x"`)).toBe(`'it'\\''s "x"'`);
  });
});
