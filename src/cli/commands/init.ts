/**
 * `init`: ask (on a terminal) or take flags/defaults, plan the scaffold, confirm overwrites, write. Each answer
 * is checked as it is typed (the rules in core/scaffold/rules.ts); the last line is the command to run next.
 */
import { basename, relative, resolve } from 'node:path';
import { CheckFailedError, UsageError } from '../../core/errors.js';
import { generateKey, keysDir, ownPublicKeys } from '../../core/remote/sign.js';
import { envVarRule, gatewayUrlRule, modelRule, nameRule, promptCheck, teamRule } from '../../core/scaffold/rules.js';
import { applyScaffold, checkScaffoldVars, isEmptyDir, planScaffold } from '../../core/scaffold/scaffold.js';
import { findTemplate, listTemplates } from '../../core/scaffold/templates.js';
import { readConfigFile, userConfigPath } from '../../core/workspace/config.js';
import type { CliContext } from '../context.js';
import { nextStep } from '../present/next-step.js';
import { note, printJson, printLine } from '../present/output.js';
import { out } from '../present/style.js';
import { enquirerPrompter, type Prompter } from '../prompts.js';

export interface InitOptions {
  template?: string;
  name?: string;
  owner?: string;
  model?: string;
  gateway?: string;
  /** The name of the environment variable holding the gateway key (never the key). */
  apiKeyEnv?: string;
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

  // Flags break the same rules the prompts check, and are refused before any question is asked.
  checkScaffoldVars({
    name: options.name,
    owner: options.owner,
    gatewayUrl: options.gateway,
    model: options.model,
    apiKeyEnv: options.apiKeyEnv,
  });
  let askedAny = false;
  const ask = async <T>(given: T | undefined, fallback: T, question: () => Promise<T>): Promise<T> => {
    if (given !== undefined || !canAsk) return given ?? fallback;
    askedAny = true;
    return question();
  };
  const templates = listTemplates();
  const template = await ask(options.template, 'basic', () =>
    prompter.askSelect(
      'Template',
      templates.map((t) => ({ name: t.name, hint: t.description })),
      'basic',
    ),
  );
  findTemplate(template);
  const name = await ask(options.name, defaultName(target), () => prompter.askText('First agent (or tool) name', defaultName(target), promptCheck(nameRule)));
  const owner = await ask(options.owner, defaultTeam(ctx), () => prompter.askText('Owner team', defaultTeam(ctx), promptCheck(teamRule)));
  const gateway = await askGateway(options, canAsk, prompter);
  checkScaffoldVars({ name, owner, ...gateway });
  // A first signing key, offered in an interactive init only (never made silently: it lives outside the
  // workspace, in the user's config folder): approvals and pushes are signed, so the path to a published
  // version needs one, and a new user should not meet that as a refusal at the end.
  const makeKey =
    askedAny &&
    ownPublicKeys(ctx.env)['own:default'] === undefined &&
    (await prompter.askConfirm(`Create your signing key? It signs your approvals and pushes (kept in ${keysDir(ctx.env)}, never in the workspace)`, true));

  const plan = planScaffold(
    target,
    [findTemplate('_workspace', { includeHidden: true }), findTemplate(template)],
    {
      name,
      owner,
      model: gateway.model ?? 'gpt-4o-mini',
      provider: gateway.gatewayUrl ? 'openai' : 'cassette',
      gatewayUrl: gateway.gatewayUrl ?? 'http://localhost:4000/v1',
      gatewayModel: gateway.gatewayUrl ? gateway.model : undefined,
      apiKeyEnv: gateway.apiKeyEnv,
      ciPackage: options.ciPackage,
    },
    { schemas: true },
  );
  const confirmed = new Set<string>();
  for (const file of plan.files.filter((f) => f.exists)) {
    if (canAsk && (await prompter.askConfirm(`${file.path} exists. Overwrite it?`, false))) confirmed.add(file.path);
  }
  const result = applyScaffold(plan, (path) => confirmed.has(path));
  const key = makeKey ? generateKey('default', ctx.env) : undefined;

  if (options.json) {
    printJson(ctx, { target, template, name, owner, ...result, ...(key ? { signingKey: { keyId: key.keyId, publicPath: key.publicPath } } : {}) });
    return 0;
  }
  for (const path of result.written) note(ctx, `${out.green('  created')} ${path}`);
  for (const path of result.kept) note(ctx, `${out.yellow('  kept   ')} ${path} (exists)`);
  if (key) note(ctx, `${out.green('  created')} ${key.publicPath} (your signing key ${key.keyId.slice(0, 19)}…; the private half beside it, mode 600)`);
  printLine(ctx, `\n${out.green('✓')} workspace ready in ${target} (template ${template})`);
  const cd = relative(ctx.cwd, target);
  const go = cd ? `cd ${shellWord(cd)} && ` : '';
  const keyEnv = gateway.apiKeyEnv ?? 'AGENTCTL_GATEWAY_KEY';
  if (template === 'tool') nextStep(ctx, `${go}agentctl validate`, `checks ${name}'s spec and its mocks`);
  else
    nextStep(
      ctx,
      `${go}agentctl playground ${name}`,
      gateway.gatewayUrl ? `live answers read the key from $${keyEnv}` : 'offline answers: its cassette, or a labelled echo double',
    );
  return 0;
}

/** The gateway: offline (undefined URL), or an OpenAI-compatible URL with its model and the key's variable name. */
async function askGateway(options: InitOptions, canAsk: boolean, prompter: Prompter): Promise<{ gatewayUrl?: string; model?: string; apiKeyEnv?: string }> {
  const given = { model: options.model, apiKeyEnv: options.apiKeyEnv };
  if (options.gateway !== undefined) return { gatewayUrl: options.gateway, ...given };
  if (!canAsk) return given;
  const choice = await prompter.askSelect('Model gateway', [
    { name: 'offline', hint: 'recorded cassettes, no network (change later in .agentctl/config.yaml)' },
    { name: 'openai-compatible', hint: 'LiteLLM, OpenAI, vLLM, Ollama…' },
  ]);
  if (choice === 'offline') return given;
  const gatewayUrl = await prompter.askText('Gateway base URL', 'http://localhost:4000/v1', promptCheck(gatewayUrlRule));
  const model = options.model ?? (await prompter.askText('Model', 'gpt-4o-mini', promptCheck(modelRule)));
  const apiKeyEnv =
    options.apiKeyEnv ??
    (await prompter.askText('Environment variable that holds the gateway key (its name, not the key)', 'AGENTCTL_GATEWAY_KEY', promptCheck(envVarRule)));
  return { gatewayUrl, model, apiKeyEnv };
}

/** A folder as one shell word (quoted only when it needs to be). */
function shellWord(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
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
