/** MCP servers for the tests: the reference servers from npm (no one here wrote them) and our faulty one. */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { packageRoot } from '../../src/core/util/package-root.js';
import { agentctl } from './cli.js';
import { writeFile } from './workspace.js';

const root = packageRoot();
export const EVERYTHING_BIN = join(root, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
export const FILESYSTEM_BIN = join(root, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');
export const FAULTY_BIN = join(root, 'test/support/mcp-faulty-server.mjs');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** server-everything in its streamable HTTP mode on a free port; resolves once it listens. */
export async function startEverythingHttp(): Promise<{ url: string; close(): Promise<void> }> {
  const port = await freePort();
  const child: ResultPromise = execa('node', [EVERYTHING_BIN, 'streamableHttp'], { env: { PORT: String(port) }, reject: false, buffer: false });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server-everything did not start in 15 s')), 15_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stdout?.resume();
  });
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: async () => {
      child.kill('SIGKILL');
      await child;
    },
  };
}

/** Points the basic workspace's agent at `tool` instead of triage-lookup. */
export function pointAgentAt(cwd: string, tool: string): void {
  const path = join(cwd, 'agents/triage/agent.yaml');
  writeFile(cwd, 'agents/triage/agent.yaml', readFileSync(path, 'utf8').replace('triage-lookup@^0.1.0', tool));
}

/** The events of every run in the workspace, oldest first. */
export async function events(cwd: string): Promise<Record<string, unknown>[]> {
  const out = await agentctl(['export', '--format', 'jsonl'], { cwd });
  return out.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
