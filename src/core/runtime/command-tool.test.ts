import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ToolDocument, toolSpecSchema } from '../spec/schema.js';
import { executeTool } from './tools.js';

let dir: string;
const KEY = 'sk-gateway-key-that-must-not-leak';

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'agentctl-cmd-')));
  process.env.AGENTCTL_GATEWAY_KEY = KEY;
  process.env.TOOL_TOKEN = 'token-for-the-tool';
});
afterEach(() => {
  delete process.env.AGENTCTL_GATEWAY_KEY;
  delete process.env.TOOL_TOKEN;
  rmSync(dir, { recursive: true, force: true });
});

function tool(implementation: Record<string, unknown>): ToolDocument {
  const spec = toolSpecSchema.parse({ input: { type: 'object' }, sideEffects: 'read', implementation });
  return { apiVersion: 'agentctl/v1', kind: 'Tool', metadata: { name: 'probe', version: '1.0.0', owner: 'team' }, spec } as ToolDocument;
}

function script(name: string, body: string): string {
  writeFileSync(join(dir, name), body);
  return name;
}

const live = (t: ToolDocument, toolDir: string | null = dir) =>
  executeTool(t, {}, { live: true, signal: new AbortController().signal, toolDir: toolDir ?? undefined });

describe('command tools under --live', () => {
  it('see only their declared environment and a PATH: never the gateway key', async () => {
    const file = script('env.mjs', 'process.stdout.write(JSON.stringify({ env: process.env, cwd: process.cwd() }))');
    const outcome = await live(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the spec's ${NAME} pass-through syntax, not a template
      tool({ type: 'command', command: ['node', file], env: { TOKEN: '${TOOL_TOKEN}', MODE: 'literal', GONE: '${NOT_SET_ANYWHERE}' } }),
    );
    expect(outcome.ok).toBe(true);
    const { env, cwd } = (outcome as { output: { env: Record<string, string>; cwd: string } }).output;
    expect(JSON.stringify(env)).not.toContain(KEY);
    expect(Object.keys(env).sort()).toEqual(['MODE', 'PATH', 'TOKEN']);
    expect(env.TOKEN).toBe('token-for-the-tool');
    expect(env.MODE).toBe('literal');
    expect(cwd).toBe(dir);
  });

  it('are killed at their timeout', async () => {
    const file = script('hang.mjs', 'setInterval(() => {}, 1000)');
    const started = Date.now();
    const outcome = await live(tool({ type: 'command', command: ['node', file], timeoutMs: 300 }));
    expect(outcome).toMatchObject({ ok: false, error: expect.stringContaining('killed after its timeout of 300 ms') });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('never run with a cwd outside their folder', async () => {
    const file = script('touch.mjs', "import('node:fs').then((fs) => fs.writeFileSync('ran', ''))");
    const outcome = await live(tool({ type: 'command', command: ['node', file], cwd: '../' }));
    expect(outcome).toMatchObject({ ok: false, error: expect.stringContaining('outside the tool') });
  });

  it('stop when their output exceeds the cap', async () => {
    const file = script('flood.mjs', "process.stdout.write('x'.repeat(3 * 1024 * 1024))");
    const outcome = await live(tool({ type: 'command', command: ['node', file] }));
    expect(outcome).toMatchObject({ ok: false, error: expect.stringContaining('more than') });
  });

  // Honest about the limit: the process is not sandboxed, only its environment and cwd are chosen.
  it('can still write outside their folder (not sandboxed: README, Security → Foreign code)', async () => {
    const outside = realpathSync(mkdtempSync(join(tmpdir(), 'agentctl-outside-')));
    const file = script('write.mjs', `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(join(outside, 'written'))}, 'x');`);
    const outcome = await live(tool({ type: 'command', command: ['node', file] }));
    expect(outcome.ok).toBe(true);
    expect(existsSync(join(outside, 'written'))).toBe(true);
    rmSync(outside, { recursive: true, force: true });
  });

  it('from a registered version (no folder on disk) run in an empty scratch folder, removed afterwards', async () => {
    const outcome = await live(tool({ type: 'command', command: ['node', '-e', 'process.stdout.write(JSON.stringify(process.cwd()))'] }), null);
    expect(outcome.ok).toBe(true);
    const cwd = (outcome as { output: string }).output;
    expect(cwd).toContain('agentctl-tool-');
    expect(existsSync(cwd)).toBe(false);
  });
});
