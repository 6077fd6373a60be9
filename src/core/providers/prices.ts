/**
 * USD per million tokens. The table a run prices its calls with is, first to last: the config's `prices`
 * (explicit overrides), the table imported with `agentctl prices import` (price-table.ts), these defaults.
 */
export interface Price {
  inputPerMTok: number;
  outputPerMTok: number;
}

/** When the embedded defaults were list prices: `stats` names it, so an old table is visibly old. */
export const DEFAULT_PRICES_DATE = '2025-05-01';

export const DEFAULT_PRICES: Readonly<Record<string, Price>> = {
  'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10 },
  'gpt-4.1-mini': { inputPerMTok: 0.4, outputPerMTok: 1.6 },
  'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8 },
  'claude-haiku': { inputPerMTok: 0.8, outputPerMTok: 4 },
  'claude-sonnet': { inputPerMTok: 3, outputPerMTok: 15 },
  echo: { inputPerMTok: 0, outputPerMTok: 0 },
};

/**
 * The price of `model`: its exact name, then without a gateway prefix ("openai/gpt-4o" → "gpt-4o"), then
 * the longest name it starts with ("gpt-4o-mini-2024-07-18" → "gpt-4o-mini"); each step in `prices`, then the defaults.
 */
export function priceOf(model: string, prices: Readonly<Record<string, Price>> = {}): Price | undefined {
  const bare = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
  // Exact names in every table before any prefix: `gpt-4o` in your prices must not price `gpt-4o-mini`,
  // which the defaults know by name.
  const tables = [prices, DEFAULT_PRICES];
  for (const table of tables) {
    const exact = own(table, model) ?? own(table, bare);
    if (exact) return exact;
  }
  for (const table of tables) {
    let best: string | undefined;
    for (const name of Object.keys(table)) if (bare.startsWith(name) && name.length > (best?.length ?? 0)) best = name;
    if (best) return table[best];
  }
  return undefined;
}

/** Model names come from gateways: "constructor" must not find Object.prototype's. */
const own = (table: Readonly<Record<string, Price>>, name: string) => (Object.hasOwn(table, name) ? table[name] : undefined);

export function costOf(model: string, usage: { inputTokens: number; outputTokens: number }, prices: Readonly<Record<string, Price>> = {}): number {
  const price = priceOf(model, prices);
  if (!price) return 0;
  return (usage.inputTokens * price.inputPerMTok + usage.outputTokens * price.outputPerMTok) / 1_000_000;
}
