import { describe, expect, it } from 'vitest';
import { attributionWire, DEFAULT_ATTRIBUTION_HEADERS, type RequestAttribution } from './attribution.js';
import { costOf } from './prices.js';
import { type ModelRequest, requestKey } from './types.js';

const values: RequestAttribution = { agent: 'triage', version: '1.2.0', digest: 'sha256:abc', team: 'support', runId: '01RUN', sessionId: '01SES' };

describe('attributionWire', () => {
  it('keeps OpenAI metadata within its limits even for long values', () => {
    const wire = attributionWire({ mode: 'openai', headers: {} }, { ...values, agent: 'a'.repeat(2_000) });
    const metadata = wire.body.metadata as Record<string, string>;
    expect(Object.keys(metadata).length).toBeLessThanOrEqual(16);
    for (const [k, v] of Object.entries(metadata)) {
      expect(k.length).toBeLessThanOrEqual(64);
      expect(v.length).toBeLessThanOrEqual(512);
    }
    expect(wire.headers).toEqual({});
  });

  it('puts only visible ASCII in headers and leaves out a missing team', () => {
    const wire = attributionWire({ mode: 'headers', headers: DEFAULT_ATTRIBUTION_HEADERS }, { ...values, agent: 'tri\nage', team: undefined });
    expect(wire.headers['x-agentctl-agent']).toBe('triage');
    expect(wire.headers).not.toHaveProperty('x-agentctl-team');
    expect(wire.body).toEqual({});
  });
});

describe('requestKey', () => {
  it('does not depend on the attribution (recorded cassettes keep matching)', () => {
    const request: ModelRequest = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [],
      params: {},
      agent: 'triage',
      input: 'hi',
      step: 1,
    };
    expect(requestKey({ ...request, attribution: values })).toBe(requestKey({ ...request }));
  });
});

describe('costOf', () => {
  it('finds a gateway-prefixed, dated model by its longest known name, and never a prototype property', () => {
    const prices = { 'gpt-4o': { inputPerMTok: 1, outputPerMTok: 1 }, 'gpt-4o-mini': { inputPerMTok: 2, outputPerMTok: 2 } };
    expect(costOf('openai/gpt-4o-mini-2024-07-18', { inputTokens: 1_000_000, outputTokens: 0 }, prices)).toBe(2);
    expect(costOf('constructor', { inputTokens: 1_000_000, outputTokens: 0 }, prices)).toBe(0);
  });
});
