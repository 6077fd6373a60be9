/**
 * What an MCP tool answer becomes for the model, the event log and mocks. The rule, in order:
 * 1. `isError: true` is a tool error, its text content the message;
 * 2. `structuredContent`, when the server sent it (it is what an output schema describes);
 * 3. else the text content parsed as JSON, when it parses (one text block, or the blocks joined);
 * 4. else `{ text }` with the text content (blocks joined by a newline; images and resources are
 *    named, not inlined: a model's context is not the place for base64).
 */
export type McpAnswer = { ok: true; output: unknown } | { ok: false; error: string };

interface ContentBlock {
  type: string;
  text?: string;
  mimeType?: string;
  uri?: string;
  resource?: { uri?: string };
}

export function mcpAnswer(result: { content?: unknown; structuredContent?: unknown; isError?: unknown; toolResult?: unknown }): McpAnswer {
  const blocks = Array.isArray(result.content) ? (result.content as ContentBlock[]) : [];
  const text = blocks.map(describeBlock).join('\n');
  if (result.isError === true) return { ok: false, error: text.slice(0, 1000) || 'the tool reported an error without a message' };
  if (result.structuredContent !== undefined && result.structuredContent !== null) return { ok: true, output: result.structuredContent };
  // Servers on protocol 2024-10-07 answer { toolResult } instead of content.
  if (!Array.isArray(result.content) && result.toolResult !== undefined) return { ok: true, output: result.toolResult };
  try {
    return { ok: true, output: JSON.parse(text) as unknown };
  } catch {
    return { ok: true, output: { text } };
  }
}

function describeBlock(block: ContentBlock): string {
  switch (block.type) {
    case 'text':
      return block.text ?? '';
    case 'image':
    case 'audio':
      return `[${block.type} ${block.mimeType ?? ''}]`.replace(' ]', ']');
    case 'resource_link':
      return `[resource ${block.uri ?? ''}]`;
    case 'resource':
      return `[resource ${block.resource?.uri ?? ''}]`;
    default:
      return `[${block.type}]`;
  }
}
