/** prices import, prices ls: the price table runs and `stats` count cost with, and where it came from. */
import { resolve } from 'node:path';
import { describePriceSource, effectivePrices, importPriceFile, loadPriceTable } from '../../core/providers/price-table.js';
import { priceOf } from '../../core/providers/prices.js';
import { openWorkspace } from '../../core/workspace/open.js';
import { locateWorkspace } from '../../core/workspace/workspace.js';
import type { CliContext } from '../context.js';
import { nextStep } from '../present/next-step.js';
import { note, printJson, printLine, table } from '../present/output.js';

export async function pricesImportCommand(ctx: CliContext, file: string, options: { json?: boolean }): Promise<number> {
  const paths = locateWorkspace(ctx.cwd);
  const imported = importPriceFile(paths.stateDir, resolve(ctx.cwd, file));
  if (options.json) {
    printJson(ctx, { source: imported.source, models: imported.source.models, skipped: imported.skipped });
    return 0;
  }
  printLine(ctx, `imported ${imported.source.models} chat model prices from ${imported.source.file} (sha256 ${imported.source.sha256.slice(0, 12)})`);
  note(ctx, `skipped ${imported.skipped} entries that are not chat models or lack per-token prices`);
  note(ctx, 'new runs are priced with this table; costs already recorded on runs stay as recorded');
  nextStep(ctx, 'agentctl prices ls', 'see the table and its source');
  return 0;
}

export async function pricesLsCommand(ctx: CliContext, model: string | undefined, options: { json?: boolean }): Promise<number> {
  const workspace = openWorkspace(ctx.cwd, ctx.flags, ctx.env);
  const { source, prices } = loadPriceTable(workspace.stateDir);
  const overrides = workspace.config.prices;
  // One model: the price a run would use for it — the config's prices, then the table, then the defaults
  // (prefix and gateway-prefix matching included), exactly as runs look it up.
  const rows =
    model === undefined ? Object.entries({ ...prices, ...overrides }) : [[model, priceOf(model, effectivePrices(workspace.stateDir, overrides))] as const];
  const found = rows.filter((r): r is [string, NonNullable<(typeof r)[1]>] => r[1] !== undefined);
  if (options.json) {
    printJson(ctx, { source, prices: Object.fromEntries(found) });
    return model !== undefined && found.length === 0 ? 1 : 0;
  }
  const overridden = Object.keys(overrides).length;
  note(ctx, `price source: ${describePriceSource(source)}${overridden ? `, ${overridden} set under prices: in the config` : ''}; USD per million tokens`);
  if (found.length === 0) {
    note(ctx, `no price for ${model}: its calls cost $0 — add it under prices: in .agentctl/config.yaml, or import a newer price file`);
    return 1;
  }
  printLine(
    ctx,
    table(
      found.map(([name, p]) => [name, String(p.inputPerMTok), String(p.outputPerMTok)]),
      ['MODEL', 'INPUT', 'OUTPUT'],
    ),
  );
  return 0;
}
