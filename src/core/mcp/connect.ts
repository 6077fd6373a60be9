/**
 * One connection to an MCP server, through the official SDK: a server started from a command line
 * (stdio) or reached at a URL (streamable HTTP). The SDK is imported here, lazily, so only the code
 * paths that list or call an MCP tool pay for it (`agentctl --help` and dry runs never load it).
 */
import { minimalPath } from '../runtime/command-tool.js';
import { ENV_PASS_THROUGH } from '../spec/schema.js';

/** Where an MCP server is: exactly one of command (stdio) or url (streamable HTTP). */
export interface McpServerRef {
  command?: string[] | undefined;
  url?: string | undefined;
  env?: Record<string, string> | undefined;
  cwd?: string | undefined;
}

export interface McpConnection {
  /** The SDK client (typed loosely so the SDK's types stay out of core's public surface). */
  client: import('@modelcontextprotocol/sdk/client/index.js').Client;
  /** The last lines the server wrote on stderr (stdio only): what a crash says. */
  stderrTail(): string;
  /** Ends the connection; a stdio server is killed if it does not exit (awaited: no orphan process). */
  close(): Promise<void>;
}

/** How the server is named in messages: its command line or its URL. */
export function describeServer(server: McpServerRef): string {
  return server.url ?? (server.command ?? []).join(' ');
}

/**
 * The server's environment: exactly the declared variables (`${NAME}` passes NAME through), a minimal
 * PATH and HOME (servers started through npx/uvx need a home for their caches). The SDK merges its own
 * defaults (LOGNAME, SHELL, TERM, USER) in: undefined values remove them, since Node drops them.
 */
export function mcpServerEnv(declared: Record<string, string> | undefined, from: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { LOGNAME: undefined, SHELL: undefined, TERM: undefined, USER: undefined };
  env.PATH = minimalPath();
  env.HOME = from.HOME;
  for (const [name, value] of Object.entries(declared ?? {})) {
    const passed = ENV_PASS_THROUGH.exec(value);
    if (!passed) env[name] = value;
    else env[name] = from[passed[1] as string];
  }
  return env;
}

const STDERR_TAIL = 2000;
declare const __AGENTCTL_VERSION__: string;
// Unbundled (vitest runs the sources), the build-time constant does not exist.
const VERSION = typeof __AGENTCTL_VERSION__ === 'string' ? __AGENTCTL_VERSION__ : '0.0.0-dev';

/** Connects and completes the MCP handshake under `signal`; on failure nothing is left running. */
export async function connectMcp(server: McpServerRef, signal: AbortSignal): Promise<McpConnection> {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const client = new Client({ name: 'agentctl', version: VERSION });
  let stderr = '';
  let transport: import('@modelcontextprotocol/sdk/shared/transport.js').Transport;
  let pid: () => number | null = () => null;
  if (server.url !== undefined) {
    const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    transport = new StreamableHTTPClientTransport(new URL(server.url));
  } else {
    const [command, ...args] = server.command ?? [];
    if (!command) throw new Error('an mcp server needs a command or a url');
    const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
    const stdio = new StdioClientTransport({
      command,
      args,
      env: mcpServerEnv(server.env, process.env) as Record<string, string>,
      ...(server.cwd ? { cwd: server.cwd } : {}),
      stderr: 'pipe',
    });
    stdio.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    pid = () => stdio.pid;
    transport = stdio;
  }
  const close = async () => {
    // A server that stopped answering gets no grace period: the SDK would wait 2 s for it to exit on its own.
    if (signal.aborted) {
      const running = pid();
      if (running !== null) killQuietly(running);
    }
    await client.close().catch(() => undefined);
  };
  try {
    await client.connect(transport, { signal });
  } catch (error) {
    await close();
    throw error;
  }
  return { client, stderrTail: () => stderr.trim(), close };
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Splits a command line as a shell would for plain words and quotes ("a b", 'a b'); no expansion. */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) word = (word ?? '') + line[++i];
      else word = (word ?? '') + c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word = word ?? '';
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '\\' && i + 1 < line.length) word = (word ?? '') + line[++i];
    else word = (word ?? '') + c;
  }
  if (quote) throw new Error(`unclosed ${quote} in ${line}`);
  if (word !== undefined) words.push(word);
  return words;
}

/** A --from-mcp argument: a URL (http, https) or a command line. */
export function parseServerArgument(value: string): McpServerRef {
  const trimmed = value.trim();
  if (/^https?:\/\//i.test(trimmed)) return { url: trimmed };
  return { command: splitCommandLine(trimmed) };
}
