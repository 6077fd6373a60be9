import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICES, priceOf } from './prices.js';

describe('priceOf', () => {
  it('finds exact names in every table before any prefix: your gpt-4o does not price gpt-4o-mini', () => {
    const mine = { 'gpt-4o': { inputPerMTok: 5, outputPerMTok: 20 } };
    expect(priceOf('gpt-4o-mini', mine)).toEqual(DEFAULT_PRICES['gpt-4o-mini']);
    expect(priceOf('gpt-4o', mine)).toEqual(mine['gpt-4o']);
    // A dated name with no exact entry anywhere: the longest prefix, yours first.
    expect(priceOf('gpt-4o-2024-08-06', mine)).toEqual(mine['gpt-4o']);
    expect(priceOf('openai/gpt-4o-mini-2024-07-18')).toEqual(DEFAULT_PRICES['gpt-4o-mini']);
    expect(priceOf('constructor')).toBeUndefined();
  });
});
