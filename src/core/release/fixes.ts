/** The one fix a release prints when gates do not hold: runnable commands with the real refs, in order. */
import { reviewerApproval, reviewerFix } from '../eval/approve.js';
import type { Registry, VersionRow } from '../registry/registry.js';
import type { PendingGate } from './plan.js';

export function gateFix(registry: Registry, row: VersionRow, pending: readonly PendingGate[], env: NodeJS.ProcessEnv): string {
  const fixes: string[] = [];
  for (const p of pending) {
    if (p.gate === 'approvals') continue;
    if (p.fix && !fixes.includes(p.fix)) fixes.push(p.fix);
  }
  const approvals = pending.filter((p) => p.gate === 'approvals');
  if (approvals.length) {
    // One approve --with-deps covers the version and what it locks; release never approves itself.
    const withDeps = approvals.some((p) => p.ref !== `${row.name}@${row.version}`);
    fixes.push(
      `${reviewerFix(reviewerApproval(registry, row, env, withDeps).slice(0, 1))}, then agentctl release ${row.name} --to ${approvals.at(-1)?.stage ?? 'prod'}`,
    );
  }
  return fixes.join('; then ');
}
