import { CheckFailedError, UsageError } from '../../core/errors.js';
import { applyScaffold, planScaffold } from '../../core/scaffold/scaffold.js';
import { findTemplate } from '../../core/scaffold/templates.js';
import { loadWorkspaceSpecs } from '../../core/spec/validate.js';
import type { CliContext } from '../context.js';
import { nextStep } from '../present/next-step.js';
import { note, printJson, printLine } from '../present/output.js';
import { out } from '../present/style.js';
import { workspaceOf } from '../workspace.js';

const TEMPLATE_BY_KIND: Record<string, string> = { agent: '_new/agent', tool: 'tool', policy: '_new/policy' };

export interface NewOptions {
  owner?: string;
  json?: boolean;
  fromMcp?: string;
  tool?: string[];
  all?: boolean;
  call?: string;
}

export async function newCommand(ctx: CliContext, kind: string, name: string | undefined, options: NewOptions): Promise<number> {
  if (options.fromMcp !== undefined) {
    if (kind.toLowerCase() !== 'tool')
      throw new UsageError('--from-mcp makes tools', { fix: `agentctl new tool --from-mcp ${JSON.stringify(options.fromMcp)}` });
    // Its own module: the MCP SDK loads only on this path.
    const { newFromMcp } = await import('./new-from-mcp.js');
    return newFromMcp(ctx, name, { ...options, fromMcp: options.fromMcp });
  }
  if (options.tool || options.all || options.call !== undefined)
    throw new UsageError('--tool, --all and --call go with --from-mcp', { fix: 'agentctl new tool --from-mcp "<command line>" | <url>' });
  if (!name) throw new UsageError(`agentctl new ${kind} needs a name`, { fix: `agentctl new ${kind.toLowerCase()} <name>` });
  const templateName = TEMPLATE_BY_KIND[kind.toLowerCase()];
  if (!templateName) throw new UsageError(`cannot create a "${kind}"`, { fix: 'agentctl new agent|tool|policy <name>' });
  const workspace = workspaceOf(ctx);
  const taken = loadWorkspaceSpecs(workspace.root, ctx.cwd).workspace.find((s) => s.document?.metadata.name === name);
  if (taken) {
    throw new CheckFailedError(`the name "${name}" is already used by ${taken.file}`, { where: taken.file, fix: 'choose another name' });
  }
  const plan = planScaffold(workspace.root, [findTemplate(templateName, { includeHidden: true })], {
    name,
    owner: options.owner ?? workspace.config.team,
    model: workspace.config.model ?? 'gpt-4o-mini',
    provider: workspace.config.provider,
    gatewayUrl: workspace.config.baseUrl ?? '',
  });
  const existing = plan.files.filter((f) => f.exists).map((f) => f.path);
  if (existing.length > 0) {
    throw new CheckFailedError(`would overwrite ${existing.join(', ')}`, { fix: 'choose another name or move those files away' });
  }
  const result = applyScaffold(plan);
  if (options.json) printJson(ctx, { kind, name, written: result.written });
  else {
    for (const path of result.written) note(ctx, `${out.green('  created')} ${path}`);
    printLine(ctx, `${out.green('✓')} ${kind} ${name} created`);
    // A new agent answers its scaffolded sample offline at once (cassettes/default.yaml); the others need checking first.
    const offline = workspace.config.provider === 'cassette';
    if (templateName === '_new/agent')
      nextStep(ctx, `agentctl run ${name} -i "Hello"`, offline ? `answered offline by its cassette; then agentctl eval ${name}` : undefined);
    else nextStep(ctx, 'agentctl validate');
  }
  return 0;
}
