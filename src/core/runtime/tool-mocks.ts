/**
 * `run --live --record` for MCP tools: each live answer becomes a mock (`when` = the input, `output` =
 * the answer) appended to the tool's spec file in the workspace, as text — the file's comments and
 * formatting are kept, like cassettes (providers/cassette.ts). A mock whose `when` equals the input is
 * already there and not added again. Answers are redacted like everything else written at run time.
 */
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import type { Redactor } from '../events/redact.js';
import type { ToolDocument } from '../spec/schema.js';
import { appendToYamlList } from '../spec/yaml-append.js';
import type { ToolContext, ToolOutcome } from './tools.js';

type Executor = (tool: ToolDocument, input: Record<string, unknown>, context: ToolContext) => Promise<ToolOutcome>;
export interface RecordedToolAnswer {
  tool: string;
  dir: string;
  input: Record<string, unknown>;
  output: unknown;
}

/** Wraps an executor so that live answers of workspace MCP tools are also kept for their spec files. */
export function recordingTools(execute: Executor, sink: (answer: RecordedToolAnswer) => void): Executor {
  return async (tool, input, context) => {
    const outcome = await execute(tool, input, context);
    const dir = (tool as ToolDocument & { dir?: string }).dir ?? context.toolDir;
    if (outcome.ok && outcome.source === 'live' && tool.spec.implementation.type === 'mcp' && dir) {
      sink({ tool: tool.metadata.name, dir, input, output: outcome.output });
    }
    return outcome;
  };
}

/** Appends the answers to the spec files they came from; returns how many mocks were added. */
export function saveToolMocks(answers: readonly RecordedToolAnswer[], redactor: Redactor): number {
  let added = 0;
  const byFile = new Map<string, RecordedToolAnswer[]>();
  for (const answer of answers) {
    const file = specFileOf(answer.dir, answer.tool);
    if (file) byFile.set(file, [...(byFile.get(file) ?? []), answer]);
  }
  for (const [file, list] of byFile) added += appendMocks(file, list, redactor);
  return added;
}

function specFileOf(dir: string, name: string): string | undefined {
  for (const entry of readdirSync(dir)) {
    if (!/\.ya?ml$/.test(entry)) continue;
    const text = readFileSync(join(dir, entry), 'utf8');
    const value = parseDocument(text).toJS() as { kind?: unknown; metadata?: { name?: unknown } } | null;
    if (value?.kind === 'Tool' && value.metadata?.name === name) return join(dir, entry);
  }
  return undefined;
}

function appendMocks(file: string, answers: readonly RecordedToolAnswer[], redactor: Redactor): number {
  const source = readFileSync(file, 'utf8');
  const doc = parseDocument(source);
  const seq = doc.getIn(['spec', 'mocks'], true);
  const known = new Set<string>();
  if (isSeq(seq)) for (const item of seq.items) if (isMap(item)) known.add(JSON.stringify(item.toJSON().when ?? null));
  const fresh: Record<string, unknown>[] = [];
  for (const { input, output } of answers) {
    const when = JSON.parse(redactor.json(input)) as Record<string, unknown>;
    const key = JSON.stringify(when);
    if (known.has(key)) continue;
    known.add(key);
    fresh.push({ when, output: JSON.parse(redactor.json(output ?? null)) as unknown });
  }
  if (fresh.length === 0) return 0;
  const text = appendToYamlList(source, ['spec', 'mocks'], fresh);
  if (text === undefined) return 0;
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
  return fresh.length;
}
