/**
 * Tool execution. Dry runs answer from the tool's mocks and never touch its implementation; `--live`
 * runs the implementation, and only for tools declared sideEffects: none or read.
 */
import { resolve } from 'node:path';
import type { ToolDocument } from '../spec/schema.js';
import { deadline } from '../util/deadline.js';
import { userRegex } from '../util/safe-regex.js';
import { sleep } from '../util/sleep.js';
import { parseMaybeJson, runCommandTool } from './command-tool.js';
import { checkJsonSchema } from './json-schema-check.js';
import { runMcpTool } from './mcp-tool.js';

export type ToolOutcome = { ok: true; output: unknown; source: 'mock' | 'live' } | { ok: false; error: string };

export interface ToolContext {
  live: boolean;
  signal: AbortSignal;
  /** Folder of the tool's spec, for command cwd and module paths (live only). */
  toolDir?: string | undefined;
}

export async function executeTool(tool: ToolDocument, input: Record<string, unknown>, context: ToolContext): Promise<ToolOutcome> {
  const problems = checkJsonSchema(tool.spec.input, input);
  if (problems.length > 0) return { ok: false, error: `input does not match ${tool.metadata.name}'s input schema: ${problems.join('; ')}` };
  if (context.live) {
    if (tool.spec.sideEffects === 'write') {
      return { ok: false, error: `${tool.metadata.name} has sideEffects: write; live runs only call tools with none or read — it was answered by nothing` };
    }
    return checkedOutput(tool, await runLive(tool, input, context));
  }
  const mock = (tool.spec.mocks ?? []).find((m) => matches(m.when, input));
  if (!mock) {
    return {
      ok: false,
      error: `no mock of ${tool.metadata.name} matches the input ${JSON.stringify(input)}; add one under spec.mocks (a mock without "when" matches everything)`,
    };
  }
  if (mock.latencyMs) await sleep(mock.latencyMs, context.signal);
  if (mock.error !== undefined) return { ok: false, error: mock.error };
  return checkedOutput(tool, { ok: true, output: mock.output ?? null, source: 'mock' });
}

/** A tool's answer must match its output schema, live or mocked: the model must not build on malformed data. */
function checkedOutput(tool: ToolDocument, outcome: ToolOutcome): ToolOutcome {
  if (!outcome.ok || tool.spec.output === undefined) return outcome;
  const problems = checkJsonSchema(tool.spec.output, outcome.output);
  if (problems.length === 0) return outcome;
  return {
    ok: false,
    error: `${outcome.source === 'mock' ? 'the mock' : 'the'} output of ${tool.metadata.name} does not match its output schema: ${problems.join('; ')}`,
  };
}

/** Every key of `when` must equal the input's value; a string "/re/" is a regular expression on it. */
export function matches(when: Record<string, unknown> | undefined, input: Record<string, unknown>): boolean {
  if (!when) return true;
  return Object.entries(when).every(([key, expected]) => {
    const actual = input[key];
    if (typeof expected === 'string' && expected.length >= 2 && expected.startsWith('/') && expected.endsWith('/')) {
      return typeof actual === 'string' && userRegex(expected.slice(1, -1), 'i', `mock when.${key}`).test(actual);
    }
    return JSON.stringify(actual) === JSON.stringify(expected);
  });
}

async function runLive(tool: ToolDocument, input: Record<string, unknown>, context: ToolContext): Promise<ToolOutcome> {
  const impl = tool.spec.implementation;
  try {
    switch (impl.type) {
      case 'command':
        return await runCommandTool(tool, impl, input, context);
      case 'mcp':
        return await runMcpTool(tool, impl, input, context);
      case 'http': {
        const ms = impl.timeoutMs ?? 30_000;
        // The body is read under the same deadline as the headers: a server that stalls mid-body is cut too.
        const limit = deadline([context.signal], ms, () => `${impl.url} did not answer in ${ms} ms`);
        try {
          const response = await fetch(impl.url, {
            method: impl.method,
            headers: { 'content-type': 'application/json', ...impl.headers },
            ...(impl.method === 'GET' ? {} : { body: JSON.stringify(input) }),
            signal: limit.signal,
          });
          const text = await response.text();
          if (!response.ok) return { ok: false, error: `${impl.url} answered ${response.status}: ${text.slice(0, 300)}` };
          return { ok: true, output: parseMaybeJson(text), source: 'live' };
        } finally {
          limit.dispose();
        }
      }
      case 'module': {
        // In-process, with agentctl's privileges (README, Security → Foreign code): pulled module tools need consent (trust/consent.ts).
        if (!context.toolDir) return { ok: false, error: 'module tools run live only from the workspace' };
        const module = (await import(resolve(context.toolDir, impl.path))) as Record<string, unknown>;
        const fn = module[impl.export];
        if (typeof fn !== 'function') return { ok: false, error: `${impl.path} has no function export "${impl.export}"` };
        return { ok: true, output: await (fn as (i: unknown) => unknown)(input), source: 'live' };
      }
    }
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}
