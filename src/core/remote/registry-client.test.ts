/** The registry client's deadlines, retries and cancels, against local servers that misbehave on purpose. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startSilentServer } from '../../../test/support/silent-server.js';
import { EnvironmentError, UsageError } from '../errors.js';
import { CancelledError } from '../session/cancel.js';
import { registryTimeoutMs } from './open.js';
import { RegistryTarget } from './registry-client.js';
import { parseRemoteUrl } from './url.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await (closers.pop() as () => Promise<void>)();
});

function client(url: string, options: ConstructorParameters<typeof RegistryTarget>[1] = {}): RegistryTarget {
  const location = parseRemoteUrl(url, '/');
  if (location.kind !== 'registry') throw new Error('not a registry URL');
  return new RegistryTarget(location, options);
}

async function http(handler: Parameters<typeof createServer>[1]): Promise<{ base: string; url: string }> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, url: `oci://127.0.0.1:${port}/agents` };
}

async function silent(mode: 'accept' | 'headers') {
  const server = await startSilentServer(mode);
  closers.push(server.close);
  return server;
}

describe('registry client deadlines', () => {
  it('a silent registry is one timeout, not one per retry, and the error names the URL and the time', async () => {
    const server = await silent('accept');
    const target = client(server.url, { timeoutMs: 300, retries: 3, backoffMs: 10 });
    const started = performance.now();
    const error = await target.hasBlob('agents/triage', DIGEST).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(1300);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error).toMatchObject({ code: 'remote-timeout', exitCode: 3, where: server.url });
    expect((error as Error).message).toBe(`no answer from ${server.base}/v2/agents/triage/blobs/${DIGEST} in 0.3 s`);
    expect(target.stats.requests).toBe(1);
  });

  it('headers that come without their body time out too', async () => {
    const server = await silent('headers');
    const error = await client(server.url, { timeoutMs: 300 })
      .getManifest('agents/triage', '0.1.0')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'remote-timeout', message: `no answer from ${server.base}/v2/agents/triage/manifests/0.1.0 in 0.3 s` });
  });

  it('a token service that never answers the bearer challenge times out, naming it', async () => {
    const realm = await silent('accept');
    const registry = await http((_req, res) => {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm.base}/token",service="test"` });
      res.end();
    });
    const target = client(registry.url, { timeoutMs: 300, credentials: { username: 'u', password: 'p' } });
    const error = await target.listTags('agents/triage').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'remote-timeout', message: `no answer from ${realm.base}/token in 0.3 s` });
  });

  it("the caller's cancel stops the request in flight at once and is not retried", async () => {
    const server = await silent('accept');
    const controller = new AbortController();
    const target = client(server.url, { timeoutMs: 60_000, retries: 3, signal: controller.signal });
    const pending = target.listRepositories().catch((e: unknown) => e);
    setTimeout(() => controller.abort(new CancelledError('SIGTERM')), 100);
    const started = performance.now();
    const error = await pending;
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(CancelledError);
    expect(target.stats.requests).toBe(1);
  });

  it('a cancel during the backoff after a 503 ends the wait', async () => {
    const registry = await http((_req, res) => {
      res.writeHead(503);
      res.end();
    });
    const controller = new AbortController();
    const target = client(registry.url, { retries: 3, backoffMs: 20_000, signal: controller.signal });
    const pending = target.listTags('agents/triage').catch((e: unknown) => e);
    setTimeout(() => controller.abort(new CancelledError('SIGINT')), 200);
    const started = performance.now();
    expect(await pending).toBeInstanceOf(CancelledError);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('still retries a registry that answers 503 for a while', async () => {
    let failures = 2;
    const registry = await http((_req, res) => {
      res.writeHead(failures-- > 0 ? 503 : 200, { 'content-type': 'application/json' });
      res.end('{"tags":["0.1.0"]}');
    });
    const target = client(registry.url, { retries: 3, backoffMs: 5 });
    expect(await target.listTags('agents/triage')).toEqual(['0.1.0']);
    expect(target.stats.requests).toBe(3);
  });
});

describe('AGENTCTL_REGISTRY_TIMEOUT_MS', () => {
  it('is milliseconds, unset means the default, anything else is a usage error', () => {
    expect(registryTimeoutMs({})).toBeUndefined();
    expect(registryTimeoutMs({ AGENTCTL_REGISTRY_TIMEOUT_MS: '2500' })).toBe(2500);
    for (const bad of ['abc', '0', '-5', '1.5']) expect(() => registryTimeoutMs({ AGENTCTL_REGISTRY_TIMEOUT_MS: bad })).toThrow(UsageError);
  });
});
