// The publishing bench (part of npm run bench): push a version whose sample set has 1,000 samples to a
// real local distribution registry, push it again, pull and verify it; against a floor of uploading the
// same bytes as one bare blob (POST + PUT) to the same registry, paired push by push.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  generateKey,
  loadKey,
  openWorkspace,
  parseRemoteUrl,
  pullVersion,
  pushVersion,
  Registry,
  RegistryTarget,
  registerSpecs,
  sha256,
  workspacePolicies,
} from '../dist/core/index.js';
import { makeEvalWorkspace } from './bench-eval.mjs';
import { paired } from './bench-lib.mjs';

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

export async function benchPublish(dir) {
  if (spawnSync('docker-registry', ['--version']).status !== 0) {
    console.error('(docker-registry not installed: the publishing bench is skipped; apt-get install -y docker-registry)');
    return undefined;
  }
  const port = await freePort();
  mkdirSync(join(dir, 'registry'), { recursive: true });
  const config = join(dir, 'registry/config.yml');
  writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'registry/storage')}\nhttp:\n  addr: 127.0.0.1:${port}\n`,
  );
  const server = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 200; i++) {
      if (
        (await fetch(`http://127.0.0.1:${port}/v2/`).then(
          (r) => r.status,
          () => 0,
        )) === 200
      )
        break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const ws = join(dir, 'ws');
    makeEvalWorkspace(ws);
    const env = { XDG_CONFIG_HOME: join(dir, '.config') };
    const workspace = openWorkspace(ws, {}, env);
    const registry = Registry.open(workspace);
    const actor = { user: 'bench', team: 'team-bench' };
    registerSpecs(workspace, registry, ws, ['agents/echo'], actor);
    registry.transition('echo@1.0.0', { action: 'promote', to: 'dev' }, actor, null);
    generateKey('bench', env);
    const key = loadKey('bench', env);
    const location = parseRemoteUrl(`oci://127.0.0.1:${port}/bench`, ws);
    const options = { registry, repository: 'bench/echo', ref: 'echo@1.0.0', policies: workspacePolicies(ws, ws), defaultPolicy: undefined, key };

    // Floor: the bundle's bytes as one bare blob upload. Paired with the push (A B A B …), each pair
    // into fresh repositories, so a registry that slows down mid-bench moves both sides alike.
    const bytes = Buffer.from(
      JSON.stringify(registry.bundleOf('echo', '1.0.0')) + registry.blobs.get(registry.bundleOf('echo', '1.0.0').files[0].digest).toString(),
    );
    let pair = 0;
    const floor = async () => {
      const started = performance.now();
      const post = await fetch(`http://127.0.0.1:${port}/v2/bench/floor-${pair}/blobs/uploads/`, { method: 'POST' });
      const location0 = post.headers.get('location');
      await fetch(`${location0.startsWith('http') ? location0 : `http://127.0.0.1:${port}${location0}`}&digest=${encodeURIComponent(sha256(bytes))}`, {
        method: 'PUT',
        body: bytes,
      });
      return performance.now() - started;
    };
    let first;
    const push = async () => {
      pair++;
      const started = performance.now();
      first = await pushVersion({ ...options, repository: `bench/echo-${pair}`, target: new RegistryTarget(location) });
      return performance.now() - started;
    };
    const pushed = await paired(push, floor);
    const floorMs = pushed.b.ms;
    const again = new RegistryTarget(location);
    let started = performance.now();
    const second = await pushVersion({ ...options, repository: `bench/echo-${pair}`, target: again });
    const repushMs = performance.now() - started;

    const other = Registry.open({ registryPath: join(dir, 'other.db'), blobsDir: join(dir, 'other-blobs') });
    started = performance.now();
    const pulled = await pullVersion({
      registry: other,
      target: new RegistryTarget(location),
      repository: `bench/echo-${pair}`,
      remoteName: 'bench',
      name: 'echo',
      version: '1.0.0',
      verify: true,
      trustedKeys: { bench: key.publicKeyPem },
      actor: { user: 'b', team: 't' },
    });
    const pullMs = performance.now() - started;
    registry.close();
    other.close();
    return {
      floorMs,
      bytes: bytes.length,
      pushed,
      pushUploads: first.uploads,
      pushBytes: first.uploadedBytes,
      repushMs,
      repushRequests: second.requests,
      repushUploads: second.uploads,
      pullMs,
      verified: pulled.verification?.valid === true,
    };
  } finally {
    server.kill('SIGKILL');
  }
}
