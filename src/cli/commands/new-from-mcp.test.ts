/** `new tool --from-mcp` on a terminal (a fake prompter, the real server-everything) and in scripts. */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EVERYTHING_BIN, FILESYSTEM_BIN } from '../../../test/support/mcp-servers.js';
import { scripted } from '../../../test/support/prompter.js';
import { scaffoldWorkspace } from '../../../test/support/workspace.js';
import { UsageError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { newFromMcp } from './new-from-mcp.js';

const SERVER = `node ${EVERYTHING_BIN} stdio`;

function context(cwd: string, interactive: boolean): CliContext {
  return { cwd, flags: {}, env: { XDG_CONFIG_HOME: join(cwd, '.config') }, interactive, stdout: new PassThrough(), stderr: new PassThrough() };
}

describe('new tool --from-mcp on a terminal', () => {
  it('offers the listed tools, confirms sideEffects, and keeps the answer of a call the user makes as a mock', async () => {
    const cwd = scaffoldWorkspace();
    // Chosen tools; sideEffects confirmed (read); call it? yes; arguments; call again? no.
    const prompter = scripted([['get-sum'], 'read', true, '{"a": 1, "b": 2}', false]);
    const code = await newFromMcp(context(cwd, true), undefined, { fromMcp: SERVER }, prompter);
    expect(code).toBe(0);
    expect(prompter.asked[0]).toMatch(/Tools to add/);
    expect(prompter.asked[1]).toMatch(/sideEffects of get-sum/);
    const spec = readFileSync(join(cwd, 'tools/get-sum/tool.yaml'), 'utf8');
    expect(spec).toContain("# from the MCP server's annotation readOnlyHint: true, confirmed by the user");
    expect(spec).toContain('text: The sum of 1 and 2 is 3.');
  });

  it('a user who says a tool writes gets sideEffects write, and is not offered a call', async () => {
    const cwd = scaffoldWorkspace();
    const prompter = scripted([['echo'], 'write']);
    await newFromMcp(context(cwd, true), 'shout', { fromMcp: SERVER }, prompter);
    const spec = readFileSync(join(cwd, 'tools/shout/tool.yaml'), 'utf8');
    expect(spec).toMatch(/changed to write by the user\n\s+sideEffects: write/);
    expect(spec).not.toContain('mocks:');
    expect(prompter.asked).toHaveLength(2);
  });
});

describe('new tool --from-mcp in scripts', () => {
  it('asks for --tool or --all, listing what the server has, and writes nothing', async () => {
    const cwd = scaffoldWorkspace();
    const error = await newFromMcp(context(cwd, false), undefined, { fromMcp: SERVER }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/choose the tools to add .*get-sum/);
    expect(existsSync(join(cwd, 'tools/get-sum'))).toBe(false);
  });

  it('names an unknown tool and the ones there are', async () => {
    const cwd = scaffoldWorkspace();
    const error = await newFromMcp(context(cwd, false), undefined, { fromMcp: SERVER, tool: ['nope'] }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/the server has no tool "nope"; it lists: .*get-sum/);
  });

  it('a server that cannot start is an environment error (exit 3) with the command to check', async () => {
    const cwd = scaffoldWorkspace();
    const error = (await newFromMcp(context(cwd, false), undefined, { fromMcp: 'no-such-mcp-server --stdio', all: true }).catch((e: unknown) => e)) as {
      exitCode: number;
      message: string;
    };
    expect(error.exitCode).toBe(3);
    expect(error.message).toMatch(/cannot list the tools of the MCP server no-such-mcp-server --stdio/);
  });
});

describe('new tool --from-mcp starts the server where a live run will', () => {
  it("in a folder at a tool folder's depth, so a relative path in its command means the same now and at run time", async () => {
    const cwd = scaffoldWorkspace();
    mkdirSync(join(cwd, 'docs'));
    writeFileSync(join(cwd, 'docs/a.txt'), 'hello docs');
    // From tools/<name>/, ../../docs is the workspace's docs folder (from the workspace root it would not exist).
    const server = `node ${FILESYSTEM_BIN} ../../docs`;
    const args = JSON.stringify({ path: join(cwd, 'docs/a.txt') });
    expect(await newFromMcp(context(cwd, false), 'fs', { fromMcp: server, tool: ['read_text_file'], call: args })).toBe(0);
    const spec = readFileSync(join(cwd, 'tools/fs/tool.yaml'), 'utf8');
    expect(spec).toContain('hello docs');
    // Nothing is left of the folder it ran in.
    expect(readdirSync(join(cwd, 'tools')).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});

describe('new tool --from-mcp --call', () => {
  it('redacts the answers it keeps as mocks (the spec is committed and pushed)', async () => {
    const cwd = scaffoldWorkspace();
    mkdirSync(join(cwd, 'docs'));
    const secret = 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRsTuVwXyZ0123456789';
    writeFileSync(join(cwd, 'docs/.env'), `OPENAI_API_KEY=${secret}\n`);
    const args = JSON.stringify({ path: join(cwd, 'docs/.env') });
    await newFromMcp(context(cwd, false), 'env', { fromMcp: `node ${FILESYSTEM_BIN} ../../docs`, tool: ['read_text_file'], call: args });
    const spec = readFileSync(join(cwd, 'tools/env/tool.yaml'), 'utf8');
    expect(spec).toContain('OPENAI_API_KEY=');
    expect(spec).not.toContain(secret);
  });
});

describe('new tool --from-mcp with a name that is taken', () => {
  it('refuses before writing anything, even for the tools whose names are free', async () => {
    const cwd = scaffoldWorkspace();
    mkdirSync(join(cwd, 'tools/get-sum'), { recursive: true });
    writeFileSync(join(cwd, 'tools/get-sum/tool.yaml'), 'mine\n');
    const error = await newFromMcp(context(cwd, false), undefined, { fromMcp: SERVER, tool: ['echo', 'get-sum'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain('"get-sum"');
    expect(existsSync(join(cwd, 'tools/echo'))).toBe(false);
    expect(readFileSync(join(cwd, 'tools/get-sum/tool.yaml'), 'utf8')).toBe('mine\n');
  });
});
