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
import { StringDecoder } from 'node:string_decoder';
import { urlToHttpOptions } from 'node:url';
import { BodyReader } from './http-body.js';

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
