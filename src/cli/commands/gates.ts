/** approve and gates: the human evidence, and what each stage needs now. */
import { approveVersion } from '../../core/eval/approve.js';
import { gatesReport } from '../../core/registry/evidence.js';
import { workspacePolicies } from '../../core/spec/validate.js';
import type { CliContext } from '../context.js';
import { printJson, printLine } from '../present/output.js';
import { out } from '../present/style.js';
import { actorOf, writeRegistry } from '../workspace.js';

export async function approveCommand(ctx: CliContext, ref: string, options: { note?: string; json?: boolean }): Promise<number> {
  return writeRegistry(ctx, (registry, workspace) => {
    const approval = approveVersion(
      registry,
      ref,
      actorOf(workspace),
      options.note ?? null,
      workspacePolicies(workspace.root, ctx.cwd),
      workspace.config.defaultPolicy,
    );
    if (options.json) printJson(ctx, approval);
    else
      printLine(
        ctx,
        `${out.green('✓')} ${approval.user} (${approval.team}) approved ${approval.ref} ${out.dim(approval.digest)}${approval.note ? ` — ${approval.note}` : ''}`,
      );
    return 0;
  });
}

export async function gatesCommand(ctx: CliContext, ref: string, options: { json?: boolean }): Promise<number> {
  return writeRegistry(ctx, (registry, workspace) => {
    const row = registry.resolve(ref);
    const stages = gatesReport(registry, row, workspacePolicies(workspace.root, ctx.cwd), workspace.config.defaultPolicy);
    if (options.json) {
      printJson(ctx, { ref: `${row.name}@${row.version}`, digest: row.digest, status: row.status, stage: row.stage, stages });
      return 0;
    }
    printLine(ctx, `${out.bold(`${row.name}@${row.version}`)} is ${row.status} in ${row.stage} ${out.dim(row.digest)}`);
    for (const s of stages) {
      printLine(ctx, `${s.holds ? out.green('✓') : out.red('✗')} ${out.bold(s.stage)}${s.checks.length === 0 ? out.dim(' — no gates') : ''}`);
      for (const c of s.checks) {
        printLine(ctx, `    ${c.holds ? out.green('✓') : out.red('✗')} ${c.gate} (${c.policy}): ${c.detail}`);
        if (!c.holds && c.fix) printLine(ctx, `      ${out.cyan('fix:')} ${c.fix}`);
      }
    }
    return 0;
  });
}
