/**
 * The HTTP client of the openai provider: one POST over `node:http`/`node:https` through a shared
 * keep-alive agent, answering with the little of a fetch Response the provider reads (ok, status,
 * headers.get, the body as an async iterable, text()).
 *
 * Why not the global fetch: in a latency-bound eval it was about half of the main thread's work per
 * sample (Request and Headers objects, web streams, the wasm llhttp parser), and its first use loads
 * undici's bundle (~28 ms of start-up). Errors keep fetch's shape — a failure to connect rejects with
 * an Error whose `cause` carries the system code (ECONNREFUSED) — so openai-errors classifies both alike.
 */
import type { Agent, ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { urlToHttpOptions } from 'node:url';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export interface HttpResponse {
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  /** The body, decoded if the server compressed it anyway; ends with an error if the connection is cut. */
  body: AsyncIterable<Uint8Array> | null;
  text(): Promise<string>;
}

export interface HttpRequestInit {
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  /** Aborting it destroys the request and its connection (never returned to the pool half-read). */
  signal: AbortSignal;
}

/** The provider's client (a test can pass its own). */
export type HttpTransport = (url: string, init: HttpRequestInit) => Promise<HttpResponse>;

/**
 * Redirects followed: 307/308 only, which keep the method and body. fetch also turned a POST answered
 * 301/302/303 into a GET without a body, which no chat-completions endpoint answers; here that status is the error.
 */
const MAX_REDIRECTS = 5;

/** What a request to another origin keeps of its headers. */
const CONTENT_HEADERS = new Set(['content-type', 'accept']);

interface Client {
  request(options: RequestOptions): ClientRequest;
  agent: Agent;
}

const clients = new Map<string, Promise<Client>>();

/**
 * The shared agent of a protocol, loaded on first use (an offline eval never loads node:http, an http
 * gateway never loads tls): keep-alive, so an eval's requests reuse connections; no socket limit (fetch has
 * none either), so a concurrency of 16 or 64 never queues behind the pool. Idle sockets are unref'd by Node
 * and do not keep the process alive.
 */
function clientFor(protocol: 'http:' | 'https:'): Promise<Client> {
  let client = clients.get(protocol);
  if (!client) {
    client = (protocol === 'https:' ? import('node:https') : import('node:http')).then((m) => ({
      request: m.request,
      agent: new m.Agent({ keepAlive: true }),
    }));
    clients.set(protocol, client);
  }
  return client;
}

/**
 * Every call of an eval goes to the same URL: it is parsed, and turned into request options, once
 * (URL parsing and urlToHttpOptions were a visible part of each request). Bounded, as a redirect adds its own.
 */
const targets = new Map<string, { url: URL; options: RequestOptions }>();

function cachedTarget(href: string, base?: URL): { url: URL; options: RequestOptions } {
  const key = base ? `${base.href} ${href}` : href;
  let target = targets.get(key);
  if (!target) {
    const url = new URL(href, base);
    target = { url, options: urlToHttpOptions(url) };
    if (targets.size >= 64) targets.clear();
    targets.set(key, target);
  }
  return target;
}

const parsed = (href: string, base?: URL) => cachedTarget(href, base).url;
const requestTarget = (url: URL) => cachedTarget(url.href).options;

/**
 * Loads the client of the URL's protocol now, not at the first request: node:http takes 7-17 ms to load,
 * which otherwise sits between an eval's set-up and its first request; started when the provider is
 * made, it lands in the set-up's own waits (module and file reads).
 */
export function warmTransport(url: string): void {
  const protocol = URL.canParse(url) ? new URL(url).protocol : '';
  if (protocol === 'http:' || protocol === 'https:') clientFor(protocol).catch(() => {});
}

/** POSTs over node:http(s) with the shared keep-alive agents. */
export const nodeHttpTransport: HttpTransport = async (url, init) => {
  let target = parsed(url);
  let headers = init.headers;
  for (let redirects = 0; ; redirects++) {
    const response = await send(target, headers, init);
    const location = response.headers.get('location');
    if ((response.status !== 307 && response.status !== 308) || !location || redirects === MAX_REDIRECTS) return response;
    await response.text(); // drained, so its connection goes back to the pool
    const next = parsed(location, target);
    // A redirect to another origin carries the request, not its credentials: the key, and any header the
    // gateway settings added (api-key, x-portkey-api-key, …), stay with the origin they were meant for.
    if (next.origin !== target.origin) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => CONTENT_HEADERS.has(k.toLowerCase())));
    target = next;
  }
};

async function send(url: URL, headers: Record<string, string>, init: HttpRequestInit): Promise<HttpResponse> {
  const { signal } = init;
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`unsupported protocol ${url.protocol}`, { cause: { code: 'ERR_INVALID_PROTOCOL' } });
  // As fetch does: a user:password@ in the URL is refused, never sent as Basic auth behind the user's back.
  if (url.username || url.password) throw new TypeError('the URL includes credentials (user:password@), which are not sent; use gateway.apiKeyEnv');
  const client = await clientFor(url.protocol);
  if (signal.aborted) throw signal.reason;
  return new Promise<HttpResponse>((resolve, reject) => {
    let request: ClientRequest;
    const onAbort = () => request.destroy(signal.reason);
    const options = {
      ...requestTarget(url),
      method: init.method,
      agent: client.agent,
      headers: { ...headers, 'content-length': String(Buffer.byteLength(init.body)) },
    };
    try {
      request = client.request(options);
    } catch (error) {
      // An invalid header value: fetch rejects too, with the reason in the message.
      reject(error);
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    const done = () => signal.removeEventListener('abort', onAbort);
    let answered = false;
    // Never sent again from here, not even on a pooled connection reset (the server may have the POST, and
    // each copy is billed): the provider's retry decides, with its backoff and its count, as with fetch.
    request.on('error', (error: NodeJS.ErrnoException) => {
      done();
      // After the answer began, a cut connection is the body's error, which its reader sees.
      if (answered) return;
      // Before the answer: the shape fetch gives ("fetch failed", the system error as its cause).
      reject(signal.aborted ? signal.reason : new Error(`request to ${url.origin} failed`, { cause: error }));
    });
    request.once('response', (message) => {
      answered = true;
      message.once('close', done);
      // Observed by whoever reads the body; a body never read must not crash the process when it is cut.
      message.on('error', () => {});
      resolve(responseOf(message, signal));
    });
    request.end(init.body);
  });
}

function responseOf(message: IncomingMessage, signal: AbortSignal): HttpResponse {
  const status = message.statusCode ?? 0;
  let used = false;
  // A cut connection ("aborted", ECONNRESET): the system error as the cause, as with fetch; after an
  // abort (the deadline destroyed the request), the signal's reason.
  const failure = (error: unknown) => (signal.aborted ? signal.reason : new Error('the connection was closed mid-answer', { cause: error }));
  const body: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]() {
      if (used) throw new TypeError('the body was already read');
      used = true;
      return new BodyReader(message, failure);
    },
  };
  return {
    ok: status >= 200 && status < 300,
    status,
    headers: {
      get(name) {
        const value = message.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    },
    body,
    async text() {
      const decoder = new StringDecoder('utf8');
      let text = '';
      for await (const chunk of body) text += decoder.write(chunk as Buffer);
      return text + decoder.end();
    },
  };
}

/**
 * The body's chunks through 'data'/'end'/'error' listeners. A Readable's own async iterator costs a
 * generator, an end-of-stream watcher and several promises per answer, which in a latency-bound eval
 * sat between each answer and the slot's next request. It ends with `failure(error)` when the stream
 * errors or closes before its end — so an abort (the transport destroys the request) ends it at once
 * with the signal's reason — and a reader that stops early destroys the message, so a half-read
 * connection never goes back to the pool. At most HIGH_WATER chunks are held: beyond, the socket pauses.
 */
class BodyReader implements AsyncIterator<Uint8Array> {
  private readonly queue: Buffer[] = [];
  private ended = false;
  private error: unknown;
  private waiting: { resolve(r: IteratorResult<Uint8Array>): void; reject(e: unknown): void } | undefined;
  private source: Readable | undefined;

  constructor(
    private readonly message: IncomingMessage,
    private readonly failure: (error: unknown) => unknown,
  ) {}

  next(): Promise<IteratorResult<Uint8Array>> {
    let source = this.source;
    if (!source) {
      const opened = decoded(this.message);
      if (opened instanceof Promise) return opened.then((s) => this.open(s)).then(() => this.next());
      source = this.open(opened);
    }
    const chunk = this.queue.shift();
    if (chunk) {
      if (this.queue.length < HIGH_WATER && source.isPaused()) source.resume();
      return Promise.resolve({ done: false, value: chunk });
    }
    if (this.error !== undefined) return Promise.reject(this.error);
    if (this.ended) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<Uint8Array>> {
    if (!this.ended) {
      this.ended = true;
      this.message.destroy();
      this.source?.destroy();
    }
    return Promise.resolve({ done: true, value: undefined });
  }

  private open(source: Readable): Readable {
    this.source = source;
    const fail = (error: unknown) => {
      if (this.ended || this.error !== undefined) return;
      this.error = this.failure(error);
      this.take()?.reject(this.error);
    };
    // Cut (or aborted) before the reader began: its 'error' and 'close' have been and gone.
    if (source.destroyed) {
      if (source.readableEnded) this.ended = true;
      else fail(source.errored ?? new Error('premature close'));
      return source;
    }
    source.on('data', (chunk: Buffer) => {
      const waiting = this.take();
      if (waiting) waiting.resolve({ done: false, value: chunk });
      else if (this.queue.push(chunk) >= HIGH_WATER) source.pause();
    });
    source.once('end', () => {
      this.ended = true;
      this.take()?.resolve({ done: true, value: undefined });
    });
    source.on('error', fail);
    // Closed without 'end' and without an error (destroyed quietly): still not a complete body.
    source.once('close', () => {
      // Every answer closes after its end: an Error (and its stack) is built only for one that did not.
      if (!this.ended) fail(new Error('premature close'));
    });
    return source;
  }

  private take() {
    const waiting = this.waiting;
    this.waiting = undefined;
    return waiting;
  }
}

const HIGH_WATER = 16;

/** The body as sent, or through zlib (loaded only then) if the server compressed it although it was not asked to. */
function decoded(message: IncomingMessage): Readable | Promise<Readable> {
  const encoding = (message.headers['content-encoding'] ?? '').trim().toLowerCase();
  // Synchronous when plain: the answer's first chunk is handed on in the same turn.
  if (!['gzip', 'x-gzip', 'deflate', 'br'].includes(encoding)) return message;
  return inflated(message, encoding);
}

async function inflated(message: IncomingMessage, encoding: string): Promise<Readable> {
  const zlib = await import('node:zlib');
  const decoder = encoding === 'br' ? zlib.createBrotliDecompress() : encoding === 'deflate' ? zlib.createInflate() : zlib.createGunzip();
  message.on('error', (error) => decoder.destroy(error));
  message.pipe(decoder);
  return decoder;
}
