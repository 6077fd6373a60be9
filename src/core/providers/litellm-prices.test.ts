import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLiteLLMPrices } from './litellm-prices.js';

const FIXTURE = join(import.meta.dirname, '../../../test/fixtures/litellm-model-prices.json');

describe('parseLiteLLMPrices', () => {
  it('takes chat models in USD per million tokens, without float noise, and skips sample_spec', () => {
    const { prices, skipped } = parseLiteLLMPrices(readFileSync(FIXTURE, 'utf8'), 'prices.json');
    expect(prices['gpt-4o-mini']).toEqual({ inputPerMTok: 0.15, outputPerMTok: 0.6 });
    expect(Object.keys(prices).sort()).toEqual(['claude-3-5-haiku-20241022', 'gpt-4o', 'gpt-4o-mini']);
    expect(skipped).toBe(2);
  });

  it('refuses a bad price on any model, chat or not, naming the model and field', () => {
    const text = JSON.stringify({
      'gpt-4o': { mode: 'chat', input_cost_per_token: 1e-6, output_cost_per_token: 1e-6 },
      emb: { mode: 'embedding', input_cost_per_token: Number.NaN },
    });
    expect(() => parseLiteLLMPrices(text.replace('null', '"x"'), 'p.json')).toThrow(/emb\.input_cost_per_token is "x"/);
  });
});
