/**
 * A `command` tool under `--live`: the child gets only the environment its spec declares (plus a
 * minimal PATH), never agentctl's own (which holds the gateway key); it runs in its tool folder, is
 * killed at its timeout, and its output is capped. It is not otherwise sandboxed: it can read and
 * write whatever the user can, and reach the network (README, Security → Foreign code).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { ENV_PASS_THROUGH, MAX_COMMAND_TIMEOUT_MS, type ToolDocument } from '../spec/schema.js';
import { deadline } from '../util/deadline.js';

type CommandImplementation = Extract<ToolDocument['spec']['implementation'], { type: 'command' }>;
type Outcome = { ok: true; output: unknown; source: 'live' } | { ok: false; error: string };

export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;
/** stdout or stderr beyond this ends the command: a tool's answer goes into a model's context. */
export const MAX_COMMAND_OUTPUT_BYTES = 1024 * 1024;

/**
 * The PATH a command tool gets unless it declares its own: the folder of the node running agentctl
 * (so `node tool.js` works wherever node is installed), then the system folders.
 */
export function minimalPath(): string {
  if (process.platform === 'win32') return dirname(process.execPath);
  return [dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(delimiter);
}

/** Exactly the declared variables: `${NAME}` is read from `from`, anything else is a literal. */
export function commandEnv(declared: Record<string, string> | undefined, from: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = { PATH: minimalPath() };
  for (const [name, value] of Object.entries(declared ?? {})) {
    const passed = ENV_PASS_THROUGH.exec(value);
    if (!passed) env[name] = value;
    else if (from[passed[1] as string] !== undefined) env[name] = from[passed[1] as string] as string;
  }
  return env;
}

export async function runCommandTool(
  tool: ToolDocument,
  impl: CommandImplementation,
  input: Record<string, unknown>,
  context: { signal: AbortSignal; toolDir?: string | undefined },
): Promise<Outcome> {
  // A registered version has no folder on disk: its command runs in an empty folder of its own.
  const scratch = context.toolDir ? undefined : mkdtempSync(join(tmpdir(), 'agentctl-tool-'));
  const folder = resolve(context.toolDir ?? (scratch as string));
  const cwd = resolve(folder, impl.cwd ?? '.');
  const rel = relative(folder, cwd);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    return { ok: false, error: `${tool.metadata.name}: cwd ${impl.cwd} is outside the tool's folder; it was not run` };
  }
  const ms = Math.min(impl.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS, MAX_COMMAND_TIMEOUT_MS);
  const limit = deadline([context.signal], ms, () => `${tool.metadata.name} did not finish in ${ms} ms`);
  try {
    const { execa } = await import('execa');
    const [file, ...args] = impl.command;
    const result = await execa(file as string, args, {
      input: JSON.stringify(input),
      cwd,
      env: commandEnv(impl.env, process.env),
      extendEnv: false,
      cancelSignal: limit.signal,
      forceKillAfterDelay: 2000,
      maxBuffer: MAX_COMMAND_OUTPUT_BYTES,
      reject: false,
    });
    const command = impl.command.join(' ');
    if (limit.timedOut) return { ok: false, error: `${command} was killed after its timeout of ${ms} ms (timeoutMs)` };
    if (result.isCanceled) return { ok: false, error: `${command} was stopped: the run was cancelled` };
    if (result.isMaxBuffer) return { ok: false, error: `${command} wrote more than ${MAX_COMMAND_OUTPUT_BYTES} bytes and was stopped` };
    if (result.failed && result.exitCode === undefined) return { ok: false, error: `${command} could not run: ${result.shortMessage}` };
    if (result.exitCode !== 0) return { ok: false, error: `${command} exited ${result.exitCode}: ${String(result.stderr).slice(0, 300)}` };
    return { ok: true, output: parseMaybeJson(String(result.stdout)), source: 'live' };
  } finally {
    limit.dispose();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

export function parseMaybeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
