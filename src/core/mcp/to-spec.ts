/**
 * From an MCP server's tool list to agentctl Tool specs (`agentctl new tool --from-mcp`): the listed
 * input schema (and output schema when declared), sideEffects from the tool's annotations, and
 * `implementation: mcp` pointing back at the server and the tool's own name on it.
 */
import { stringify } from 'yaml';
import { createRedactor, type Redactor } from '../events/redact.js';
import { connectMcp, describeServer, type McpServerRef } from './connect.js';
import { mcpAnswer } from './result.js';

export interface ListedTool {
  name: string;
  title?: string | undefined;
  description?: string | undefined;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown> | undefined;
  annotations?: { readOnlyHint?: boolean | undefined; destructiveHint?: boolean | undefined; title?: string | undefined } | undefined;
}

export type SideEffects = 'none' | 'read' | 'write';

/** Every tool the server lists (all pages), under `signal`; the server is closed before this returns. */
export async function listMcpTools(server: McpServerRef, signal: AbortSignal): Promise<ListedTool[]> {
  const connection = await connectMcp(server, signal);
  try {
    const tools: ListedTool[] = [];
    let cursor: string | undefined;
    do {
      const page = await connection.client.listTools(cursor ? { cursor } : {}, { signal });
      tools.push(...(page.tools as ListedTool[]));
      cursor = page.nextCursor;
    } while (cursor);
    return tools;
  } finally {
    await connection.close();
  }
}

/** Calls one tool and returns its answer by the same rule live runs use (so a mock is what a live run would see). */
export async function callMcpOnce(server: McpServerRef, tool: string, args: Record<string, unknown>, signal: AbortSignal) {
  const connection = await connectMcp(server, signal);
  try {
    return mcpAnswer(await connection.client.callTool({ name: tool, arguments: args }, undefined, { signal }));
  } finally {
    await connection.close();
  }
}

/** A DNS label for a server's tool name (`read_file` → `read-file`, `Weather.Lookup` → `weather-lookup`). */
export function toolNameFor(serverName: string, prefix = ''): string {
  const base = `${prefix}${serverName}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return base || 'mcp-tool';
}

/**
 * MCP annotations are hints with protocol defaults (readOnlyHint false, destructiveHint true): a tool
 * that does not say it only reads is taken to write — live runs then refuse it until a person says otherwise.
 */
export function sideEffectsFrom(annotations: ListedTool['annotations']): { sideEffects: SideEffects; because: string } {
  if (annotations?.readOnlyHint === true) return { sideEffects: 'read', because: 'annotation readOnlyHint: true' };
  if (annotations?.destructiveHint === true) return { sideEffects: 'write', because: 'annotation destructiveHint: true' };
  if (annotations?.destructiveHint === false) return { sideEffects: 'write', because: 'annotations readOnlyHint false, destructiveHint false' };
  return { sideEffects: 'write', because: 'no readOnlyHint annotation (MCP assumes a tool may write)' };
}

/** Our validator speaks draft 2020-12; servers' generators often stamp draft-07, whose keywords we use the same. */
function schemaOf(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _dropped, ...rest } = schema;
  return rest;
}

export interface SpecInput {
  name: string;
  owner: string;
  listed: ListedTool;
  server: McpServerRef;
  sideEffects: SideEffects;
  /** Why sideEffects is what it is: the annotation, or "confirmed by <user>". */
  because: string;
  mocks: { when: Record<string, unknown>; output: unknown }[];
}

/** The tool.yaml text: comments say where it came from, since the server's annotations are only hints. */
export function mcpToolYaml(input: SpecInput, redactor: Redactor = createRedactor()): string {
  const { listed, server } = input;
  const description = listed.description ?? listed.title ?? listed.annotations?.title;
  const doc = {
    apiVersion: 'agentctl/v1',
    kind: 'Tool',
    metadata: {
      name: input.name,
      version: '0.1.0',
      owner: input.owner,
      ...(description ? { description: firstLine(description).slice(0, 1000) } : {}),
    },
    spec: {
      ...(description ? { description } : {}),
      input: schemaOf(listed.inputSchema ?? { type: 'object' }),
      ...(listed.outputSchema ? { output: schemaOf(listed.outputSchema) } : {}),
      sideEffects: input.sideEffects,
      implementation: {
        type: 'mcp',
        ...(server.url ? { url: server.url } : { command: server.command }),
        tool: listed.name,
        timeoutMs: 30000,
      },
      // Answers are written into a file that is committed and pushed: redacted like every recorded answer.
      ...(input.mocks.length
        ? {
            mocks: input.mocks.map((m) => ({
              when: JSON.parse(redactor.json(m.when)) as unknown,
              output: JSON.parse(redactor.json(m.output ?? null)) as unknown,
            })),
          }
        : {}),
    },
  };
  const text = stringify(doc, { lineWidth: 0 }).replace(
    /^(\s*)sideEffects: (\w+)$/m,
    (_line, indent: string, value: string) => `${indent}# from the MCP server's ${input.because}\n${indent}sideEffects: ${value}`,
  );
  return [
    '# yaml-language-server: $schema=../../.agentctl/schemas/tool.schema.json',
    `# Written by agentctl new tool --from-mcp from the tool "${listed.name}" of ${describeServer(server)}.`,
    text,
  ].join('\n');
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? '';
}
