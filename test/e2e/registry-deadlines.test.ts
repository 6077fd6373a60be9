/**
 * Registry deadlines and cancels through the real binary, under forced garbage collection: a registry
 * that never answers (or stalls the body) ends push, pull and remote ls within the timeout plus a second
 * with exit 3 naming the URL; SIGINT/SIGTERM end pull and remote ls at once with 130/143, and a push
 * mid-upload too, leaving no tag on the real registry, and the next push finishes it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentctl } from '../support/cli.js';
import { spawnUnderGc } from '../support/gc-cli.js';
import { hasRegistry, type RunningRegistry, startRegistry } from '../support/oci-registry.js';
import { startProxy } from '../support/registry-proxy.js';
import { startSilentServer } from '../support/silent-server.js';

const TIMEOUT_MS = 1500;

/** A workspace whose triage@0.1.0 is active in canary (its gates hold), with a signing key. */
async function publisher() {
  // Not tempDir(): its afterEach would remove the workspace after the first test; afterAll does here.
  const cwd = mkdtempSync(join(tmpdir(), 'agentctl-deadlines-'));
  const env = { XDG_CONFIG_HOME: join(cwd, '.xdg'), AGENTCTL_USER: 'alice' };
  for (const args of [
    ['init', '.', '--yes', '--template', 'main-sub', '--name', 'triage', '--owner', 'team-qa'],
    ['register', 'agents/triage'],
    ['promote', 'triage@0.1.0', '--to', 'dev', '--with-deps'],
    ['promote', 'triage@0.1.0', '--to', 'canary', '--with-deps'],
    ['keys', 'generate'],
  ]) {
    const r = await agentctl(args, { cwd, env });
    expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  }
  return { cwd, env };
}

let ws: { cwd: string; env: Record<string, string> };
beforeAll(async () => {
  ws = await publisher();
}, 30_000);
afterAll(() => rmSync(ws.cwd, { recursive: true, force: true }));

const commands: [string, (url: string) => string[][]][] = [
  ['push', (url) => [['push', 'triage@0.1.0', '--remote', url]]],
  [
    'pull',
    (url) => [
      ['remote', 'add', 'silent', url, '--force'],
      ['pull', 'silent/triage@0.1.0'],
    ],
  ],
  ['remote ls', (url) => [['remote', 'ls', url]]],
];

describe('a registry that does not answer, under forced GC', () => {
  for (const mode of ['accept', 'headers'] as const) {
    for (const [name, steps] of commands) {
      it(`${name}: ${mode === 'accept' ? 'a connection that never answers' : 'headers, then a body that never comes'} → exit 3 within the timeout + 1 s`, async () => {
        const server = await startSilentServer(mode);
        try {
          const all = steps(server.url);
          for (const setup of all.slice(0, -1)) expect((await agentctl(setup, ws)).exitCode).toBe(0);
          const run = spawnUnderGc(all.at(-1) as string[], { cwd: ws.cwd, env: { ...ws.env, AGENTCTL_REGISTRY_TIMEOUT_MS: String(TIMEOUT_MS) } });
          const result = await run.done;
          expect(result.exitCode, result.stderr).toBe(3);
          expect(result.stderr).toContain(`no answer from ${server.base}/v2/`);
          expect(result.stderr).toContain(`in ${TIMEOUT_MS / 1000} s`);
          expect(result.stderr).toContain('AGENTCTL_REGISTRY_TIMEOUT_MS');
          // Timed from the request that got no answer, so neither the binary's start-up nor the answered
          // requests before it (slow under a collection every 20 ms) count: the deadline ended the command,
          // not much after it, and a timeout is not retried. (The lower bound is loose: the deadline starts
          // before the request reaches this busy test process.)
          const sent = server.lastRequestAt as number;
          expect(result.endedAt - sent).toBeGreaterThan(TIMEOUT_MS / 2);
          expect(result.endedAt - sent).toBeLessThan(TIMEOUT_MS + 1000);
          expect(result.endedAt - run.startedAt).toBeLessThan(TIMEOUT_MS + 8000);
          if (mode === 'accept') expect(server.requests).toBe(1);
        } finally {
          await server.close();
        }
      }, 20_000);
    }
  }
});

describe('pull and remote ls stopped by a signal while the registry says nothing', () => {
  for (const [name, signal, code] of [
    ['pull', 'SIGINT', 130],
    ['remote ls', 'SIGTERM', 143],
  ] as const) {
    it(`${name}: ${signal} → exit ${code} at once, long before the (default 60 s) timeout`, async () => {
      const server = await startSilentServer('accept');
      try {
        const steps = commands.find(([n]) => n === name)?.[1];
        if (!steps) throw new Error(`no steps for ${name}`);
        const all = steps(server.url);
        for (const setup of all.slice(0, -1)) expect((await agentctl(setup, ws)).exitCode).toBe(0);
        const run = spawnUnderGc(all.at(-1) as string[], ws);
        const waiting = async () => {
          while (server.lastRequestAt === undefined) await new Promise((r) => setTimeout(r, 20));
          return true;
        };
        expect(await Promise.race([waiting(), run.done.then(() => false)]), 'the command ended before its request').toBe(true);
        const sentAt = performance.now();
        run.child.kill(signal);
        const result = await run.done;
        expect(result.exitCode, result.stderr).toBe(code);
        expect(result.endedAt - sentAt).toBeLessThan(1500);
        expect(result.stderr).toContain(`${name} stopped (${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'})`);
      } finally {
        await server.close();
      }
    }, 20_000);
  }
});

describe.skipIf(!hasRegistry)('a push stopped by a signal mid-upload', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(() => registry?.stop());

  const manifestStatus = (repository: string, tag: string) =>
    fetch(`http://${registry.host}/v2/${repository}/manifests/${tag}`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    }).then((r) => r.status);

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal}: exit ${code} at once, no tag on the registry, and the next push finishes it`, async () => {
      // One blob goes through, the next upload is held: the signal lands in the middle of the push.
      const proxy = await startProxy(registry.port, { holdUploadsAfter: 1 });
      const namespace = signal.toLowerCase();
      try {
        const run = spawnUnderGc(['push', 'triage@0.1.0', '--remote', `oci://${proxy.host}/${namespace}`], ws);
        const held = await Promise.race([proxy.held.then(() => true), run.done.then(() => false)]);
        expect(held, 'the push ended before an upload was held').toBe(true);
        const sentAt = performance.now();
        run.child.kill(signal);
        const result = await run.done;
        expect(result.exitCode, result.stderr).toBe(code);
        expect(result.endedAt - sentAt).toBeLessThan(1500);
        expect(result.stderr).toContain(`push stopped (${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'})`);
        expect(result.stderr).toContain('uploaded');
        // Neither the version tag nor the stage tag points at anything.
        expect(await manifestStatus(`${namespace}/triage`, '0.1.0')).toBe(404);
        expect(await manifestStatus(`${namespace}/triage`, 'canary')).toBe(404);

        const again = await agentctl(['push', 'triage@0.1.0', '--remote', `oci://${registry.host}/${namespace}`, '--json'], ws);
        expect(again.exitCode, again.stderr).toBe(0);
        const pushed = JSON.parse(again.stdout) as { manifest: string; blobs: { present: boolean }[] };
        expect(pushed.manifest).toBe('created');
        // It resumed: the blob uploaded before the signal was not uploaded again.
        expect(pushed.blobs.filter((b) => b.present).length).toBeGreaterThanOrEqual(1);
        expect(await manifestStatus(`${namespace}/triage`, '0.1.0')).toBe(200);
      } finally {
        await proxy.close();
      }
    }, 30_000);
  }
});
