/**
 * The natural next command after each step of the path from a spec to a shipped version, with the
 * user's real values. Pure: the CLI prints what these return (cli/present/next-step.ts) and release
 * reuses them, so a single command and the whole path never disagree about what comes next.
 */
import type { GateCheck } from '../registry/gates.js';
import { STAGES, type Stage } from '../registry/lifecycle.js';

/** A command line and, briefly, why. */
export type Hint = [command: string, why?: string];

interface Ref {
  name: string;
  version: string;
}

interface Placed extends Ref {
  status: string;
  /** The stages it routes now. */
  holds: readonly Stage[];
}

/** The stage after the highest one `row` holds (dev for a draft), or undefined at prod. */
export function nextStage(row: Pick<Placed, 'status' | 'holds'>): Stage | undefined {
  if (row.status === 'draft') return 'dev';
  const highest = Math.max(-1, ...row.holds.map((s) => STAGES.indexOf(s)));
  return STAGES[highest + 1];
}

export function afterValidate(agents: readonly { name: string; file: string }[]): Hint | undefined {
  const first = agents[0];
  if (!first) return undefined;
  return [`agentctl register ${first.file.replace(/\/agent\.ya?ml$/, '')}`, `or the whole path at once: agentctl release ${first.name} --to dev`];
}

export function afterRegister(agent: Ref | undefined): Hint | undefined {
  if (!agent) return undefined;
  return [`agentctl eval ${agent.name}@${agent.version}`, `its sample set, offline; or: agentctl release ${agent.name} --to prod`];
}

export function afterRun(run: { runId: string; status: string }, agent: string): Hint {
  if (run.status === 'succeeded') return [`agentctl trace ${run.runId}`, `each step of this run; then agentctl eval ${agent}`];
  return [`agentctl trace ${run.runId}`, `where the run ${run.status === 'cancelled' ? 'stopped' : 'failed'}`];
}

/** `registered`: the evaluated digest is a registered version (not only the workspace copy). */
export function afterEval(agent: Placed, passed: boolean, registered: boolean, firstFailingRun: string | null, specDir: string): Hint | undefined {
  if (!passed) return firstFailingRun ? [`agentctl trace ${firstFailingRun}`, 'the first failing sample, step by step'] : undefined;
  const ref = `${agent.name}@${agent.version}`;
  if (!registered) return [`agentctl register ${specDir}`, `then agentctl release ${agent.name} --to prod`];
  const next = nextStage(agent);
  if (!next) return [`agentctl push ${ref}`, 'publish what holds prod'];
  return [`agentctl promote ${ref} --to ${next} --with-deps`, `or all the way: agentctl release ${agent.name} --to prod`];
}

/** After a move to `stage`: the next stage if its gates hold, else what unblocks them; at prod, push. */
export function afterPromote(row: Placed, nextChecks: readonly GateCheck[] | undefined, remote: string | undefined): Hint {
  const ref = `${row.name}@${row.version}`;
  const next = nextStage(row);
  if (!next || !nextChecks) return [`agentctl push ${ref}${remote ? ` --remote ${remote}` : ''}`, 'publish it, signed'];
  const blocking = nextChecks.find((c) => !c.holds && c.fix);
  if (blocking?.fix) return [blocking.fix, `${next} needs it (${blocking.gate})`];
  return [`agentctl promote ${ref} --to ${next} --with-deps`, `its gates for ${next} hold`];
}

export function afterApprove(row: Placed): Hint {
  const next = nextStage(row);
  const ref = `${row.name}@${row.version}`;
  if (!next) return [`agentctl push ${ref}`, 'publish it with the approval'];
  return [`agentctl release ${row.name} --to prod`, `or one stage: agentctl promote ${ref} --to ${next} --with-deps`];
}

export function afterPush(remote: string, agent: Ref): Hint {
  return [`agentctl remote ls ${remote} ${agent.name}`, `a consumer runs: agentctl pull ${remote}/${agent.name}@${agent.version} --verify`];
}
