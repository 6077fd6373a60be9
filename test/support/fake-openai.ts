/**
 * A local HTTP server that speaks the OpenAI chat-completions protocol (streaming or not, tool calls,
 * usage, refusals, finish reasons, errors in and out of the stream), scripted per request, so the
 * openai provider is tested against real sockets without a network.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Usage = { prompt_tokens: number; completion_tokens: number };

export type Reply =
  | { kind: 'text'; text: string; usage?: Usage }
  | { kind: 'no-usage'; text: string }
  | { kind: 'finish'; text: string; reason: 'length' | 'content_filter' | 'stop' }
  | { kind: 'refusal'; text: string }
  | { kind: 'tool'; name: string; args: Record<string, unknown>; id?: string }
  | { kind: 'json'; text: string }
  /** `retryAfter`: seconds, or an HTTP date string; `body`: sent as is (other gateways' error shapes). */
  | { kind: 'status'; status: number; retryAfter?: number | string; retryAfterMs?: number; message?: string; body?: unknown }
  /** A 200 stream that carries an error: as `data: {"error":…}` or as an `event: error`. */
  | { kind: 'stream-error'; message: string; code?: number | string; style?: 'data' | 'event' }
  | { kind: 'malformed' }
  /** The first chunk, then the socket is destroyed. */
  | { kind: 'drop' }
  | { kind: 'cut' }
  | { kind: 'slow'; ms: number; text: string }
  /** Accepts the request and never answers. */
  | { kind: 'hang' }
  /** Headers and one chunk, then silence. */
  | { kind: 'hang-after-chunk' };

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
    await respond(res, reply, String(body.model ?? 'm'), body.stream !== false);
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

/** The answer of a reply that has one, as a message, a finish reason and usage. */
function answerOf(reply: Reply): { message: Record<string, unknown>; finish: string; usage: Usage | null } | undefined {
  switch (reply.kind) {
    case 'text':
      return { message: { content: reply.text }, finish: 'stop', usage: reply.usage ?? { prompt_tokens: 11, completion_tokens: 7 } };
    case 'no-usage':
      return { message: { content: reply.text }, finish: 'stop', usage: null };
    case 'finish':
      return { message: { content: reply.text }, finish: reply.reason, usage: { prompt_tokens: 11, completion_tokens: 7 } };
    case 'refusal':
      return { message: { content: null, refusal: reply.text }, finish: 'stop', usage: { prompt_tokens: 11, completion_tokens: 7 } };
    case 'tool':
      return {
        message: {
          content: null,
          tool_calls: [{ id: reply.id ?? 'call_1', type: 'function', function: { name: reply.name, arguments: JSON.stringify(reply.args) } }],
        },
        finish: 'tool_calls',
        usage: { prompt_tokens: 13, completion_tokens: 9 },
      };
    default:
      return undefined;
  }
}

function streamAnswer(res: ServerResponse, model: string, answer: NonNullable<ReturnType<typeof answerOf>>): void {
  const {
    content,
    refusal,
    tool_calls: calls,
  } = answer.message as { content: string | null; refusal?: string; tool_calls?: { id: string; function: { name: string; arguments: string } }[] };
  for (const piece of content?.match(/.{1,4}/gs) ?? []) sse(res, { model, choices: [{ delta: { content: piece } }] });
  for (const piece of refusal?.match(/.{1,6}/gs) ?? []) sse(res, { model, choices: [{ delta: { refusal: piece } }] });
  for (const call of calls ?? []) {
    const args = call.function.arguments;
    const half = Math.floor(args.length / 2);
    sse(res, {
      model,
      choices: [{ delta: { tool_calls: [{ index: 0, id: call.id, function: { name: call.function.name, arguments: args.slice(0, half) } }] } }],
    });
    sse(res, { model, choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: args.slice(half) } }] } }] });
  }
  sse(res, { id: 'chatcmpl-fake-stream', model, choices: [{ delta: {}, finish_reason: answer.finish }] });
  if (answer.usage) sse(res, { model, choices: [], usage: answer.usage });
  sse(res, '[DONE]');
  res.end();
}

async function respond(res: ServerResponse, reply: Reply, model: string, stream: boolean): Promise<void> {
  const answer = answerOf(reply);
  if (answer) {
    if (stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      return streamAnswer(res, model, answer);
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: 'chatcmpl-fake-whole',
        model,
        choices: [{ message: answer.message, finish_reason: answer.finish }],
        ...(answer.usage ? { usage: answer.usage } : {}),
      }),
    );
    return;
  }
  switch (reply.kind) {
    case 'status':
      res.writeHead(reply.status, {
        'content-type': 'application/json',
        ...(reply.retryAfter !== undefined ? { 'retry-after': String(reply.retryAfter) } : {}),
        ...(reply.retryAfterMs !== undefined ? { 'retry-after-ms': String(reply.retryAfterMs) } : {}),
      });
      res.end(JSON.stringify(reply.body ?? { error: { message: reply.message ?? `status ${reply.status}` } }));
      return;
    case 'json':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ model, choices: [{ message: { content: reply.text }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 2 } }),
      );
      return;
    case 'slow':
      await new Promise((r) => setTimeout(r, reply.ms));
      return respond(res, { kind: 'text', text: reply.text }, model, stream);
    case 'hang':
      return; // the socket stays open until the client gives up or the server closes
    case 'hang-after-chunk':
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      sse(res, { model, choices: [{ delta: { content: 'Once upon' } }] });
      return;
    case 'stream-error': {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      sse(res, { model, choices: [{ delta: { content: 'Part' } }] });
      const error = { message: reply.message, type: 'upstream_error', ...(reply.code !== undefined ? { code: reply.code } : {}) };
      if (reply.style === 'event') res.write(`event: error\ndata: ${JSON.stringify(error)}\n\n`);
      else sse(res, { error });
      res.end();
      return;
    }
    case 'malformed':
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"choices": [ {"delta": \n\n');
      res.end();
      return;
    case 'drop':
    case 'cut':
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      sse(res, { model, choices: [{ delta: { content: 'partial ans' } }] });
      setTimeout(() => res.socket?.destroy(), 10);
      return;
    default:
      return;
  }
}
