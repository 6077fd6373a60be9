import { UsageError } from '../../core/errors.js';
import { didYouMean } from '../../core/spec/diagnostics.js';
import { jsonSchemaText, SCHEMA_NAMES, type SchemaName } from '../../core/spec/json-schema.js';
import type { CliContext } from '../context.js';
import { writeOutputFile } from '../output-file.js';
import { note } from '../present/output.js';

export async function schemaCommand(ctx: CliContext, kind: string, options: { out?: string }): Promise<number> {
  const name = kind.toLowerCase();
  if (!(SCHEMA_NAMES as readonly string[]).includes(name)) {
    const suggestion = didYouMean(name, SCHEMA_NAMES);
    throw new UsageError(`no schema for "${kind}"${suggestion ? ` — did you mean "${suggestion}"?` : ''}`, { fix: `use one of: ${SCHEMA_NAMES.join(', ')}` });
  }
  const text = jsonSchemaText(name as SchemaName);
  if (options.out) {
    writeOutputFile(ctx.cwd, options.out, text, '--out');
    note(ctx, `wrote ${options.out}`);
  } else ctx.stdout.write(text);
  return 0;
}
