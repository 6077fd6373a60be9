/** Every command that takes a ref says what it resolved to when the ref was a route (a stage, or a bare name). */
import type { AgentSnapshot } from '../../core/runtime/snapshot.js';
import { parseVersionRef } from '../../core/spec/refs.js';
import type { CliContext } from '../context.js';
import { note } from './output.js';
import { err } from './style.js';

export function announceResolved(ctx: CliContext, ref: string, agent: AgentSnapshot): void {
  const { version } = parseVersionRef(ref);
  if (agent.source === 'registry' && version !== agent.version) {
    note(ctx, err.dim(`${ref} → ${agent.name}@${agent.version}${version === undefined ? ' (prod: no workspace copy here)' : ''}`));
  }
  for (const warning of agent.warnings ?? []) note(ctx, err.yellow(`warning: ${warning}`));
}
