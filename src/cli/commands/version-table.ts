/** `list` for people: the versions as a coloured table (loaded only when the output is not --json). */
import type { ListedVersion } from '../../core/registry/versions.js';
import type { CliContext } from '../context.js';
import { printLine, table } from '../present/output.js';
import { out } from '../present/style.js';

export function printVersionTable(ctx: CliContext, rows: readonly ListedVersion[]): void {
  const statusColour = (s: string) => (s === 'active' ? out.green(s) : s === 'draft' ? out.yellow(s) : out.dim(s));
  printLine(
    ctx,
    table(
      rows.map((r) => [
        r.kind,
        r.name,
        r.version,
        r.owner,
        r.holds.length ? out.bold(r.holds.join(',')) : out.dim(`(${r.stage})`),
        `${statusColour(r.status)}${r.rolledBack ? out.red(' rolled-back') : ''}`,
        String(r.usedBy),
        r.digest.slice(0, 19),
        r.createdAt,
      ]),
      ['KIND', 'NAME', 'VERSION', 'OWNER', 'HOLDS', 'STATUS', 'USED BY', 'DIGEST', 'CREATED'],
    ),
  );
}
