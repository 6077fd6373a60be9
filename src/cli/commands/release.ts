/** `release <agent> --to <stage>`: the whole path in one command; core/release decides, this prints. */
import { checkExhaustive } from '../../core/errors.js';
import type { Stage } from '../../core/registry/lifecycle.js';
import { planRelease } from '../../core/release/dry-run.js';
import type { ReleaseStep, StepStatus } from '../../core/release/plan.js';
import { release } from '../../core/release/release.js';
import type { CliContext } from '../context.js';
import { nextStep } from '../present/next-step.js';
import { printJson, printLine } from '../present/output.js';
import { out } from '../present/style.js';
import { withSession } from '../session.js';
import { workspaceOf } from '../workspace.js';

export interface ReleaseCommandOptions {
  to: Stage;
  remote?: string;
  provider?: string;
  concurrency?: number;
  reason?: string;
  dryRun?: boolean;
  json?: boolean;
}

export async function releaseCommand(ctx: CliContext, agent: string, options: ReleaseCommandOptions): Promise<number> {
  const json = Boolean(options.json);
  if (options.dryRun) {
    const steps = planRelease(workspaceOf(ctx), { agent, to: options.to, cwd: ctx.cwd, env: ctx.env, remote: options.remote });
    const ref = steps.find((s) => s.ref)?.ref ?? null;
    if (json) printJson(ctx, { dryRun: true, steps: steps.map(publicStep), ref, stage: options.to });
    else {
      printLine(ctx, out.bold(`release plan: ${ref ?? agent} → ${options.to} (dry run: nothing is changed)`));
      for (const step of steps) printStep(ctx, step);
    }
    const failed = steps.find((s) => s.status === 'failed');
    if (!failed) nextStep(ctx, `agentctl release ${agent} --to ${options.to}`, 'run the plan', { json });
    return failed?.exitCode ?? 0;
  }
  return withSession(ctx, { provider: options.provider, commitRunEnds: false }, async (session) => {
    const result = await release(session, {
      agent,
      to: options.to,
      cwd: ctx.cwd,
      env: ctx.env,
      remote: options.remote,
      reason: options.reason,
      concurrency: options.concurrency,
      onStep: json ? undefined : (step) => printStep(ctx, step),
    });
    if (json) printJson(ctx, { steps: result.steps.map(publicStep), ref: result.ref, stage: result.stage });
    const last = result.steps.at(-1);
    if (result.exitCode === 0 && result.ref && last?.step === 'push' && last.status === 'ok') {
      const remote = options.remote ?? session.workspace.config.defaultRemote;
      const [name, version] = result.ref.split('@');
      nextStep(ctx, `agentctl remote ls ${remote} ${name}`, `a consumer runs: agentctl pull ${remote}/${name}@${version} --verify`, { json });
    }
    return result.exitCode;
  });
}

/** The JSON shape: {step, status, detail, fix?} (plus ref and stage where a step is about one). */
function publicStep(step: ReleaseStep): Omit<ReleaseStep, 'exitCode'> {
  const { exitCode: _exitCode, ...rest } = step;
  return rest;
}

function printStep(ctx: CliContext, step: ReleaseStep): void {
  const label = step.step === 'promote' && step.stage ? `promote ${step.stage}` : step.step;
  printLine(ctx, `${mark(step.status)} ${label.padEnd(14)} ${step.detail}`);
  if (step.fix) printLine(ctx, `  ${out.cyan(step.status === 'failed' ? 'fix:' : 'note:')} ${step.fix}`);
}

function mark(status: StepStatus): string {
  switch (status) {
    case 'ok':
      return out.green('✓');
    case 'reused':
      return out.green('✓');
    case 'failed':
      return out.red('✗');
    case 'skipped':
      return out.yellow('-');
    case 'planned':
      return out.dim('·');
    default:
      return checkExhaustive(status);
  }
}
