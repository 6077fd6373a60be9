/** The fix printed when gates do not hold: runnable commands with the real refs, in the order to run them. */
import { AgentctlError, CheckFailedError } from '../errors.js';
import { reviewerApproval, reviewerFix } from '../eval/approve.js';
import type { Registry, VersionRow } from '../registry/registry.js';
import type { PendingGate } from './plan.js';

/**
 * One fix for every gate that does not hold. A missing approval becomes the reviewer's own command (a
 * trusted key on this machine by name, or how to add one) — never "approve" as the author. `then`: the
 * command to run after.
 */
export function gateFix(
  registry: Registry,
  row: VersionRow,
  pending: readonly Pick<PendingGate, 'ref' | 'gate' | 'fix' | 'stage'>[],
  env: NodeJS.ProcessEnv,
  then?: string,
): string {
  const fixes: string[] = [];
  const add = (fix: string | undefined) => {
    if (fix && !fixes.includes(fix)) fixes.push(fix);
  };
  // In the order they can be done: evidence first, then the reviewer (who reads it), then the move
  // itself, which is refused until both are in.
  for (const p of pending) if (p.gate !== 'approvals' && p.gate !== 'dependencies') add(p.fix);
  const approvals = pending.filter((p) => p.gate === 'approvals');
  if (approvals.length) {
    // One approve --with-deps covers the version and what it locks.
    const withDeps = approvals.some((p) => p.ref !== `${row.name}@${row.version}`) || registry.dependenciesOf(row.name, row.version).length > 0;
    add(reviewerFix(reviewerApproval(registry, row, env, withDeps).slice(0, 1)));
  }
  for (const p of pending) if (p.gate === 'dependencies') add(p.fix);
  if (then && fixes.length) fixes[fixes.length - 1] += `, then ${then}`;
  return fixes.join('; then ');
}

/** A promote refused by its gates, re-thrown with gateFix's commands in place of each gate's own fix text. */
export function withGateFix(error: unknown, registry: Registry, ref: string, env: NodeJS.ProcessEnv, failing: () => PendingGate[]): unknown {
  if (!(error instanceof AgentctlError) || error.code !== 'gate-refused') return error;
  const row = registry.resolve(ref);
  const fix = gateFix(registry, row, failing(), env);
  return fix ? new CheckFailedError(error.message, { where: error.where, fix, code: error.code, cause: error }) : error;
}

/** One line: each stage and gate that does not hold, for which versions, with the first one's reason. */
export function gatesDetail(pending: readonly PendingGate[]): string {
  const groups = new Map<string, PendingGate[]>();
  for (const p of pending) groups.set(`${p.stage} ${p.gate}`, [...(groups.get(`${p.stage} ${p.gate}`) ?? []), p]);
  return [...groups].map(([key, ps]) => `${key} (${ps.map((p) => p.ref).join(', ')}): ${ps[0]?.detail.split(';')[0]}`).join(' · ');
}
