import type { StageMove } from '../../core/registry/stages.js';
import { parseVersionRef } from '../../core/spec/refs.js';
import type { CliContext } from '../context.js';
import { printJson, printLine, table } from '../present/output.js';
import { readRegistry } from '../read-registry.js';

export async function historyCommand(ctx: CliContext, ref: string, options: { json?: boolean }): Promise<number> {
  const { name, version } = parseVersionRef(ref);
  return readRegistry(ctx, (registry) => {
    // Resolving first gives the usual "not registered" error (and turns name@prod into a version).
    const row = registry.resolve(version !== undefined ? ref : name);
    const exact = version !== undefined ? row.version : undefined;
    const transitions = registry.history(name, exact);
    // Both sides of every stage move: the version that took the stage and the one it moved from.
    const moves = registry.stageMoves(name, exact);
    if (options.json) {
      printJson(ctx, { transitions, stageMoves: moves });
      return 0;
    }
    const state = (s: { status: string; stage: string } | null) => (s ? `${s.status}/${s.stage}` : '—');
    const rows = [
      ...transitions.map((r) => ({
        at: r.at,
        cells: [r.at, `${r.name}@${r.version}`, r.action, state(r.from), state(r.to), `${r.actor} (${r.team})`, r.reason ?? ''],
      })),
      ...moves.map((m) => ({ at: m.at, cells: moveCells(m) })),
    ].sort((a, b) => a.at.localeCompare(b.at));
    printLine(
      ctx,
      table(
        rows.map((r) => r.cells),
        ['WHEN', 'VERSION', 'ACTION', 'FROM', 'TO', 'BY', 'REASON'],
      ),
    );
    return 0;
  });
}

function moveCells(m: StageMove): string[] {
  return [
    m.at,
    `${m.name}@${m.stage}`,
    m.action === 'rollback' ? `rollback ${m.stage}` : `${m.stage} moves`,
    m.fromVersion ? `${m.fromVersion}${m.action === 'rollback' ? ' (rolled back)' : ''}` : '—',
    m.toVersion,
    `${m.actor} (${m.team})`,
    m.reason ?? '',
  ];
}
