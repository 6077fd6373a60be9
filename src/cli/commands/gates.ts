/** approve and gates: the human evidence, and what each stage needs now. */
import { approveVersion } from '../../core/eval/approve.js';
import { evidencePieces, gatesReport } from '../../core/registry/evidence.js';
import { policyDrift } from '../../core/registry/policies-in-force.js';
import { originText } from '../../core/registry/provenance.js';
import type { Registry } from '../../core/registry/registry.js';
import { afterApprove } from '../../core/release/next.js';
import { loadWorkspaceSpecs, workspacePolicies } from '../../core/spec/validate.js';
import type { CliContext } from '../context.js';
import { nextStep } from '../present/next-step.js';
import { note, printJson, printLine } from '../present/output.js';
import { out } from '../present/style.js';
import { signingActorOf, writeRegistry } from '../workspace.js';

export async function approveCommand(ctx: CliContext, ref: string, options: { note?: string; withDeps?: boolean; json?: boolean }): Promise<number> {
  return writeRegistry(ctx, (registry, workspace) => {
    const row = registry.resolve(ref);
    if (row.resolvedFrom) note(ctx, `${ref} → ${row.name}@${row.version}`);
    // A reviewer of a release reviews what it locks too: each dependency gets its own approval of its digest.
    const refs = [...(options.withDeps ? lockedClosure(registry, row.name, row.version) : []), `${row.name}@${row.version}`];
    const approvals = refs.flatMap((r) => {
      const dep = registry.resolve(r);
      const already = registry.evals.approvals(dep.name, dep.version, dep.digest).some((a) => a.user === signingActorOf(ctx, workspace).user);
      if (already && r !== `${row.name}@${row.version}`) return [];
      return [
        approveVersion(
          registry,
          r,
          signingActorOf(ctx, workspace),
          options.note ?? null,
          workspacePolicies(workspace.root, ctx.cwd),
          workspace.config.defaultPolicy,
          ctx.env,
        ),
      ];
    });
    if (options.json) printJson(ctx, options.withDeps ? approvals : approvals[0]);
    else
      for (const approval of approvals)
        printLine(
          ctx,
          `${out.green('✓')} ${approval.user} (${approval.team}) approved ${approval.ref} ${out.dim(approval.digest)}${approval.note ? ` — ${approval.note}` : ''}`,
        );
    nextStep(ctx, ...afterApprove(registry.resolve(`${row.name}@${row.version}`)), options);
    return 0;
  });
}

/** Every sub-agent and tool a version locks, recursively, dependencies first. */
function lockedClosure(registry: Registry, name: string, version: string, seen = new Set<string>()): string[] {
  const out: string[] = [];
  for (const dep of registry.dependenciesOf(name, version)) {
    const key = `${dep.name}@${dep.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(...lockedClosure(registry, dep.name, dep.version, seen), key);
  }
  return out;
}

export async function gatesCommand(ctx: CliContext, ref: string, options: { json?: boolean }): Promise<number> {
  return writeRegistry(ctx, (registry, workspace) => {
    const row = registry.resolve(ref);
    const specs = loadWorkspaceSpecs(workspace.root, ctx.cwd).workspace;
    const stages = gatesReport(registry, row, workspacePolicies(workspace.root, ctx.cwd), workspace.config.defaultPolicy);
    const drift = policyDrift(registry, specs).filter((d) => d.state === 'changed' || d.state === 'unregistered' || (d.state === 'disabled' && d.workspace));
    // Drift is a warning on stderr: the gates above are decided by the registered policies regardless.
    for (const d of drift) note(ctx, `${out.yellow('policy drift:')} ${d.detail}${d.fix ? `\n  ${out.cyan('fix:')} ${d.fix}` : ''}`);
    const evidence = evidencePieces(registry, row);
    if (options.json) {
      printJson(ctx, { ref: `${row.name}@${row.version}`, digest: row.digest, status: row.status, stage: row.stage, stages, evidence, policyDrift: drift });
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
    // Where each piece of evidence the gates counted came from: here, or pulled and signed by whom.
    if (evidence.length) printLine(ctx, out.bold('evidence'));
    for (const e of evidence) printLine(ctx, `    ${e.detail} — ${e.pulled ? out.cyan(originText(e.pulled)) : out.dim('local')}`);
    return 0;
  });
}
