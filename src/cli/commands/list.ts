import type { Stage } from '../../core/registry/lifecycle.js';
import type { ListFilter } from '../../core/registry/registry.js';
import { readVersionList } from '../../core/registry/versions.js';
import { locateWorkspace } from '../../core/workspace/workspace.js';
import type { CliContext } from '../context.js';
import { outputRedactor, outputSecrets } from '../present/redact.js';
import { listJsonText } from './list-json.js';

export async function listCommand(ctx: CliContext, options: Omit<ListFilter, 'stage'> & { stage?: Stage; json?: boolean }): Promise<number> {
  // --stage means "the version that holds this stage now": a stage is a route, not a label.
  const { json, stage, ...rest } = options;
  const filter: ListFilter = { ...rest, holds: stage };
  // Not through readRegistry: the Registry class and what it imports were most of this command's start-up.
  const rows = readVersionList(locateWorkspace(ctx.cwd).registryPath, filter);
  if (json) {
    // printJson's key-based redaction (a replacer called for every value: a quarter of the printing time over
    // 10,000 versions) cannot change these rows, whose keys are fixed and none secret-like; the text is
    // redacted as a whole print would be, scanning only where a secret could be (list-json.ts).
    ctx.stdout.write(listJsonText(rows, outputRedactor(), outputSecrets()));
    return 0;
  }
  // What is for people (this note, the table and its colours, chalk loading node:tty) is loaded only here:
  // --json reaches neither output.ts nor what it imports (output-file.ts and node:crypto).
  if (rows.length === 0) {
    const { note } = await import('../present/output.js');
    note(
      ctx,
      stage
        ? `nothing holds ${stage} yet — agentctl promote <name>@<version> --to ${stage}`
        : 'nothing registered yet — register a spec: agentctl register agents/<name>',
    );
    return 0;
  }
  const { printVersionTable } = await import('./version-table.js');
  printVersionTable(ctx, rows);
  return 0;
}
