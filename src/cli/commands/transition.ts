/** promote / deprecate / disable / delete: one lifecycle move each, checked and audited by the registry. */
import { UsageError } from '../../core/errors.js';
import { promotionGuard } from '../../core/registry/evidence.js';
import type { Request, Stage } from '../../core/registry/lifecycle.js';
import { workspacePolicies } from '../../core/spec/validate.js';
import type { CliContext } from '../context.js';
import { note, printJson, printLine } from '../present/output.js';
import { out } from '../present/style.js';
import { enquirerPrompter } from '../prompts.js';
import { actorOf, writeRegistry } from '../workspace.js';

interface TransitionOptions {
  reason?: string;
  json?: boolean;
}

function move(ctx: CliContext, ref: string, request: Request, options: TransitionOptions): number {
  return writeRegistry(ctx, (registry, workspace) => {
    // Gates are checked inside the same transaction as the move, against the policies as they are now.
    const guard =
      request.action === 'promote' ? promotionGuard(registry, workspacePolicies(workspace.root, ctx.cwd), workspace.config.defaultPolicy) : undefined;
    const { row, transition } = registry.transition(ref, request, actorOf(workspace), options.reason ?? null, guard);
    if (options.json) {
      printJson(ctx, { version: row, transition });
      return 0;
    }
    const target = `${transition.name}@${transition.version}`;
    const from = transition.from ? `${transition.from.status}/${transition.from.stage}` : '—';
    const to = transition.to ? `${transition.to.status}/${transition.to.stage}` : 'deleted (version number retired)';
    printLine(ctx, `${out.green('✓')} ${target}: ${from} → ${out.bold(to)}`);
    return 0;
  });
}

export async function promoteCommand(ctx: CliContext, ref: string, options: TransitionOptions & { to: Stage }): Promise<number> {
  return move(ctx, ref, { action: 'promote', to: options.to }, options);
}

export async function deprecateCommand(ctx: CliContext, ref: string, options: TransitionOptions): Promise<number> {
  return move(ctx, ref, { action: 'deprecate' }, options);
}

export async function disableCommand(ctx: CliContext, ref: string, options: TransitionOptions): Promise<number> {
  return move(ctx, ref, { action: 'disable' }, options);
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
