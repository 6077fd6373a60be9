/**
 * A local HTTP server that speaks the OpenAI chat-completions protocol (streaming, tool calls, usage),
 * scripted per request, so the openai provider is tested against real sockets without a network.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Reply =
  | { kind: 'text'; text: string; usage?: { prompt_tokens: number; completion_tokens: number } }
  | { kind: 'tool'; name: string; args: Record<string, unknown>; id?: string }
  | { kind: 'json'; text: string }
  | { kind: 'status'; status: number; retryAfter?: number; message?: string }
  | { kind: 'malformed' }
  | { kind: 'drop' }
  | { kind: 'slow'; ms: number; text: string };

export interface FakeOpenAI {
  url: string;
  requests: { headers: IncomingMessage['headers']; body: Record<string, unknown> }[];
  /** Replies in order; the last one repeats. */
  script(...replies: Reply[]): void;
  close(): Promise<void>;
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  let replies: Reply[] = [{ kind: 'text', text: 'hello' }];
  const requests: FakeOpenAI['requests'] = [];
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw || '{}') as Record<string, unknown>;
    requests.push({ headers: req.headers, body });
    const reply = (replies.length > 1 ? replies.shift() : replies[0]) as Reply;
    await respond(res, reply, String(body.model ?? 'm'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...next) => {
      replies = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const sse = (res: ServerResponse, data: unknown) => res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);

async function respond(res: ServerResponse, reply: Reply, model: string): Promise<void> {
  switch (reply.kind) {
    case 'status':
      res.writeHead(reply.status, {
        'content-type': 'application/json',
        ...(reply.retryAfter !== undefined ? { 'retry-after': String(reply.retryAfter) } : {}),
      });
      res.end(JSON.stringify({ error: { message: reply.message ?? `status ${reply.status}` } }));
      return;
    case 'json':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ model, choices: [{ message: { content: reply.text }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 2 } }),
      );
      return;
    case 'slow':
      await new Promise((r) => setTimeout(r, reply.ms));
      return respond(res, { kind: 'text', text: reply.text }, model);
    default:
      break;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  if (reply.kind === 'text') {
    for (const piece of reply.text.match(/.{1,4}/gs) ?? []) sse(res, { model, choices: [{ delta: { content: piece } }] });
    sse(res, { model, choices: [{ delta: {}, finish_reason: 'stop' }] });
    sse(res, { model, choices: [], usage: reply.usage ?? { prompt_tokens: 11, completion_tokens: 7 } });
    sse(res, '[DONE]');
    res.end();
  } else if (reply.kind === 'tool') {
    const args = JSON.stringify(reply.args);
    const half = Math.floor(args.length / 2);
    sse(res, {
      model,
      choices: [{ delta: { tool_calls: [{ index: 0, id: reply.id ?? 'call_1', function: { name: reply.name, arguments: args.slice(0, half) } }] } }],
    });
    sse(res, { model, choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: args.slice(half) } }] } }] });
    sse(res, { model, choices: [{ delta: {}, finish_reason: 'tool_calls' }], usage: { prompt_tokens: 13, completion_tokens: 9 } });
    sse(res, '[DONE]');
    res.end();
  } else if (reply.kind === 'malformed') {
    res.write('data: {"choices": [ {"delta": \n\n');
    res.end();
  } else if (reply.kind === 'drop') {
    sse(res, { model, choices: [{ delta: { content: 'partial ans' } }] });
    setTimeout(() => res.socket?.destroy(), 10);
  }
}
