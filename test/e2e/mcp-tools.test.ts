/**
 * MCP tools through the built binary, against the reference MCP servers from npm (server-everything over
 * stdio and streamable HTTP, server-filesystem over stdio) and a faulty server of ours: new tool
 * --from-mcp writes specs that validate, dry runs answer from mocks, --live calls the server, --record
 * adds mocks, and a crash, a hang or a bad answer is a tool error, never a hung run or an orphan process.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentctl } from '../support/cli.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';
import { basicWorkspace } from '../support/honest.js';
import { alive, EVERYTHING_BIN, events, FAULTY_BIN, FILESYSTEM_BIN, pointAgentAt, startEverythingHttp } from '../support/mcp-servers.js';
import { tempDir, writeFile } from '../support/workspace.js';

let gateway: FakeOpenAI;
beforeAll(async () => {
  gateway = await startFakeOpenAI();
});
afterAll(() => gateway.close());

const env = () => ({ AGENTCTL_GATEWAY_URL: gateway.url, AGENTCTL_GATEWAY_KEY: 'sk-mcp-e2e-0123456789', AGENTCTL_HINTS: '1' });
const run = (cwd: string, ...flags: string[]) => agentctl(['run', 'triage', '-i', 'weather?', '--provider', 'openai', ...flags], { cwd, env: env() });
const toolResults = async (cwd: string) => (await events(cwd)).filter((e) => e.type === 'tool.result' || e.type === 'tool.error');

describe('new tool --from-mcp, then dry, live and recorded runs (server-everything, stdio)', () => {
  it('writes a valid spec with a recorded mock; dry answers from it, --live from the server, --record adds a mock', async () => {
    const cwd = await basicWorkspace(gateway.url);
    const made = await agentctl(
      ['new', 'tool', '--from-mcp', `node ${EVERYTHING_BIN} stdio`, '--tool', 'get-structured-content', '--call', '{"location":"Chicago"}'],
      { cwd, env: env() },
    );
    expect(made.exitCode, made.stderr).toBe(0);
    expect(made.stderr).toContain('Next: agentctl validate');
    const specPath = join(cwd, 'tools/get-structured-content/tool.yaml');
    const spec = readFileSync(specPath, 'utf8');
    expect(spec).toContain("# from the MCP server's annotation readOnlyHint: true");
    expect(spec).toMatch(/sideEffects: read\n/);
    expect(spec).toContain('type: mcp');
    expect(spec).toContain('humidity: 82');
    pointAgentAt(cwd, 'get-structured-content');
    const validated = await agentctl(['validate'], { cwd });
    expect(validated.exitCode, validated.stdout + validated.stderr).toBe(0);

    const call = { kind: 'tool' as const, name: 'get-structured-content', args: { location: 'Chicago' } };
    gateway.script(call, { kind: 'text', text: 'Drizzle in Chicago.' });
    const dry = await run(cwd);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect((await toolResults(cwd)).at(-1)).toMatchObject({ type: 'tool.result', source: 'mock', output: { temperature: 36 } });

    gateway.script({ ...call, args: { location: 'Los Angeles' } }, { kind: 'text', text: 'Sunny.' });
    const live = await run(cwd, '--live');
    expect(live.exitCode, live.stderr).toBe(0);
    expect((await toolResults(cwd)).at(-1)).toMatchObject({ type: 'tool.result', source: 'live', output: { temperature: 73, conditions: 'Sunny / Clear' } });

    gateway.script({ ...call, args: { location: 'New York' } }, { kind: 'text', text: 'Cloudy.' });
    const recorded = await run(cwd, '--live', '--record');
    expect(recorded.exitCode, recorded.stderr).toBe(0);
    const after = readFileSync(specPath, 'utf8');
    expect(after.startsWith(spec.trimEnd())).toBe(true); // appended as text: comments and the first mock kept
    expect(after).toContain('location: New York');
    expect(after).toContain('conditions: Cloudy');
    expect((await agentctl(['validate'], { cwd })).exitCode).toBe(0);
    // Recorded once: the same input again adds nothing.
    gateway.script({ ...call, args: { location: 'New York' } }, { kind: 'text', text: 'Cloudy.' });
    await run(cwd, '--live', '--record');
    expect(readFileSync(specPath, 'utf8')).toBe(after);
  });
});

describe('server-filesystem (stdio, rooted in a temp folder)', () => {
  it('derives DNS-label names, keeps the server names, writes for write tools; a live run lists the folder', async () => {
    const cwd = await basicWorkspace(gateway.url);
    const files = tempDir();
    writeFileSync(join(files, 'hello.txt'), 'hi');
    const made = await agentctl(['new', 'tool', 'fs', '--from-mcp', `node ${FILESYSTEM_BIN} ${files}`, '--all', '--json'], { cwd, env: env() });
    expect(made.exitCode, made.stderr).toBe(0);
    const written = JSON.parse(made.stdout).written as { name: string; tool: string; sideEffects: string }[];
    expect(written).toContainEqual(expect.objectContaining({ name: 'fs-list-directory', tool: 'list_directory', sideEffects: 'read' }));
    expect(written).toContainEqual(expect.objectContaining({ name: 'fs-write-file', tool: 'write_file', sideEffects: 'write' }));
    expect(readFileSync(join(cwd, 'tools/fs-list-directory/tool.yaml'), 'utf8')).toContain('tool: list_directory');
    const validated = await agentctl(['validate'], { cwd });
    expect(validated.exitCode, validated.stdout).toBe(0);

    pointAgentAt(cwd, 'fs-list-directory');
    gateway.script({ kind: 'tool', name: 'fs-list-directory', args: { path: files } }, { kind: 'text', text: 'One file.' });
    const live = await run(cwd, '--live');
    expect(live.exitCode, live.stderr).toBe(0);
    expect(JSON.stringify((await toolResults(cwd)).at(-1))).toContain('hello.txt');
  });
});

describe('server-everything over streamable HTTP', () => {
  it('lists, records a mock with --call, and answers a live run', async () => {
    const server = await startEverythingHttp();
    try {
      const cwd = await basicWorkspace(gateway.url);
      const made = await agentctl(['new', 'tool', '--from-mcp', server.url, '--tool', 'get-sum', '--call', '{"a":2,"b":40}'], { cwd, env: env() });
      expect(made.exitCode, made.stderr).toBe(0);
      const spec = readFileSync(join(cwd, 'tools/get-sum/tool.yaml'), 'utf8');
      expect(spec).toContain(`url: ${server.url}`);
      expect(spec).toContain('text: The sum of 2 and 40 is 42.');
      pointAgentAt(cwd, 'get-sum');
      expect((await agentctl(['validate'], { cwd })).exitCode).toBe(0);
      gateway.script({ kind: 'tool', name: 'get-sum', args: { a: 5, b: 6 } }, { kind: 'text', text: '11' });
      const live = await run(cwd, '--live');
      expect(live.exitCode, live.stderr).toBe(0);
      expect((await toolResults(cwd)).at(-1)).toMatchObject({ source: 'live', output: { text: 'The sum of 5 and 6 is 11.' } });
    } finally {
      await server.close();
    }
  });
});

describe('servers that fail', () => {
  const faulty = (cwd: string, mode: string, extra = '') =>
    writeFile(
      cwd,
      'tools/weather/tool.yaml',
      `apiVersion: agentctl/v1
kind: Tool
metadata: { name: weather, version: 0.1.0, owner: team-qa }
spec:
  input: { type: object, properties: { city: { type: string } } }
  output: { type: object, properties: { temperature: { type: number } }, required: [temperature] }
  sideEffects: read
  implementation:
    type: mcp
    command: [node, ${FAULTY_BIN}, ${mode}${extra}]
    tool: weather.lookup
    timeoutMs: 1500
  mocks: [{ output: { temperature: 20 } }]
`,
    );
  const failedWith = async (cwd: string) => {
    gateway.script({ kind: 'tool', name: 'weather', args: { city: 'Oslo' } }, { kind: 'text', text: 'I could not look it up.' });
    const started = Date.now();
    const result = await run(cwd, '--live');
    return { result, ms: Date.now() - started, error: String((await toolResults(cwd)).at(-1)?.error) };
  };

  it('a crash mid-call, a server that never answers (killed), and an answer that breaks the output schema are tool errors', async () => {
    const cwd = await basicWorkspace(gateway.url);
    pointAgentAt(cwd, 'weather');

    faulty(cwd, 'crash');
    const crash = await failedWith(cwd);
    expect(crash.result.exitCode, crash.result.stderr).toBe(0);
    expect(crash.error).toMatch(/closed the connection before answering \(it crashed or exited\); it said: faulty server: segmentation fault/);
    expect(crash.result.stderr).toContain('segmentation fault');

    const pidFile = join(tempDir(), 'pid');
    faulty(cwd, 'hang', `, ${pidFile}`);
    const hang = await failedWith(cwd);
    expect(hang.error).toContain('did not answer in 1500 ms (timeoutMs); it was stopped');
    expect(hang.ms).toBeLessThan(10_000);
    expect(alive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);

    faulty(cwd, 'bad-output');
    const bad = await failedWith(cwd);
    expect(bad.error).toMatch(/output of weather does not match its output schema: .*temperature/);
  });

  it('refuses a spec with both command and url, at its line', async () => {
    const cwd = await basicWorkspace(gateway.url);
    faulty(cwd, 'crash');
    const path = join(cwd, 'tools/weather/tool.yaml');
    writeFileSync(path, readFileSync(path, 'utf8').replace('    tool: weather.lookup', '    url: http://127.0.0.1:1/mcp\n    tool: weather.lookup'));
    const validated = await agentctl(['validate'], { cwd });
    expect(validated.exitCode).toBe(1);
    expect(validated.stdout + validated.stderr).toMatch(/tool\.yaml:11:\d+.*give command \(stdio\) or url \(streamable HTTP\), not both/);
  });

  it('refuses to hand the gateway key to an MCP server', async () => {
    const cwd = await basicWorkspace(gateway.url);
    faulty(cwd, 'env');
    const path = join(cwd, 'tools/weather/tool.yaml');
    writeFileSync(
      path,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the spec's ${NAME} pass-through syntax, not a template
      readFileSync(path, 'utf8').replace('    tool: weather.lookup', '    env: { KEY: "${AGENTCTL_GATEWAY_KEY}" }\n    tool: weather.lookup'),
    );
    const validated = await agentctl(['validate'], { cwd });
    expect(validated.exitCode).toBe(1);
    expect(validated.stdout + validated.stderr).toMatch(/tool\.yaml:11:\d+.*a tool may not receive the gateway key: env\.KEY/);
  });
});
