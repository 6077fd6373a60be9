import { parseVersionRef } from '../../core/spec/refs.js';
import type { CliContext } from '../context.js';
import { printJson, printLine, table } from '../present/output.js';
import { readRegistry } from '../read-registry.js';

export async function historyCommand(ctx: CliContext, ref: string, options: { json?: boolean }): Promise<number> {
  const { name, version } = parseVersionRef(ref);
  return readRegistry(ctx, (registry) => {
    if (version !== undefined) registry.resolve(ref);
    else registry.resolve(name);
    const rows = registry.history(name, version);
    if (options.json) {
      printJson(ctx, rows);
      return 0;
    }
    const state = (s: { status: string; stage: string } | null) => (s ? `${s.status}/${s.stage}` : '—');
    printLine(
      ctx,
      table(
        rows.map((r) => [r.at, `${r.name}@${r.version}`, r.action, state(r.from), state(r.to), `${r.actor} (${r.team})`, r.reason ?? '']),
        ['WHEN', 'VERSION', 'ACTION', 'FROM', 'TO', 'BY', 'REASON'],
      ),
    );
    return 0;
  });
}
