/** USD per million tokens. The workspace config's `prices` extends and overrides this table. */
export interface Price {
  inputPerMTok: number;
  outputPerMTok: number;
}

const DEFAULT_PRICES: Record<string, Price> = {
  'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10 },
  'gpt-4.1-mini': { inputPerMTok: 0.4, outputPerMTok: 1.6 },
  'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8 },
  'claude-haiku': { inputPerMTok: 0.8, outputPerMTok: 4 },
  'claude-sonnet': { inputPerMTok: 3, outputPerMTok: 15 },
  echo: { inputPerMTok: 0, outputPerMTok: 0 },
};

export function costOf(model: string, usage: { inputTokens: number; outputTokens: number }, prices: Record<string, Price> = {}): number {
  const price = prices[model] ?? DEFAULT_PRICES[model] ?? Object.entries(DEFAULT_PRICES).find(([name]) => model.startsWith(name))?.[1];
  if (!price) return 0;
  return (usage.inputTokens * price.inputPerMTok + usage.outputTokens * price.outputPerMTok) / 1_000_000;
}
