import { listTemplates } from '../../core/scaffold/templates.js';
import type { CliContext } from '../context.js';
import { printJson, printLine, table } from '../present/output.js';

export async function templatesCommand(ctx: CliContext, options: { json?: boolean }): Promise<number> {
  const templates = listTemplates().map(({ name, title, description }) => ({ name, title, description }));
  if (options.json) printJson(ctx, templates);
  else
    printLine(
      ctx,
      table(
        templates.map((t) => [t.name, t.description]),
        ['TEMPLATE', 'WHAT YOU GET'],
      ),
    );
  return 0;
}
