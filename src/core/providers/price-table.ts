/**
 * The workspace's imported price table, `.agentctl/prices.json`: the chat prices of a LiteLLM price file
 * and where they came from (file name, sha256, import time). Runs price their calls with it (under the
 * config's `prices`, over the embedded defaults); `stats` and `prices ls` name it as the price source.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { EnvironmentError } from '../errors.js';
import { readUserText } from '../util/read-file.js';
import { MAX_PRICE_FILE_BYTES, parseLiteLLMPrices } from './litellm-prices.js';
import { DEFAULT_PRICES, DEFAULT_PRICES_DATE, type Price } from './prices.js';

export const PRICE_TABLE_FILE = 'prices.json';
const FORMAT = 'agentctl.prices/v1';

export interface ImportedSource {
  kind: 'imported';
  /** The imported file's name (not its path: the table travels with the workspace). */
  file: string;
  sha256: string;
  importedAt: string;
  models: number;
}

export type PriceSource = ImportedSource | { kind: 'embedded'; date: string; models: number };

export interface PriceTable {
  source: PriceSource;
  prices: Record<string, Price>;
}

interface StoredTable {
  format: typeof FORMAT;
  source: Omit<ImportedSource, 'kind'> & { skipped: number };
  prices: Record<string, Price>;
}

const tablePath = (stateDir: string) => join(stateDir, PRICE_TABLE_FILE);

/** Reads, checks and stores a LiteLLM price file as the workspace's table; nothing is written unless all of it is good. */
export function importPriceFile(stateDir: string, path: string, now = new Date()): { source: ImportedSource; prices: Record<string, Price>; skipped: number } {
  const read = readUserText(path, { maxBytes: MAX_PRICE_FILE_BYTES, raise: "import LiteLLM's price file, not a larger one" });
  if (!read.ok) {
    throw new EnvironmentError(`cannot import ${path}: it ${read.problem.message}`, { where: path, fix: read.problem.fix, code: 'invalid-price-file' });
  }
  const { prices, skipped } = parseLiteLLMPrices(read.text, path);
  const source = {
    file: basename(path),
    sha256: createHash('sha256').update(read.text).digest('hex'),
    importedAt: now.toISOString(),
    models: Object.keys(prices).length,
  };
  const stored: StoredTable = { format: FORMAT, source: { ...source, skipped }, prices };
  mkdirSync(stateDir, { recursive: true });
  // Written beside and renamed over: a reader sees the old table or the new one, never half of one.
  const temp = `${tablePath(stateDir)}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, `${JSON.stringify(stored, null, 1)}\n`);
    renameSync(temp, tablePath(stateDir));
  } catch (error) {
    rmSync(temp, { force: true });
    throw new EnvironmentError(`cannot write ${tablePath(stateDir)}: ${(error as Error).message}`, { fix: 'check the permissions of .agentctl/' });
  }
  return { source: { kind: 'imported', ...source }, prices, skipped };
}

/** The imported table, or the embedded defaults when none was imported. */
export function loadPriceTable(stateDir: string): PriceTable {
  const path = tablePath(stateDir);
  const read = readUserText(path, { maxBytes: MAX_PRICE_FILE_BYTES });
  if (!read.ok) {
    if (read.problem.code === 'missing-file')
      return { source: { kind: 'embedded', date: DEFAULT_PRICES_DATE, models: Object.keys(DEFAULT_PRICES).length }, prices: { ...DEFAULT_PRICES } };
    throw broken(path, read.problem.message);
  }
  let stored: StoredTable;
  try {
    stored = JSON.parse(read.text) as StoredTable;
  } catch {
    throw broken(path, 'is not JSON');
  }
  if (stored?.format !== FORMAT || typeof stored.source?.sha256 !== 'string' || !isPrices(stored.prices)) throw broken(path, `is not an ${FORMAT} table`);
  const { file, sha256, importedAt, models } = stored.source;
  return { source: { kind: 'imported', file, sha256, importedAt, models }, prices: stored.prices };
}

function isPrices(value: unknown): value is Record<string, Price> {
  if (value === null || typeof value !== 'object') return false;
  return Object.values(value).every(
    (p: Price) => typeof p?.inputPerMTok === 'number' && p.inputPerMTok >= 0 && typeof p.outputPerMTok === 'number' && p.outputPerMTok >= 0,
  );
}

function broken(path: string, why: string): EnvironmentError {
  return new EnvironmentError(`the workspace's price table ${path} ${why}`, {
    where: path,
    fix: 'agentctl prices import <model_prices_and_context_window.json> again, or delete the file to use the embedded prices',
    code: 'invalid-price-table',
  });
}

/**
 * What a run prices its calls with: the config's `prices` over the imported table; models neither
 * lists fall back to the embedded defaults (costOf).
 */
export function effectivePrices(stateDir: string, configured: Record<string, Price>): Record<string, Price> {
  const table = loadPriceTable(stateDir);
  return table.source.kind === 'imported' ? { ...table.prices, ...configured } : configured;
}

/** One line naming a price source, for people. */
export function describePriceSource(source: PriceSource): string {
  return source.kind === 'imported'
    ? `imported ${source.file} (sha256 ${source.sha256.slice(0, 12)}, ${source.models} chat models, ${source.importedAt.slice(0, 10)})`
    : `embedded defaults of ${source.date} (${source.models} models)`;
}
