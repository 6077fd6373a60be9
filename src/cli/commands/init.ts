/** `init`: ask (on a terminal) or take flags/defaults, plan the scaffold, confirm overwrites, write. */
import { basename, relative, resolve } from 'node:path';
import { CheckFailedError, UsageError } from '../../core/errors.js';
import { applyScaffold, checkScaffoldVars, isEmptyDir, planScaffold } from '../../core/scaffold/scaffold.js';
import { findTemplate, listTemplates } from '../../core/scaffold/templates.js';
import { readConfigFile, userConfigPath } from '../../core/workspace/config.js';
import type { CliContext } from '../context.js';
import { note, printJson, printLine } from '../present/output.js';
import { out } from '../present/style.js';
import { enquirerPrompter, type Prompter } from '../prompts.js';

export interface InitOptions {
  template?: string;
  name?: string;
  owner?: string;
  model?: string;
  gateway?: string;
  yes?: boolean;
  force?: boolean;
  /** What the scaffolded CI installs (default: this package at this version). */
  ciPackage?: string;
  json?: boolean;
}

export async function initCommand(ctx: CliContext, dir: string | undefined, options: InitOptions, prompter: Prompter = enquirerPrompter): Promise<number> {
  const target = resolve(ctx.cwd, dir ?? '.');
  const canAsk = ctx.interactive && !options.yes;
  if (!canAsk && !options.yes && (options.name === undefined || options.owner === undefined)) {
    throw new UsageError('no terminal to ask the questions on, and --yes was not given', {
      fix: `pass the answers as flags (--template basic --name triage --owner team-qa) or --yes for defaults`,
    });
  }
  if (!isEmptyDir(target) && !options.force) {
    throw new CheckFailedError(`${target} is not empty; init never overwrites files`, {
      where: target,
      fix: `choose an empty folder, or pass --force (existing files are kept unless you confirm each one)`,
      code: 'target-not-empty',
    });
  }

  const ask = async <T>(given: T | undefined, fallback: T, question: () => Promise<T>): Promise<T> =>
    given !== undefined ? given : canAsk ? question() : fallback;
  const templates = listTemplates();
  const template = await ask(options.template, 'basic', () =>
    prompter.askSelect(
      'Template',
      templates.map((t) => ({ name: t.name, hint: t.description })),
      'basic',
    ),
  );
  findTemplate(template);
  const name = await ask(options.name, defaultName(target), () => prompter.askText('First agent (or tool) name', defaultName(target)));
  const owner = await ask(options.owner, defaultTeam(ctx), () => prompter.askText('Owner team', defaultTeam(ctx)));
  checkScaffoldVars({ name, owner });
  const gateway = await ask<string | undefined>(options.gateway, undefined, async () => {
    const choice = await prompter.askSelect('Model gateway', [
      { name: 'offline', hint: 'recorded cassettes, no network (change later in .agentctl/config.yaml)' },
      { name: 'openai-compatible', hint: 'LiteLLM, OpenAI, vLLM, Ollama…' },
    ]);
    return choice === 'offline' ? undefined : prompter.askText('Gateway base URL', 'http://localhost:4000/v1');
  });

  const plan = planScaffold(
    target,
    [findTemplate('_workspace', { includeHidden: true }), findTemplate(template)],
    {
      name,
      owner,
      model: options.model ?? 'gpt-4o-mini',
      provider: gateway ? 'openai' : 'cassette',
      gatewayUrl: gateway ?? 'http://localhost:4000/v1',
      ciPackage: options.ciPackage,
    },
    { schemas: true },
  );
  const confirmed = new Set<string>();
  for (const file of plan.files.filter((f) => f.exists)) {
    if (canAsk && (await prompter.askConfirm(`${file.path} exists. Overwrite it?`, false))) confirmed.add(file.path);
  }
  const result = applyScaffold(plan, (path) => confirmed.has(path));

  if (options.json) {
    printJson(ctx, { target, template, name, owner, ...result });
    return 0;
  }
  for (const path of result.written) note(ctx, `${out.green('  created')} ${path}`);
  for (const path of result.kept) note(ctx, `${out.yellow('  kept   ')} ${path} (exists)`);
  const cd = relative(ctx.cwd, target);
  const subject = template === 'tool' ? `tools/${name}` : `agents/${name}`;
  printLine(ctx, `\n${out.green('✓')} workspace ready in ${target} (template ${template}). Next:\n`);
  if (cd) printLine(ctx, `  cd ${cd}`);
  printLine(ctx, '  agentctl validate');
  printLine(ctx, `  agentctl register ${subject}`);
  printLine(ctx, '  agentctl list');
  return 0;
}

function defaultName(target: string): string {
  const base = basename(target)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return base && !base.endsWith('agents') ? base.replace(/-+$/, '') : 'assistant';
}

function defaultTeam(ctx: CliContext): string {
  try {
    return ctx.flags.team || ctx.env.AGENTCTL_TEAM || readConfigFile(userConfigPath(ctx.env)).team || 'my-team';
  } catch {
    return 'my-team';
  }
}
