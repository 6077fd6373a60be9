/**
 * `agentctl new tool --from-mcp "<command line>" | <url>`: list an MCP server's tools, choose some
 * (a multi-select on a terminal; --tool/--all in scripts), confirm each one's sideEffects, keep answers
 * of calls the user makes as mocks, and write one tools/<name>/tool.yaml per tool.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { EnvironmentError, UsageError } from '../../core/errors.js';
import type { McpServerRef } from '../../core/mcp/connect.js';
import { describeServer, parseServerArgument } from '../../core/mcp/connect.js';
import { callMcpOnce, type ListedTool, listMcpTools, mcpToolYaml, type SideEffects, sideEffectsFrom, toolNameFor } from '../../core/mcp/to-spec.js';
import { loadWorkspaceSpecs } from '../../core/spec/validate.js';
import { deadline } from '../../core/util/deadline.js';
import type { CliContext } from '../context.js';
import { nextStep } from '../present/next-step.js';
import { note, printJson, printLine } from '../present/output.js';
import { err, out } from '../present/style.js';
import { enquirerPrompter, type Prompter } from '../prompts.js';
import { workspaceOf } from '../workspace.js';

export interface FromMcpOptions {
  fromMcp: string;
  tool?: string[];
  all?: boolean;
  call?: string;
  owner?: string;
  json?: boolean;
}

const MCP_TIMEOUT_MS = 30_000;

export async function newFromMcp(ctx: CliContext, name: string | undefined, options: FromMcpOptions, prompter: Prompter = enquirerPrompter): Promise<number> {
  const workspace = workspaceOf(ctx);
  const server = parseServerArgument(options.fromMcp);
  // A live run starts a stdio server in its tool's folder (tools/<name>/): listing and calling it now from
  // a folder at the same depth makes a relative path in its command mean here what it will mean then.
  const scratch = server.command ? toolDepthFolder(workspace.root) : undefined;
  try {
    return await addTools(ctx, workspace, name, scratch ? { ...server, cwd: scratch } : server, options, prompter);
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

/** An empty folder beside the workspace's tool folders (removed by the caller). */
function toolDepthFolder(root: string): string {
  const tools = join(root, 'tools');
  mkdirSync(tools, { recursive: true });
  return mkdtempSync(join(tools, '.from-mcp-'));
}

async function addTools(
  ctx: CliContext,
  workspace: ReturnType<typeof workspaceOf>,
  name: string | undefined,
  server: McpServerRef,
  options: FromMcpOptions,
  prompter: Prompter,
): Promise<number> {
  const callArgs = options.call === undefined ? undefined : parseArgs(options.call, '--call');
  const listed = await guarded(server, 'list the tools of', (signal) => listMcpTools(server, signal));
  const chosen = await choose(ctx, listed, options, prompter, server);
  const taken = new Set(loadWorkspaceSpecs(workspace.root, ctx.cwd).workspace.flatMap((s) => (s.document ? [s.document.metadata.name] : [])));
  // Every name is decided and checked before anything is asked, called or written: a clash (two server
  // tools that map to one name, or a name the workspace has) leaves nothing behind.
  const planned = chosen.map((tool) => {
    const toolName = name && chosen.length === 1 ? name : toolNameFor(tool.name, name ? `${name}-` : '');
    return { tool, toolName, file: join(workspace.root, 'tools', toolName, 'tool.yaml') };
  });
  for (const [i, p] of planned.entries()) {
    if (taken.has(p.toolName) || existsSync(p.file) || planned.findIndex((q) => q.toolName === p.toolName) !== i) {
      throw new UsageError(`the name "${p.toolName}" (for the MCP tool "${p.tool.name}") is already used in this workspace or by another chosen tool`, {
        fix: `choose a prefix: agentctl new tool <prefix> --from-mcp ${JSON.stringify(options.fromMcp)} --tool ${p.tool.name}`,
      });
    }
  }
  const failures: string[] = [];
  const specs: { toolName: string; file: string; text: string; tool: string; sideEffects: SideEffects; mocks: number }[] = [];
  for (const { tool, toolName, file } of planned) {
    const hinted = sideEffectsFrom(tool.annotations);
    let { sideEffects, because } = hinted;
    if (ctx.interactive) {
      const choices = (['none', 'read', 'write'] as const).map((s) => ({
        name: s,
        hint: s === hinted.sideEffects ? `the server says so (${hinted.because})` : '',
      }));
      sideEffects = (await prompter.askSelect(`sideEffects of ${toolName} (live runs call only none and read)`, choices, hinted.sideEffects)) as SideEffects;
      because =
        sideEffects === hinted.sideEffects ? `${hinted.because}, confirmed by the user` : `hint (${hinted.because}), changed to ${sideEffects} by the user`;
    }
    const mocks = await recordMocks(ctx, server, tool, toolName, sideEffects, callArgs, prompter, failures);
    const owner = options.owner ?? workspace.config.team;
    specs.push({
      toolName,
      file,
      tool: tool.name,
      sideEffects,
      mocks: mocks.length,
      text: mcpToolYaml({ name: toolName, owner, listed: tool, server, sideEffects, because, mocks }),
    });
  }
  // Written together at the end: a server that fails or hangs mid-way (an error above) wrote nothing.
  const written = specs.map((spec) => {
    mkdirSync(dirname(spec.file), { recursive: true });
    writeFileSync(spec.file, spec.text);
    return { name: spec.toolName, tool: spec.tool, sideEffects: spec.sideEffects, file: relative(ctx.cwd, spec.file), mocks: spec.mocks };
  });
  if (options.json) printJson(ctx, { kind: 'tool', server: describeServer(server), written, failedCalls: failures });
  else {
    for (const w of written)
      note(ctx, `${out.green('  created')} ${w.file}  (${w.tool}, sideEffects: ${w.sideEffects}, ${w.mocks} mock${w.mocks === 1 ? '' : 's'})`);
    printLine(ctx, `${out.green('✓')} ${written.length} tool${written.length === 1 ? '' : 's'} from ${describeServer(server)}`);
    if (failures.length === 0) nextStep(ctx, 'agentctl validate', `then list ${written.map((w) => w.name).join(', ')} under an agent's spec.tools`);
  }
  return failures.length === 0 ? 0 : 1;
}

async function choose(ctx: CliContext, listed: ListedTool[], options: FromMcpOptions, prompter: Prompter, server: McpServerRef): Promise<ListedTool[]> {
  const names = listed.map((t) => t.name);
  if (listed.length === 0) throw new EnvironmentError(`${describeServer(server)} lists no tools`, { fix: 'check that this is the server you meant' });
  if (options.all) return listed;
  if (options.tool?.length) {
    return options.tool.map((wanted) => {
      const found = listed.find((t) => t.name === wanted || toolNameFor(t.name) === wanted);
      if (!found)
        throw new UsageError(`the server has no tool "${wanted}"; it lists: ${names.join(', ')}`, { fix: `pass --tool with one of: ${names.join(', ')}` });
      return found;
    });
  }
  if (!ctx.interactive) {
    throw new UsageError(`choose the tools to add from ${describeServer(server)}: ${names.join(', ')}`, {
      fix: `agentctl new tool --from-mcp ${JSON.stringify(options.fromMcp)} --tool ${names[0]} (or --all)`,
    });
  }
  const choices = listed.map((t) => ({ name: t.name, hint: (t.title ?? t.description ?? '').split('\n')[0]?.slice(0, 70) ?? '' }));
  let picked: string[];
  if (prompter.askMultiSelect) picked = await prompter.askMultiSelect('Tools to add (space toggles, Enter accepts)', choices, []);
  else {
    picked = [];
    for (const t of listed) if (await prompter.askConfirm(`Add ${t.name}?`, false)) picked.push(t.name);
  }
  if (picked.length === 0) throw new UsageError('no tool chosen; nothing was written', { fix: 'choose at least one with space, then Enter' });
  return listed.filter((t) => picked.includes(t.name));
}

/** Answers of calls the user makes, kept as mocks: only of tools that do not write (calling one is the user's act, not ours). */
async function recordMocks(
  ctx: CliContext,
  server: McpServerRef,
  tool: ListedTool,
  toolName: string,
  sideEffects: SideEffects,
  callArgs: Record<string, unknown> | undefined,
  prompter: Prompter,
  failures: string[],
): Promise<{ when: Record<string, unknown>; output: unknown }[]> {
  const mocks: { when: Record<string, unknown>; output: unknown }[] = [];
  const keep = async (args: Record<string, unknown>) => {
    const answer = await guarded(server, `call ${tool.name} on`, (signal) => callMcpOnce(server, tool.name, args, signal));
    if (!answer.ok) {
      // The spec is still worth writing; the failed call is reported and the command exits 1.
      failures.push(`${tool.name}: ${answer.error.split('\n')[0]}`);
      note(ctx, `  ${err.red('✗')} ${tool.name} answered with an error, no mock kept: ${answer.error.split('\n')[0]}`);
      return;
    }
    mocks.push({ when: args, output: answer.output });
    note(ctx, `  ${toolName} answered ${JSON.stringify(answer.output).slice(0, 200)}`);
  };
  if (sideEffects === 'write') {
    if (callArgs) note(ctx, `  ${toolName} may write: --call was not made (add its mocks by hand)`);
    return mocks;
  }
  if (callArgs) await keep(callArgs);
  else if (ctx.interactive) {
    while (await prompter.askConfirm(`Call ${tool.name} now and keep its answer as a mock of ${toolName}?`, mocks.length === 0)) {
      const text = await prompter.askText('Arguments (a JSON object)', '{}', (v) => {
        try {
          parseArgs(v, 'the arguments');
          return true;
        } catch (error) {
          return (error as Error).message;
        }
      });
      await keep(parseArgs(text, 'the arguments'));
    }
  }
  return mocks;
}

function parseArgs(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`${what} must be a JSON object, got ${text.slice(0, 80)}`, { fix: `e.g. --call '{"path": "notes.txt"}'` });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`${what} must be a JSON object, got ${text.slice(0, 80)}`, { fix: `e.g. --call '{"path": "notes.txt"}'` });
  }
  return value as Record<string, unknown>;
}

/** Runs `fn` against the server under a deadline; a server that cannot be started or reached is an environment error. */
async function guarded<T>(server: McpServerRef, doing: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const limit = deadline([], MCP_TIMEOUT_MS, () => `no answer in ${MCP_TIMEOUT_MS} ms`);
  try {
    return await fn(limit.signal);
  } catch (error) {
    if (error instanceof UsageError || error instanceof EnvironmentError) throw error;
    const reason = limit.timedOut ? `no answer in ${MCP_TIMEOUT_MS} ms` : (error as Error).message;
    throw new EnvironmentError(`cannot ${doing} the MCP server ${describeServer(server)}: ${reason}`, {
      fix: server.url ? `check that the server is listening at ${server.url}` : `check that the command runs: ${describeServer(server)}`,
    });
  } finally {
    limit.dispose();
  }
}
