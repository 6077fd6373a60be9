/** `mcp` tools under --live, against MCP servers no one here wrote (and a faulty one of ours). */
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ToolDocument, toolSpecSchema } from '../spec/schema.js';
import { packageRoot } from '../util/package-root.js';
import { executeTool } from './tools.js';

const root = packageRoot();
const EVERYTHING = ['node', join(root, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js'), 'stdio'];
const FILESYSTEM = join(root, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');
const FAULTY = join(root, 'test/support/mcp-faulty-server.mjs');
const KEY = 'sk-gateway-key-that-must-not-leak';

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'agentctl-mcp-')));
  process.env.AGENTCTL_GATEWAY_KEY = KEY;
  process.env.TOOL_TOKEN = 'token-for-the-server';
});
afterEach(() => {
  delete process.env.AGENTCTL_GATEWAY_KEY;
  delete process.env.TOOL_TOKEN;
  rmSync(dir, { recursive: true, force: true });
});

function tool(implementation: Record<string, unknown>, extra: Record<string, unknown> = {}): ToolDocument {
  const spec = toolSpecSchema.parse({ input: { type: 'object' }, sideEffects: 'read', implementation: { type: 'mcp', ...implementation }, ...extra });
  return { apiVersion: 'agentctl/v1', kind: 'Tool', metadata: { name: 'probe', version: '1.0.0', owner: 'team' }, spec } as ToolDocument;
}

const live = (t: ToolDocument, input: Record<string, unknown> = {}, signal = new AbortController().signal) =>
  executeTool(t, input, { live: true, signal, toolDir: dir });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('mcp tools under --live', () => {
  it('answer with structuredContent when the server sends it (server-everything, stdio)', async () => {
    const outcome = await live(tool({ command: EVERYTHING, tool: 'get-structured-content' }), { location: 'Chicago' });
    expect(outcome).toEqual({ ok: true, source: 'live', output: { temperature: 36, conditions: 'Light rain / drizzle', humidity: 82 } });
  });

  it('answer { text } when the text content is not JSON', async () => {
    const outcome = await live(tool({ command: EVERYTHING, tool: 'get-sum' }), { a: 2, b: 3 });
    expect(outcome).toEqual({ ok: true, source: 'live', output: { text: 'The sum of 2 and 3 is 5.' } });
  });

  it('read files through server-filesystem rooted in a temp folder, and its errors are tool errors', async () => {
    writeFileSync(join(dir, 'notes.txt'), 'hello from a file');
    const read = await live(tool({ command: ['node', FILESYSTEM, dir], tool: 'read_text_file' }), { path: join(dir, 'notes.txt') });
    expect(read.ok).toBe(true);
    expect(JSON.stringify(read.ok && read.output)).toContain('hello from a file');
    const outside = await live(tool({ command: ['node', FILESYSTEM, dir], tool: 'read_text_file' }), { path: '/etc/passwd' });
    expect(outside.ok).toBe(false);
    expect(!outside.ok && outside.error).toMatch(/probe: the MCP server answered with an error: .*denied/i);
  });

  it('give the server only its declared environment, a PATH and HOME: never the gateway key', async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the spec's ${NAME} pass-through syntax, not a template
    const outcome = await live(tool({ command: ['node', FAULTY, 'env'], tool: 'weather.lookup', env: { TOKEN: '${TOOL_TOKEN}', MODE: 'literal' } }));
    expect(outcome.ok).toBe(true);
    const env = (outcome.ok ? outcome.output : {}) as Record<string, string>;
    expect(Object.keys(env).sort()).toEqual(['HOME', 'MODE', 'PATH', 'TOKEN']);
    expect(env.TOKEN).toBe('token-for-the-server');
    expect(JSON.stringify(env)).not.toContain(KEY);
  });

  it('a server that crashes mid-call is a tool error quoting its stderr, and the call returns', async () => {
    const outcome = await live(tool({ command: ['node', FAULTY, 'crash'], tool: 'weather.lookup' }));
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error).toMatch(/closed the connection before answering \(it crashed or exited\); it said: .*segmentation fault/);
  });

  it('a server that never answers is stopped at timeoutMs and killed, even when it ignores SIGTERM', async () => {
    const pidFile = join(dir, 'pid');
    const started = Date.now();
    const outcome = await live(tool({ command: ['node', FAULTY, 'hang', pidFile], tool: 'weather.lookup', timeoutMs: 1500 }));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error).toMatch(/did not answer in 1500 ms \(timeoutMs\); it was stopped/);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((r) => setTimeout(r, 200));
    expect(alive(pid)).toBe(false);
  });

  it('a cancelled run stops the call and the server', async () => {
    const pidFile = join(dir, 'pid');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 800);
    const outcome = await live(tool({ command: ['node', FAULTY, 'hang', pidFile], tool: 'weather.lookup' }), {}, controller.signal);
    expect(!outcome.ok && outcome.error).toMatch(/cancelled/);
    await new Promise((r) => setTimeout(r, 200));
    expect(alive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('an answer that violates the output schema is a tool error naming the path', async () => {
    const output = { type: 'object', properties: { temperature: { type: 'number' } }, required: ['temperature'] };
    const outcome = await live(tool({ command: ['node', FAULTY, 'bad-output'], tool: 'weather.lookup' }, { output }));
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error).toMatch(/output of probe does not match its output schema: .*temperature/);
  });

  it('a command that does not exist says so', async () => {
    const outcome = await live(tool({ command: ['no-such-mcp-server-here'], tool: 'x' }));
    expect(!outcome.ok && outcome.error).toMatch(/could not start the MCP server no-such-mcp-server-here/);
  });

  it('dry runs answer from mocks and start nothing', async () => {
    const outcome = await executeTool(
      tool({ command: ['no-such-mcp-server-here'], tool: 'x' }, { mocks: [{ output: { temperature: 20 } }] }),
      {},
      { live: false, signal: new AbortController().signal, toolDir: dir },
    );
    expect(outcome).toEqual({ ok: true, source: 'mock', output: { temperature: 20 } });
  });
});
