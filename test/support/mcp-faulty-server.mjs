#!/usr/bin/env node
// A small stdio MCP server (the SDK's low-level Server, so nothing validates for us) that fails on
// purpose: `node mcp-faulty-server.mjs <mode> [pidfile]`.
//   crash       exits with code 3 in the middle of a call, after a line on stderr
//   hang        never answers a call, and ignores SIGTERM and a closed stdin (only SIGKILL ends it)
//   bad-output  declares an output schema and answers structuredContent that violates it
//   env         answers its whole environment (to see what it was given)
import { writeFileSync } from 'node:fs';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const [mode = 'crash', pidFile] = process.argv.slice(2);
if (pidFile) writeFileSync(pidFile, String(process.pid));
if (mode === 'hang') {
  process.on('SIGTERM', () => undefined);
  // Keeps the process alive after stdin closes.
  setInterval(() => undefined, 1000);
}

const server = new Server({ name: `faulty-${mode}`, version: '1.0.0' }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [
    {
      name: 'weather.lookup',
      description: `A tool that fails (${mode})`,
      inputSchema: { type: 'object', properties: { city: { type: 'string' } } },
      outputSchema: { type: 'object', properties: { temperature: { type: 'number' } }, required: ['temperature'] },
      annotations: { readOnlyHint: true },
    },
  ],
}));
server.setRequestHandler(CallToolRequestSchema, async () => {
  if (mode === 'crash') {
    process.stderr.write('faulty server: segmentation fault (simulated)\n');
    process.exit(3);
  }
  if (mode === 'hang') return new Promise(() => undefined);
  if (mode === 'env') return { content: [{ type: 'text', text: JSON.stringify(process.env) }] };
  return { content: [{ type: 'text', text: 'hot' }], structuredContent: { temperature: 'hot' } };
});
await server.connect(new StdioServerTransport());
