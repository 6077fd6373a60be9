/**
 * An `mcp` tool under `--live`: one connection per call — the server is started (stdio) or reached
 * (HTTP), asked for the one tool, and closed (a stdio server killed) before the call returns, so a run
 * never leaves a server behind, whatever happened. Like a command tool, a stdio server gets only the
 * environment its spec declares (plus a minimal PATH and HOME), runs in its tool's folder, and the whole
 * call (start, handshake, answer) is under the spec's timeout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { connectMcp, describeServer, type McpConnection } from '../mcp/connect.js';
import { mcpAnswer } from '../mcp/result.js';
import { MAX_COMMAND_TIMEOUT_MS, type ToolDocument } from '../spec/schema.js';
import { deadline } from '../util/deadline.js';

type McpImplementation = Extract<ToolDocument['spec']['implementation'], { type: 'mcp' }>;
type Outcome = { ok: true; output: unknown; source: 'live' } | { ok: false; error: string };

export const DEFAULT_MCP_TIMEOUT_MS = 30_000;

export async function runMcpTool(
  tool: ToolDocument,
  impl: McpImplementation,
  input: Record<string, unknown>,
  context: { signal: AbortSignal; toolDir?: string | undefined },
): Promise<Outcome> {
  const name = tool.metadata.name;
  let cwd: string | undefined;
  let scratch: string | undefined;
  if (impl.command) {
    // A registered version has no folder on disk: its server runs in an empty folder of its own.
    scratch = context.toolDir ? undefined : mkdtempSync(join(tmpdir(), 'agentctl-mcp-'));
    const folder = resolve(context.toolDir ?? (scratch as string));
    cwd = resolve(folder, impl.cwd ?? '.');
    const rel = relative(folder, cwd);
    if (rel.startsWith('..') || isAbsolute(rel)) return { ok: false, error: `${name}: cwd ${impl.cwd} is outside the tool's folder; it was not run` };
  }
  const server = describeServer(impl);
  const ms = Math.min(impl.timeoutMs ?? DEFAULT_MCP_TIMEOUT_MS, MAX_COMMAND_TIMEOUT_MS);
  const limit = deadline([context.signal], ms, () => `${name} did not answer in ${ms} ms`);
  let connection: McpConnection | undefined;
  try {
    connection = await connectMcp({ command: impl.command, url: impl.url, env: impl.env, cwd }, limit.signal);
    // The SDK has its own 60 s request timeout: ours is the one that counts, so it is passed on.
    const result = await connection.client.callTool({ name: impl.tool, arguments: input }, undefined, {
      signal: limit.signal,
      timeout: ms,
      resetTimeoutOnProgress: false,
    });
    const answer = mcpAnswer(result);
    if (!answer.ok) return { ok: false, error: `${name}: the MCP server answered with an error: ${answer.error}` };
    return { ok: true, output: answer.output, source: 'live' };
  } catch (error) {
    return { ok: false, error: explain(error, { name, server, ms, limit, stderr: connection?.stderrTail() ?? '' }) };
  } finally {
    await connection?.close();
    limit.dispose();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

function explain(error: unknown, at: { name: string; server: string; ms: number; limit: { timedOut: boolean }; stderr: string }): string {
  const { name, server, ms } = at;
  if (at.limit.timedOut) return `${name}: the MCP server ${server} did not answer in ${ms} ms (timeoutMs); it was stopped`;
  const message = error instanceof Error ? error.message : String(error);
  const said = at.stderr ? `; it said: ${at.stderr.split('\n').slice(-5).join(' | ').slice(0, 500)}` : '';
  if (/aborted|AbortError/i.test(message) || (error as { name?: string })?.name === 'AbortError') return `${name}: stopped, the run was cancelled`;
  if (/ENOENT/.test(message)) return `${name}: could not start the MCP server ${server}: command not found`;
  if (/connection closed/i.test(message)) return `${name}: the MCP server ${server} closed the connection before answering (it crashed or exited)${said}`;
  if (/ECONNREFUSED|fetch failed/i.test(message)) return `${name}: cannot reach the MCP server at ${server}: ${message}`;
  return `${name}: the MCP call to ${server} failed: ${message}${said}`;
}
