/**
 * Reading a LiteLLM model price file (`model_prices_and_context_window.json`): the table LiteLLM's proxy
 * counts spend with, so that local `stats` and the gateway count cost the same way. Only chat models are
 * taken; every price in the file is checked, so a broken file is refused whole, with where and why.
 */
import { EnvironmentError } from '../errors.js';
import type { Price } from './prices.js';

/** LiteLLM's own file is about 1.5 MB with ~2,500 entries; ten times that is still a price file. */
export const MAX_PRICE_FILE_BYTES = 32 * 1024 * 1024;
export const MAX_PRICE_FILE_MODELS = 50_000;
const MAX_MODEL_NAME = 256;
/** The example entry LiteLLM's file documents its fields with: not a model. */
const SAMPLE_SPEC = 'sample_spec';
const PRICE_FIELDS = ['input_cost_per_token', 'output_cost_per_token'] as const;

export interface ParsedPriceFile {
  /** USD per million tokens, by model name as LiteLLM spells it. */
  prices: Record<string, Price>;
  /** Entries not taken: not chat models, or without both per-token prices. */
  skipped: number;
}

// No `"..._token": value` in the text: the output redactor takes that for a secret.
const FIX =
  "use LiteLLM's model_prices_and_context_window.json, or a JSON object of its shape: models with mode chat, input_cost_per_token and output_cost_per_token in USD";

function refuse(message: string, where: string): never {
  throw new EnvironmentError(`refused the price file: ${message}`, { where, fix: FIX, code: 'invalid-price-file' });
}

/** Where in the text a JSON.parse error points, as line:col (V8 says "at position N", or "(line L column C)"). */
function jsonWhere(file: string, text: string, error: Error): string {
  const lineCol = /line (\d+) column (\d+)/.exec(error.message);
  if (lineCol) return `${file}:${lineCol[1]}:${lineCol[2]}`;
  const position = /position (\d+)/.exec(error.message);
  if (!position) return file;
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  return `${file}:${line}:${before.length - before.lastIndexOf('\n')}`;
}

const hasControl = (text: string) => [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/** Per token → per million tokens, without 1.5e-7 × 1e6 printing as 0.15000000000000002. */
const perMillion = (perToken: number) => Number((perToken * 1_000_000).toPrecision(12));

/** The chat models' prices of a LiteLLM price file's text; `file` names it in errors. */
export function parseLiteLLMPrices(text: string, file: string): ParsedPriceFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    refuse(`it is not JSON (${(error as Error).message})`, jsonWhere(file, text, error as Error));
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) refuse('it is not a JSON object of models', file);
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length > MAX_PRICE_FILE_MODELS) refuse(`it has ${entries.length} entries; at most ${MAX_PRICE_FILE_MODELS} are read`, file);
  const prices: Record<string, Price> = {};
  let skipped = 0;
  for (const [model, entry] of entries) {
    if (model === SAMPLE_SPEC) continue;
    const where = `${file}: ${JSON.stringify(model.slice(0, 80))}`;
    if (!model.trim() || model.length > MAX_MODEL_NAME || hasControl(model)) {
      refuse(`a model name is empty, longer than ${MAX_MODEL_NAME} characters or has control characters`, where);
    }
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) refuse(`the entry of ${model} is not an object`, where);
    const fields = entry as Record<string, unknown>;
    for (const field of PRICE_FIELDS) {
      const value = fields[field];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        refuse(`${model}.${field} is ${JSON.stringify(value)}, not a price (a number of USD ≥ 0 per token)`, `${where}.${field}`);
      }
    }
    const input = fields.input_cost_per_token;
    const output = fields.output_cost_per_token;
    if (fields.mode !== 'chat' || typeof input !== 'number' || typeof output !== 'number') {
      skipped++;
      continue;
    }
    prices[model] = { inputPerMTok: perMillion(input), outputPerMTok: perMillion(output) };
  }
  if (Object.keys(prices).length === 0) refuse('it has no chat model with input_cost_per_token and output_cost_per_token', file);
  return { prices, skipped };
}
