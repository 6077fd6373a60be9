/**
 * A proxy in front of the real test registry, to inject what the registry itself will not do: a run of
 * 503s before it recovers, and the bearer-token challenge flow (a token endpoint that checks basic
 * credentials). Everything else is forwarded as it is.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyOptions {
  /** Answer the first n requests with 503. */
  failFirst?: number;
  /** Require a bearer token, obtained from /token with these basic credentials. */
  bearer?: { username: string; password: string };
  /**
   * Let this many blob uploads (the PUT that completes one) through, then hold every further one
   * until the client gives up, so a signal sent meanwhile lands mid-push.
   */
  holdUploadsAfter?: number;
  /** Wait this long before forwarding each request (a slow network: a push that outlives short tokens). */
  delayMs?: number;
  /** Forward the client's Authorization header (for a registry with auth of its own behind the proxy). */
  forwardAuthorization?: boolean;
}

export interface RegistryProxy {
  url: string;
  host: string;
  requests: { method: string; path: string; status: number }[];
  /** Resolves when the first upload is held (with holdUploadsAfter). */
  held: Promise<void>;
  close(): Promise<void>;
}

const TOKEN = 'test-token-4f8a2c';

export async function startProxy(upstreamPort: number, options: ProxyOptions = {}): Promise<RegistryProxy> {
  const requests: RegistryProxy['requests'] = [];
  let failures = options.failFirst ?? 0;
  let base = '';
  let uploadsLeft = options.holdUploadsAfter ?? Number.POSITIVE_INFINITY;
  let onHeld = () => {};
  const held = new Promise<void>((resolve) => {
    onHeld = resolve;
  });
  const server = createServer(async (req, res) => {
    const path = req.url ?? '/';
    const record = (status: number) => requests.push({ method: req.method ?? 'GET', path, status });
    if (req.method === 'PUT' && /\/blobs\/uploads\//.test(path) && uploadsLeft-- <= 0) {
      // Never forwarded: the upload stays incomplete, as if the network stalled mid-push.
      record(0);
      onHeld();
      return;
    }
    if (options.bearer && path.startsWith('/token')) {
      const expected = `Basic ${Buffer.from(`${options.bearer.username}:${options.bearer.password}`).toString('base64')}`;
      const ok = req.headers.authorization === expected;
      record(ok ? 200 : 401);
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(ok ? JSON.stringify({ token: TOKEN }) : '{}');
      return;
    }
    if (failures > 0) {
      failures--;
      record(503);
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"UNAVAILABLE","message":"injected"}]}');
      return;
    }
    if (options.bearer && req.headers.authorization !== `Bearer ${TOKEN}`) {
      record(401);
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="${base}/token",service="agentctl-test",scope="repository:x:pull"`,
        'content-type': 'application/json',
      });
      res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      return;
    }
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
    await forward(req, res, upstreamPort, base, record, options.forwardAuthorization ?? false);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return {
    url: `oci://127.0.0.1:${port}/agents`,
    host: `127.0.0.1:${port}`,
    requests,
    held,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function forward(
  req: IncomingMessage,
  res: ServerResponse,
  upstreamPort: number,
  base: string,
  record: (status: number) => void,
  forwardAuthorization: boolean,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = Object.fromEntries(
    Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length', ...(forwardAuthorization ? [] : ['authorization'])].includes(k)),
  ) as Record<string, string>;
  const upstream = await fetch(`http://127.0.0.1:${upstreamPort}${req.url}`, {
    method: req.method,
    headers,
    ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    redirect: 'manual',
  });
  record(upstream.status);
  const out: Record<string, string> = {};
  upstream.headers.forEach((value, key) => {
    if (key === 'content-encoding' || key === 'transfer-encoding' || key === 'connection') return;
    out[key] = key === 'location' ? value.replace(`http://127.0.0.1:${upstreamPort}`, base) : value;
  });
  res.writeHead(upstream.status, out);
  res.end(Buffer.from(await upstream.arrayBuffer()));
}
