/** approve and gates: the human evidence, and what each stage needs now. */
import { approveVersion } from '../../core/eval/approve.js';
import { gatesReport } from '../../core/registry/evidence.js';
import { policyDrift } from '../../core/registry/policies-in-force.js';
import { loadWorkspaceSpecs, workspacePolicies } from '../../core/spec/validate.js';
import type { CliContext } from '../context.js';
import { note, printJson, printLine } from '../present/output.js';
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
    const specs = loadWorkspaceSpecs(workspace.root, ctx.cwd).workspace;
    const stages = gatesReport(registry, row, workspacePolicies(workspace.root, ctx.cwd), workspace.config.defaultPolicy);
    const drift = policyDrift(registry, specs).filter((d) => d.state === 'changed' || d.state === 'unregistered' || (d.state === 'disabled' && d.workspace));
    // Drift is a warning on stderr: the gates above are decided by the registered policies regardless.
    for (const d of drift) note(ctx, `${out.yellow('policy drift:')} ${d.detail}${d.fix ? `\n  ${out.cyan('fix:')} ${d.fix}` : ''}`);
    if (options.json) {
      printJson(ctx, { ref: `${row.name}@${row.version}`, digest: row.digest, status: row.status, stage: row.stage, stages, policyDrift: drift });
      return 0;
    }
    printLine(ctx, `${out.bold(`${row.name}@${row.version}`)} is ${row.status} in ${row.stage} ${out.dim(row.digest)}`);
    for (const s of stages) {
      printLine(ctx, `${s.holds ? out.green('✓') : out.red('✗')} ${out.bold(s.stage)}${s.checks.length === 0 ? out.dim(' — no gates') : ''}`);
      for (const c of s.checks) {
        const from = c.policyRef ? `${c.policy}@${c.policyRef.version}${c.policyRef.source === 'workspace' ? ', workspace' : ''}` : c.policy;
        printLine(ctx, `    ${c.holds ? out.green('✓') : out.red('✗')} ${c.gate} (${from}): ${c.detail}`);
        if (!c.holds && c.fix) printLine(ctx, `      ${out.cyan('fix:')} ${c.fix}`);
      }
    }
    return 0;
  });
}
