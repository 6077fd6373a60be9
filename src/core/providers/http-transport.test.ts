import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { deadline } from '../util/deadline.js';
import { nodeHttpTransport } from './http-transport.js';
import { createOpenAIProvider } from './openai.js';
import type { ModelError, ModelRequest } from './types.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A real server that counts the connections it accepts; `handle` answers each request. */
async function serve(handle: Parameters<typeof createServer>[1]): Promise<{ url: string; connections: () => number }> {
  const server = createServer(handle);
  let connections = 0;
  server.on('connection', (_socket: Socket) => connections++);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, connections: () => connections };
}

const json = (text: string) => JSON.stringify({ model: 'm', choices: [{ message: { content: text }, finish_reason: 'stop' }] });
const request: ModelRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }], tools: [], params: {}, agent: 'a', input: 'hi', step: 1 };
const post = (url: string, signal = new AbortController().signal) => nodeHttpTransport(url, { method: 'POST', headers: {}, body: '{}', signal });

describe('node:http transport', () => {
  it('reuses kept-alive connections: 48 requests, 16 at a time, over no more than 16 connections', async () => {
    const server = await serve((req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => res.end(json('ok')), 5));
    });
    const provider = createOpenAIProvider({ baseUrl: server.url, stream: false, retries: 0 });
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all(Array.from({ length: 16 }, () => provider.complete(request, { signal: new AbortController().signal })));
      expect(answers.every((a) => a.content === 'ok')).toBe(true);
    }
    expect(server.connections()).toBeGreaterThan(0);
    expect(server.connections()).toBeLessThanOrEqual(16);
  });

  it('times out a body that stalls after the headers, through the provider deadline', async () => {
    const server = await serve((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"model":');
    });
    const provider = createOpenAIProvider({ baseUrl: server.url, stream: false, retries: 0, timeoutMs: 200 });
    const started = Date.now();
    const error = (await provider.complete(request, { signal: new AbortController().signal }).catch((e) => e)) as ModelError;
    expect(error).toMatchObject({ errorClass: 'timeout' });
    expect(error.message).toContain('stalled after 1 chunk');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('calls a refused connection network, with the system code in the message', async () => {
    const server = await serve((_req, res) => res.end());
    const url = server.url;
    await new Promise((r) => servers.pop()?.close(r)); // the port is now closed
    const provider = createOpenAIProvider({ baseUrl: url, retries: 0 });
    const error = (await provider.complete(request, { signal: new AbortController().signal }).catch((e) => e)) as ModelError;
    expect(error).toMatchObject({ errorClass: 'network' });
    expect(error.message).toMatch(/cannot reach .* \(ECONNREFUSED\)/);
  });

  it('never sends a POST again by itself: a reset pooled connection is an error for the retry to decide', async () => {
    // A server that answers the first request on each connection and drops the connection on the second:
    // it may have read the POST (a proxy resetting mid-work looks the same), so no hidden copy is sent.
    const sockets: Socket[] = [];
    let posts = 0;
    const tcp = createTcpServer((socket) => {
      sockets.push(socket);
      let requests = 0;
      socket.on('data', (data) => {
        const seen = data.toString('latin1').split('POST ').length - 1;
        requests += seen;
        posts += seen;
        const body = json('ok');
        if (requests === 1) socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
        else socket.destroy();
      });
    });
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(tcp.address() as AddressInfo).port}/v1`;
    try {
      const ask = (retries: number) =>
        createOpenAIProvider({ baseUrl: url, stream: false, retries, backoffMs: 1, timeoutMs: 2_000 }).complete(request, {
          signal: new AbortController().signal,
        });
      expect((await ask(0)).content).toBe('ok');
      const error = (await ask(0).catch((e) => e)) as ModelError;
      expect(error).toMatchObject({ errorClass: 'network' });
      expect(posts).toBe(2);
      // With retries, the provider's retry sends it again, on a new connection.
      expect((await ask(1)).content).toBe('ok');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => tcp.close(r));
    }
  });

  it("a connection cut mid-answer is the body's error only: no second request, nothing unhandled", async () => {
    let posts = 0;
    const server = await serve((req, res) => {
      posts++;
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"choices":[{"index":0,"delta":{"content":"par"}}]}\n\n');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const provider = createOpenAIProvider({ baseUrl: server.url, retries: 0, timeoutMs: 2_000 });
    const error = (await provider.complete(request, { signal: new AbortController().signal }).catch((e) => e)) as ModelError;
    expect(error).toMatchObject({ errorClass: 'stream-dropped' });
    await new Promise((r) => setTimeout(r, 100));
    expect(posts).toBe(1);
  });

  it('rejects with the abort reason and frees the socket when the signal aborts mid-request', async () => {
    const server = await serve((req) => req.resume()); // never answers
    const d = deadline([], 50);
    const error = await post(`${server.url}/chat/completions`, d.signal).catch((e) => e);
    expect((error as Error).name).toBe('TimeoutError');
  });

  it('refuses a URL with credentials in it, as fetch did, without sending anything', async () => {
    let requests = 0;
    const server = await serve((_req, res) => {
      requests++;
      res.end(json('ok'));
    });
    const url = server.url.replace('http://', 'http://user:hunter2@');
    const error = await post(`${url}/chat/completions`).catch((e) => e);
    expect((error as Error).message).toContain('includes credentials');
    expect((error as Error).message).not.toContain('hunter2');
    expect(requests).toBe(0);
  });

  it('decodes a gzip body the server sent unasked, and reads headers case-insensitively', async () => {
    const server = await serve((req, res) => {
      req.resume();
      res.writeHead(429, { 'content-encoding': 'gzip', 'Retry-After': '3' });
      res.end(gzipSync('{"error":{"message":"slow down"}}'));
    });
    const response = await post(`${server.url}/chat/completions`);
    expect(response).toMatchObject({ ok: false, status: 429 });
    expect(response.headers.get('RETRY-AFTER')).toBe('3');
    expect(response.headers.get('x-missing')).toBeNull();
    expect(await response.text()).toBe('{"error":{"message":"slow down"}}');
  });

  it('follows a 307 with the same body, and drops the key and gateway headers when it leads to another origin', async () => {
    const seen: { auth?: string; body: string }[] = [];
    const other = await serve(async (req, res) => {
      let body = '';
      for await (const c of req) body += c;
      seen.push({ auth: req.headers.authorization ?? (req.headers['api-key'] as string | undefined), body });
      res.end(json('moved'));
    });
    const first = await serve((req, res) => {
      req.resume();
      res.writeHead(307, { location: `${other.url}/chat/completions` }).end();
    });
    const response = await nodeHttpTransport(`${first.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-secret-secret', 'api-key': 'gw-secret-secret', 'content-type': 'application/json' },
      body: '{"a":1}',
      signal: new AbortController().signal,
    });
    expect(response.status).toBe(200);
    expect(seen).toEqual([{ auth: undefined, body: '{"a":1}' }]);
  });

  it('sends each request to its own path and query, past the bound of the parsed-URL cache', async () => {
    const seen: string[] = [];
    const server = await serve((req, res) => {
      seen.push(req.url ?? '');
      req.resume();
      res.end(json('ok'));
    });
    const paths = Array.from({ length: 70 }, (_, i) => `/v${i % 7}/chat/completions?try=${i}`);
    for (const path of [...paths, ...paths.slice(0, 5)]) await (await post(server.url.replace(/\/v1$/, path))).text();
    expect(seen).toEqual([...paths, ...paths.slice(0, 5)]);
  });
});
