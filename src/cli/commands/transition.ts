/** promote / deprecate / disable / delete / rollback: one lifecycle or stage move each, checked and audited by the registry. */
import { UsageError } from '../../core/errors.js';
import { reviewerApproval } from '../../core/eval/approve.js';
import { gatesReport } from '../../core/registry/evidence.js';
import type { Request, Stage } from '../../core/registry/lifecycle.js';
import type { Registry } from '../../core/registry/registry.js';
import { afterPromote, nextStage } from '../../core/release/next.js';
import { promoteVersion } from '../../core/release/promote.js';
import { parseVersionRef } from '../../core/spec/refs.js';
import { workspacePolicies } from '../../core/spec/validate.js';
import type { Workspace } from '../../core/workspace/workspace.js';
import type { CliContext } from '../context.js';
import { hintsOn, nextStep } from '../present/next-step.js';
import { note, printJson, printLine } from '../present/output.js';
import { err, out } from '../present/style.js';
import { enquirerPrompter } from '../prompts.js';
import { signingActorOf, writeRegistry } from '../workspace.js';

interface TransitionOptions {
  reason?: string;
  json?: boolean;
}

type Moved = ReturnType<Registry['transition']>;

function move(ctx: CliContext, ref: string, request: Request, options: TransitionOptions, act?: (registry: Registry, workspace: Workspace) => Moved): number {
  return writeRegistry(ctx, (registry, workspace) => {
    // The holder the user is replacing, read before the transaction: if another promotion moves the
    // stage meanwhile, this one is refused instead of silently replacing it (compare-and-swap).
    const expectHolder = request.action === 'promote' ? (registry.stages.holder(registry.resolve(ref).name, request.to) ?? null) : undefined;
    const actor = signingActorOf(ctx, workspace);
    const {
      row,
      transition,
      move: stageMove,
    } = act ? act(registry, workspace) : registry.transition(ref, request, actor, options.reason ?? null, undefined, expectHolder);
    if (options.json) {
      printJson(ctx, { version: row, transition, stageMove: stageMove ?? null });
      return 0;
    }
    const target = `${transition.name}@${transition.version}`;
    const from = transition.from ? `${transition.from.status}/${transition.from.stage}` : '—';
    const to = transition.to ? `${transition.to.status}/${transition.to.stage}` : 'deleted (version number retired)';
    printLine(ctx, `${out.green('✓')} ${target}: ${from} → ${out.bold(to)}`);
    if (stageMove) {
      printLine(
        ctx,
        stageMove.fromVersion
          ? `  ${transition.name}@${stageMove.stage} moves from ${stageMove.fromVersion} to ${out.bold(stageMove.toVersion)}`
          : `  ${transition.name}@${stageMove.stage} is now ${out.bold(stageMove.toVersion)}`,
      );
    }
    if (request.action === 'deprecate' || request.action === 'disable') warnDependents(ctx, registry, transition.name, transition.version);
    return 0;
  });
}

/** Deprecating or disabling what a routed agent still depends on deserves a loud warning. */
function warnDependents(ctx: CliContext, registry: Registry, name: string, version: string): void {
  for (const user of registry.usedBy(name, version)) {
    const holds = registry.resolve(`${user.name}@${user.version}`).holds;
    if (holds.length === 0) continue;
    note(
      ctx,
      err.yellow(
        `warning: ${user.name}@${user.version} (${holds.join(', ')}) still depends on ${name}@${version} (${user.ref}); its runs will ${registry.resolve(`${name}@${version}`).status === 'disabled' ? 'be refused' : 'warn'} — release a version that no longer uses it`,
      ),
    );
  }
}

export async function promoteCommand(ctx: CliContext, ref: string, options: TransitionOptions & { to: Stage; withDeps?: boolean }): Promise<number> {
  const code = move(ctx, ref, { action: 'promote', to: options.to }, options, (registry, workspace) =>
    promoteVersion({
      registry,
      workspace,
      cwd: ctx.cwd,
      ref,
      stage: options.to,
      actor: signingActorOf(ctx, workspace),
      reason: options.reason ?? null,
      withDeps: options.withDeps,
      env: ctx.env,
      onDependency: options.json ? undefined : (step: string) => note(ctx, `${out.green('✓')} ${step}`),
    }),
  );
  if (code === 0 && hintsOn(ctx, options)) writeRegistry(ctx, (registry, workspace) => nextStep(ctx, ...promoteHint(registry, workspace, ctx, ref)));
  return code;
}

/** The next stage's gates as they stand (the dependencies follow with --with-deps), or push at prod. */
function promoteHint(registry: Registry, workspace: Workspace, ctx: CliContext, ref: string): ReturnType<typeof afterPromote> {
  const row = registry.resolve(ref);
  const next = nextStage(row);
  const checks = next
    ? gatesReport(registry, row, workspacePolicies(workspace.root, ctx.cwd), workspace.config.defaultPolicy)
        .find((s) => s.stage === next)
        ?.checks.filter((c) => c.gate !== 'dependencies')
    : undefined;
  // Name a remote only when a bare push would not find one.
  const remote = workspace.config.defaultRemote ? undefined : Object.keys(workspace.config.remotes)[0];
  // A missing approval's fix is the reviewer's own command (a local trusted key by name), not the gate's prose.
  const approvals = checks?.find((c) => !c.holds && c.gate === 'approvals');
  const reviewer = approvals ? reviewerApproval(registry, row, ctx.env, registry.dependenciesOf(row.name, row.version).length > 0)[0] : undefined;
  return afterPromote(
    row,
    checks?.map((c) => (c === approvals && reviewer ? { ...c, fix: reviewer.command } : c)),
    remote,
  );
}

export async function deprecateCommand(ctx: CliContext, ref: string, options: TransitionOptions): Promise<number> {
  return move(ctx, ref, { action: 'deprecate' }, options);
}

export async function disableCommand(ctx: CliContext, ref: string, options: TransitionOptions): Promise<number> {
  return move(ctx, ref, { action: 'disable' }, options);
}

export async function rollbackCommand(ctx: CliContext, name: string, options: { stage: Stage; to?: string; reason: string; json?: boolean }): Promise<number> {
  if (parseVersionRef(name).version !== undefined) {
    throw new UsageError(`rollback takes an agent name, not a version: "${name}"`, {
      fix: `agentctl rollback ${parseVersionRef(name).name} --stage ${options.stage} --to ${parseVersionRef(name).version} --reason "…"`,
    });
  }
  return writeRegistry(ctx, (registry, workspace) => {
    const result = registry.rollback(name, options.stage, { to: options.to, reason: options.reason, actor: signingActorOf(ctx, workspace) });
    if (options.json) {
      printJson(ctx, result);
      return 0;
    }
    printLine(ctx, `${out.green('✓')} ${name}@${options.stage}: ${result.from.version} → ${out.bold(result.to.version)} (rolled back)`);
    printLine(ctx, out.dim(`  ${name}@${result.from.version} is marked rolled back: it is never chosen as an eval baseline`));
    return 0;
  });
}

export async function deleteCommand(ctx: CliContext, ref: string, options: TransitionOptions & { yes?: boolean }): Promise<number> {
  if (!options.yes) {
    if (!ctx.interactive) {
      throw new UsageError(`deleting ${ref} is irreversible and needs confirmation`, { fix: `agentctl delete ${ref} --yes` });
    }
    if (!(await enquirerPrompter.askConfirm(`Delete ${ref}? Its version number can never be registered again.`))) {
      note(ctx, 'nothing deleted');
      return 1;
    }
  }
  return move(ctx, ref, { action: 'delete' }, options);
}
