import type { ListFilter, VersionRow } from '../../core/registry/registry.js';
import type { CliContext } from '../context.js';
import { note, printJson, printLine, table } from '../present/output.js';
import { out } from '../present/style.js';
import { readRegistry } from '../read-registry.js';

export async function listCommand(ctx: CliContext, options: ListFilter & { json?: boolean }): Promise<number> {
  const { json, ...filter } = options;
  const rows = readRegistry(
    ctx,
    (registry) => registry.list(filter),
    () => [] as VersionRow[],
  );
  if (json) {
    printJson(ctx, rows);
    return 0;
  }
  if (rows.length === 0) {
    note(ctx, 'nothing registered yet — register a spec: agentctl register agents/<name>');
    return 0;
  }
  const statusColour = (s: string) => (s === 'active' ? out.green(s) : s === 'draft' ? out.yellow(s) : out.dim(s));
  printLine(
    ctx,
    table(
      rows.map((r) => [r.kind, r.name, r.version, r.owner, r.stage, statusColour(r.status), r.digest.slice(0, 19), r.createdAt]),
      ['KIND', 'NAME', 'VERSION', 'OWNER', 'STAGE', 'STATUS', 'DIGEST', 'CREATED'],
    ),
  );
  return 0;
}
