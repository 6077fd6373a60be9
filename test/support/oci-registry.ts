/**
 * The real CNCF distribution registry (Debian's docker-registry) on 127.0.0.1 for tests: a temp storage
 * folder, a config file written here, optional htpasswd basic auth. Without the binary, tests skip with
 * how to install it — except under CI, where a missing registry fails the run.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './workspace.js';

export const REGISTRY_BIN = process.env.AGENTCTL_TEST_REGISTRY ?? 'docker-registry';
export const hasRegistry = spawnSync(REGISTRY_BIN, ['--version']).status === 0;
if (!hasRegistry) {
  const how = 'apt-get install -y docker-registry apache2-utils';
  if (process.env.CI) throw new Error(`the OCI registry tests need Debian's docker-registry under CI: ${how}`);
  console.warn(`(skipping the OCI registry tests: docker-registry is not installed; ${how})`);
}

export interface RunningRegistry {
  url: string;
  host: string;
  port: number;
  storage: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RegistryOptions {
  basicAuth?: { username: string; password: string };
  /** distribution's `auth.token`: clients get RS256 JWTs from this realm (see token-server.ts). */
  tokenAuth?: { realm: string; service: string; issuer: string; certPath: string };
}

export async function startRegistry(options: RegistryOptions = {}): Promise<RunningRegistry> {
  const dir = tempDir('agentctl-registry-');
  const port = await freePort();
  const storage = join(dir, 'storage');
  let auth = '';
  if (options.basicAuth) {
    const htpasswd = join(dir, 'htpasswd');
    execFileSync('htpasswd', ['-Bbc', htpasswd, options.basicAuth.username, options.basicAuth.password], { stdio: 'ignore' });
    auth = `auth:\n  htpasswd:\n    realm: agentctl-test\n    path: ${htpasswd}\n`;
  }
  if (options.tokenAuth) {
    const t = options.tokenAuth;
    auth = `auth:\n  token:\n    realm: ${t.realm}\n    service: ${t.service}\n    issuer: ${t.issuer}\n    rootcertbundle: ${t.certPath}\n`;
  }
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${storage}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`,
  );
  let child: ChildProcess | undefined;
  const registry: RunningRegistry = {
    url: `oci://127.0.0.1:${port}/agents`,
    host: `127.0.0.1:${port}`,
    port,
    storage,
    async start() {
      child = spawn(REGISTRY_BIN, ['serve', config], { stdio: 'ignore' });
      const started = Date.now();
      for (;;) {
        const status = await fetch(`http://127.0.0.1:${port}/v2/`).then(
          (r) => r.status,
          () => 0,
        );
        if (status === 200 || status === 401) return;
        if (Date.now() - started > 10_000) throw new Error('the test registry did not start within 10 s');
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
  };
  await registry.start();
  return registry;
}
