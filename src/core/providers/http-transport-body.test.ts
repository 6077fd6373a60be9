// The transport's body reader: what the provider relies on now that it no longer races the built-in
// transport's body against the deadline (an abort must end the body itself), and that a half-read answer
// never leaves its connection in the pool.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { deadline } from '../util/deadline.js';
import { nodeHttpTransport } from './http-transport.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handle: (res: ServerResponse, n: number) => void): Promise<{ url: string; connections: () => number }> {
  let requests = 0;
  let connections = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handle(res, ++requests));
  });
  server.on('connection', (_socket: Socket) => connections++);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`, connections: () => connections };
}

const post = (url: string, signal = new AbortController().signal) => nodeHttpTransport(url, { method: 'POST', headers: {}, body: '{}', signal });

async function read(body: AsyncIterable<Uint8Array> | null): Promise<string> {
  let text = '';
  for await (const chunk of body ?? []) text += Buffer.from(chunk).toString('utf8');
  return text;
}

describe('node:http transport body', () => {
  it('ends a body that stalls mid-answer with the signal’s reason as soon as the signal aborts', async () => {
    const server = await serve((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"choices":[]}\n\n'); // and nothing more
    });
    const d = deadline([], 150, () => 'the attempt ran out');
    const started = Date.now();
    const response = await post(server.url, d.signal);
    const chunks: string[] = [];
    const error = await (async () => {
      for await (const chunk of response.body ?? []) chunks.push(Buffer.from(chunk).toString('utf8'));
    })().catch((e: Error) => e);
    expect(chunks).toEqual(['data: {"choices":[]}\n\n']);
    expect(error).toBe(d.signal.reason);
    expect((error as Error).message).toBe('the attempt ran out');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('calls a connection cut before the body was read a cut, instead of waiting for ever', async () => {
    const server = await serve((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"partial":');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    const response = await post(server.url);
    await new Promise((r) => setTimeout(r, 100)); // the cut happens before anyone reads
    const error = await read(response.body).catch((e: Error) => e);
    expect((error as Error).message).toBe('the connection was closed mid-answer');
  });

  it('reads a body of many chunks in order, and puts the connection back for the next request', async () => {
    const parts = Array.from({ length: 40 }, (_, i) => `chunk ${i};`);
    const server = await serve((res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      for (const p of parts) res.write(p);
      res.end();
    });
    expect(await read((await post(server.url)).body)).toBe(parts.join(''));
    expect(await (await post(server.url)).text()).toBe(parts.join(''));
    expect(server.connections()).toBe(1);
  });

  it('never pools a connection whose answer was left half-read', async () => {
    const server = await serve((res, n) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write(`first part of answer ${n};`);
      setTimeout(() => res.end('second part;'), 30);
    });
    const first = await post(server.url);
    for await (const _chunk of first.body ?? []) break; // the reader stops after one chunk
    expect(await (await post(server.url)).text()).toBe('first part of answer 2;second part;');
    expect(server.connections()).toBe(2);
  });

  it('lets a body be read once: text() after iterating it is an error', async () => {
    const server = await serve((res) => res.end('ok'));
    const response = await post(server.url);
    expect(await read(response.body)).toBe('ok');
    await expect(response.text()).rejects.toThrow('already read');
  });
});
