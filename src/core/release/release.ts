/**
 * `release <agent> --to <stage>`: validate → register (or reuse) → eval → gates → promote stage by stage
 * → push, each step through the same core functions the single commands use, stopping at the first step
 * that cannot pass with its fix. It never skips a gate and never approves: a missing approval is a
 * failed step whose fix is the reviewer's command.
 */
import type { Stage } from '../registry/lifecycle.js';
import { registerSpecs } from '../registry/register-specs.js';
import type { VersionRow } from '../registry/registry.js';
import type { AgentSession } from '../session/session.js';
import { validateWorkspace, workspacePolicies } from '../spec/validate.js';
import { resolveIdentity } from '../trust/identity.js';
import { gateFix, gatesDetail } from './fixes.js';
import { agentsToEvaluate, failedStep, findAgentSpec, pendingGates, type ReleaseStep, stagesToTake } from './plan.js';
import { promoteVersion } from './promote.js';
import { publishRemote, publishVersion, signingKeyProblem } from './publish.js';

export interface ReleaseRequest {
  agent: string;
  to: Stage;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The remote to push to; the workspace's defaultRemote when absent. */
  remote?: string | undefined;
  reason?: string | undefined;
  concurrency?: number | undefined;
  /** Each step as it ends (the CLI prints it). */
  onStep?: ((step: ReleaseStep) => void) | undefined;
}

export interface ReleaseResult {
  steps: ReleaseStep[];
  /** The version released (null when the release stopped before it was known). */
  ref: string | null;
  stage: Stage;
  /** 0 when every step passed or was reused/skipped; else the failed step's. */
  exitCode: number;
}

export async function release(session: AgentSession, request: ReleaseRequest): Promise<ReleaseResult> {
  const { registry, workspace } = session;
  const steps: ReleaseStep[] = [];
  let ref: string | null = null;
  const done = (): ReleaseResult => ({ steps, ref, stage: request.to, exitCode: steps.find((s) => s.status === 'failed')?.exitCode ?? 0 });
  const emit = (step: ReleaseStep): boolean => {
    steps.push(step);
    request.onStep?.(step);
    return step.status !== 'failed';
  };
  const policies = () => workspacePolicies(workspace.root, request.cwd);
  const again = `agentctl release ${request.agent} --to ${request.to}`;

  // 1. validate: the agent's spec, as `validate <file>` checks it.
  let spec: ReturnType<typeof findAgentSpec>;
  try {
    spec = findAgentSpec(session.specs().workspace, request.agent);
  } catch (error) {
    emit(failedStep('validate', error));
    return done();
  }
  const version = spec.document.metadata.version;
  ref = `${request.agent}@${version}`;
  const report = validateWorkspace({
    root: workspace.root,
    cwd: request.cwd,
    paths: [spec.absolutePath],
    registered: (name) => registry.versionsOf(name),
    defaultPolicy: workspace.config.defaultPolicy,
  });
  const firstError = report.diagnostics.find((d) => d.severity === 'error');
  if (
    !emit(
      firstError
        ? {
            step: 'validate',
            status: 'failed',
            detail: `${report.errors} error(s); first: ${firstError.file}:${firstError.line}:${firstError.col} ${firstError.message}`,
            fix: `${firstError.fix ? `${firstError.fix}, then ` : ''}agentctl validate ${spec.file}`,
            exitCode: 1,
          }
        : { step: 'validate', status: 'ok', detail: `${spec.file} and what it references` },
    )
  )
    return done();

  // 2. register, or reuse the version registered with exactly this digest.
  const actor = () => resolveIdentity(workspace, request.env).actor;
  try {
    const result = registerSpecs(workspace, registry, request.cwd, [spec.absolutePath], actor());
    if (!result.ok) {
      const d = result.report.diagnostics.find((x) => x.severity === 'error');
      emit({
        step: 'register',
        status: 'failed',
        detail: d ? `${d.file}:${d.line}:${d.col} ${d.message}` : 'the specs do not validate',
        fix: d?.fix ?? `agentctl validate ${spec.file}`,
        exitCode: 1,
      });
      return done();
    }
    const own = result.outcomes.find((o) => o.ref === ref);
    const others = result.outcomes.filter((o) => o.ref !== ref && o.outcome === 'registered').map((o) => o.ref);
    emit({
      step: 'register',
      status: own?.outcome === 'registered' ? 'ok' : 'reused',
      ref,
      detail: `${own?.outcome === 'registered' ? `registered ${ref}` : `${ref} is registered with this digest`} ${own?.digest.slice(0, 19) ?? ''}…${others.length ? `; registered ${others.join(', ')}` : ''}`,
    });
  } catch (error) {
    const step = failedStep('register', error, { ref });
    // A changed spec under a registered version number: say which file to bump.
    if (step.fix?.startsWith('bump the version')) step.fix = `${step.fix} in ${spec.file}, then ${again}`;
    emit(step);
    return done();
  }
  let row: VersionRow = registry.resolve(ref);

  // 3. eval: the sample set of the version and of each sub-agent it locks, recorded as `eval` records it.
  for (const target of agentsToEvaluate(registry, row)) {
    if (!emit(await evalStep(session, `${target.name}@${target.version}`, request.concurrency ?? 4, again))) return done();
  }

  // 4. gates: every gate on the way to the target stage, before anything moves.
  row = registry.resolve(ref);
  const stages = stagesToTake(row, request.to);
  const pending = pendingGates(registry, row, stages, policies(), workspace.config.defaultPolicy);
  if (pending.length) {
    emit({
      step: 'gates',
      status: 'failed',
      ref,
      stage: pending[0]?.stage,
      detail: gatesDetail(pending),
      fix: gateFix(registry, row, pending, request.env, `agentctl release ${request.agent} --to ${request.to}`),
      exitCode: 1,
    });
    return done();
  }
  emit({ step: 'gates', status: 'ok', ref, detail: stages.length ? `${stages.join(', ')}: every gate holds` : `${ref} already holds ${request.to} or beyond` });

  // The push will need a signing key: a missing one is found now, before anything is promoted.
  const keyProblem = signingKeyProblem(workspace, request.remote, request.env);
  if (keyProblem) {
    emit(failedStep('push', keyProblem, { ref }));
    return done();
  }

  // 5. promote, one stage at a time, the locked dependencies first (like --with-deps).
  if (stages.length === 0) emit({ step: 'promote', status: 'reused', ref, stage: request.to, detail: `${ref} is already in ${row.stage}` });
  for (const stage of stages) {
    try {
      const moved = promoteVersion({
        registry,
        workspace,
        cwd: request.cwd,
        ref,
        stage,
        actor: actor(),
        reason: request.reason ?? `release to ${request.to}`,
        withDeps: true,
      });
      const deps = moved.dependencies.length ? ` (first ${moved.dependencies.map((d) => d.split(' (')[0]).join(', ')})` : '';
      emit({
        step: 'promote',
        status: 'ok',
        ref,
        stage,
        detail: `${ref} → ${stage}${moved.move?.fromVersion ? `, replacing ${moved.move.fromVersion}` : ''}${deps}`,
      });
    } catch (error) {
      emit(failedStep('promote', error, { ref, stage }));
      return done();
    }
  }

  // 6. push to the remote (the default one), or say plainly that there is none.
  const remote = publishRemote(workspace, request.remote);
  if (!remote) {
    const names = Object.keys(workspace.config.remotes);
    emit({
      step: 'push',
      status: 'skipped',
      ref,
      detail: 'no remote: neither --remote nor defaultRemote in .agentctl/config.yaml',
      fix: names.length ? `${again} --remote ${names[0]}` : 'agentctl remote add local file://./.agentctl/oci',
    });
    return done();
  }
  try {
    const pushed = await publishVersion({ registry, workspace, cwd: request.cwd, env: request.env, ref, remote, signal: session.signal });
    emit({
      step: 'push',
      status: 'ok',
      ref,
      detail: `${pushed.manifest === 'created' ? 'published' : 'already published'} to ${pushed.remote}/${pushed.repository}:${pushed.tags[0]}${pushed.stage ? `, stage tag ${pushed.stage}` : ''}`,
    });
  } catch (error) {
    emit(failedStep('push', error, { ref }));
  }
  return done();
}

/** One agent's sample set, through the session as `eval` runs it (the same defaults), as a step. */
async function evalStep(session: AgentSession, targetRef: string, concurrency: number, again: string): Promise<ReleaseStep> {
  try {
    const binding = session.bind(session.resolve(targetRef));
    const { report: r, gate } = await session.evaluate(binding, { concurrency, repeat: 1, timeoutMs: 60_000, cache: true });
    const s = r.summary;
    const line = `${targetRef}: ${s.passed}/${s.executions} passed (${(s.passRate * 100).toFixed(1)}%) · eval ${r.evalId}`;
    if (session.signal.aborted || r.status === 'partial') {
      return { step: 'eval', status: 'failed', ref: targetRef, detail: `${line} — interrupted`, fix: again, exitCode: session.evalExitCode(false, true) };
    }
    if (gate.passed) return { step: 'eval', status: 'ok', ref: targetRef, detail: line };
    const failing = [...r.results({ notPassing: true })].find((x) => x.runId)?.runId;
    return {
      step: 'eval',
      status: 'failed',
      ref: targetRef,
      detail: `${line} — gate failed: ${gate.reasons.join('; ')}`,
      fix: failing ? `agentctl trace ${failing} (the first failing sample), fix the agent, bump its version, then ${again}` : `agentctl eval ${targetRef}`,
      exitCode: 1,
    };
  } catch (error) {
    return failedStep('eval', error, { ref: targetRef });
  }
}
