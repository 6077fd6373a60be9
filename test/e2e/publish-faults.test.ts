/** The registry stopped mid-push, and tampered storage, against the real distribution registry. */

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../src/core/errors.js';
import { Registry } from '../../src/core/registry/registry.js';
import { pullVersion } from '../../src/core/remote/pull.js';
import { pushVersion } from '../../src/core/remote/push.js';
import { RegistryTarget } from '../../src/core/remote/registry-client.js';
import { parseRemoteUrl } from '../../src/core/remote/url.js';
import { hasRegistry, type RunningRegistry, startRegistry } from '../support/oci-registry.js';
import { publishable } from '../support/published.js';
import { scaffoldWorkspace, tempDir } from '../support/workspace.js';

function published(root: string) {
  return publishable(root);
}

describe.skipIf(!hasRegistry)('registry faults', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(() => registry?.stop());

  it('registry stopped mid-push: no tag points at partial content, and the retry resumes', async () => {
    const root = scaffoldWorkspace('main-sub');
    // A large knowledge file, uploaded in chunks, so the stop lands in the middle of the push.
    writeFileSync(join(root, 'agents/triage/prompts/v1/system.md'), `${'Long prompt line.\n'.repeat(40_000)}`);
    const { registry: db, key, policies } = published(root);
    const location = parseRemoteUrl(registry.url, root);
    const target = () => new RegistryTarget(location as Extract<typeof location, { kind: 'registry' }>, { chunkBytes: 64 * 1024, retries: 1, backoffMs: 50 });
    let uploads = 0;
    const first = pushVersion({
      registry: db,
      target: target(),
      repository: 'agents/triage',
      ref: 'triage@0.1.0',
      policies,
      defaultPolicy: 'default',
      key,
      onStep: (line) => {
        if (line.startsWith('uploaded') && ++uploads === 3) void registry.stop();
      },
    });
    await expect(first).rejects.toBeInstanceOf(EnvironmentError);
    await registry.start();
    expect(await fetch(`http://${registry.host}/v2/agents/triage/manifests/0.1.0`).then((r) => r.status)).toBe(404);

    const retry = target();
    const result = await pushVersion({
      registry: db,
      target: retry,
      repository: 'agents/triage',
      ref: 'triage@0.1.0',
      policies,
      defaultPolicy: 'default',
      key,
    });
    expect(result.manifest).toBe('created');
    expect(result.blobs.filter((b) => b.present).length).toBeGreaterThanOrEqual(2);
    const head = await fetch(`http://${registry.host}/v2/agents/triage/manifests/0.1.0`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(head.headers.get('docker-content-digest')).toBe(result.manifestDigest);
    db.close();
  });

  it('a blob tampered with in the registry storage fails the pull, and nothing is registered', async () => {
    const root = scaffoldWorkspace('main-sub');
    const { registry: db, key, policies } = published(root);
    const location = parseRemoteUrl(registry.url.replace('/agents', '/tamper'), root) as Extract<ReturnType<typeof parseRemoteUrl>, { kind: 'registry' }>;
    await pushVersion({
      registry: db,
      target: new RegistryTarget(location),
      repository: 'tamper/triage',
      ref: 'triage@0.1.0',
      policies,
      defaultPolicy: 'default',
      key,
    });
    db.close();
    // Find the prompt's data file in the registry's own storage and change it.
    const blobs = join(registry.storage, 'docker/registry/v2/blobs/sha256');
    const data = readdirSync(blobs)
      .flatMap((p) => readdirSync(join(blobs, p)).map((h) => join(blobs, p, h, 'data')))
      .find((f) => existsSync(f) && readFileSync(f, 'utf8').includes('You are triage,'));
    expect(data).toBeDefined();
    writeFileSync(data as string, 'You are evil.\n');

    const other = Registry.open({ registryPath: join(tempDir(), 'registry.db'), blobsDir: join(tempDir(), 'blobs') });
    const pull = pullVersion({
      registry: other,
      target: new RegistryTarget(location),
      repository: 'tamper/triage',
      name: 'triage',
      version: '0.1.0',
      verify: false,
      trustedKeys: {},
      remoteName: 'tamper',
      actor: { user: 'bob', team: 'team-ops' },
    });
    await expect(pull).rejects.toThrow(/does not match its digest/);
    expect(other.list()).toEqual([]);
    other.close();
  });
});
