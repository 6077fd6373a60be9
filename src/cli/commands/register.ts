import { registerSpecs } from '../../core/registry/register-specs.js';
import { afterRegister } from '../../core/release/next.js';
import type { CliContext } from '../context.js';
import { formatDiagnostic } from '../present/diagnostics.js';
import { nextStep } from '../present/next-step.js';
import { note, printJson, printLine, printText } from '../present/output.js';
import { out } from '../present/style.js';
import { signingActorOf, writeRegistry } from '../workspace.js';

export async function registerCommand(ctx: CliContext, paths: string[], options: { json?: boolean }): Promise<number> {
  return writeRegistry(ctx, (registry, workspace) => {
    const result = registerSpecs(workspace, registry, ctx.cwd, paths, signingActorOf(ctx, workspace));
    if (!result.ok) {
      if (options.json) printJson(ctx, { registered: [], diagnostics: result.report.diagnostics });
      else for (const d of result.report.diagnostics) printLine(ctx, formatDiagnostic(d));
      note(ctx, `${out.red('✗')} nothing registered: ${result.report.errors} validation error(s); fix them and run again`);
      return 1;
    }
    if (options.json) {
      printJson(ctx, { registered: result.outcomes });
      return 0;
    }
    // One write for all the lines (1,000 versions made 1,000 writes), redacted whole like every print.
    const lines = result.outcomes.map((o) => {
      const mark = o.outcome === 'registered' ? out.green('registered') : out.dim('unchanged ');
      return `${mark}  ${o.kind.padEnd(6)} ${o.ref}  ${out.dim(o.digest)}\n`;
    });
    printText(ctx, lines.join(''));
    // The agent the user named (the last one: dependencies are registered first).
    const agent = result.outcomes.filter((o) => o.kind === 'Agent').at(-1);
    const hint = afterRegister(agent ? registry.resolve(agent.ref) : undefined);
    if (hint) nextStep(ctx, ...hint);
    return 0;
  });
}
