/** push under a cancel: against an OCI image layout (no network to abort), the push's own checks keep tags out. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaffoldWorkspace } from '../../../test/support/workspace.js';
import { promoteDependencies } from '../registry/promote-deps.js';
import { registerSpecs } from '../registry/register-specs.js';
import { Registry } from '../registry/registry.js';
import { CancelledError } from '../session/cancel.js';
import { workspacePolicies } from '../spec/validate.js';
import { openWorkspace } from '../workspace/open.js';
import { LayoutTarget } from './layout.js';
import { pushVersion } from './push.js';
import { generateKey, loadKey } from './sign.js';

function published() {
  const root = scaffoldWorkspace('main-sub');
  const env = { XDG_CONFIG_HOME: join(root, '.xdg') };
  const workspace = openWorkspace(root, {}, env);
  const registry = Registry.open(workspace);
  const actor = { user: 'alice', team: 'team-qa' };
  registerSpecs(workspace, registry, root, ['agents/triage'], actor);
  // Dependencies follow their stage: the sub-agents and the tool take dev first.
  promoteDependencies(registry, registry.resolve('triage@0.1.0'), 'dev', actor, null, () => {});
  registry.transition('triage@0.1.0', { action: 'promote', to: 'dev' }, actor, null);
  generateKey('default', env);
  return { root, registry, key: loadKey('default', env), policies: workspacePolicies(root, root) };
}

describe('a cancelled push', () => {
  it('writes no tag after the cancel, and the next push resumes from the blobs already there', async () => {
    const { root, registry, key, policies } = published();
    const target = new LayoutTarget(join(root, 'oci'));
    const controller = new AbortController();
    const base = { registry, target, repository: 'triage', ref: 'triage@0.1.0', policies, defaultPolicy: 'default', key };
    let uploads = 0;
    const first = pushVersion({
      ...base,
      signal: controller.signal,
      onStep: (line) => {
        if (line.startsWith('uploaded') && ++uploads === 2) controller.abort(new CancelledError('SIGINT'));
      },
    });
    await expect(first).rejects.toBeInstanceOf(CancelledError);
    expect(uploads).toBe(2);
    expect(await target.resolveTag('triage', '0.1.0')).toBeUndefined();
    expect(await target.resolveTag('triage', 'dev')).toBeUndefined();

    const again = await pushVersion(base);
    expect(again.manifest).toBe('created');
    expect(again.blobs.filter((b) => b.present)).toHaveLength(2);
    expect(await target.resolveTag('triage', '0.1.0')).toBe(again.manifestDigest);
    registry.close();
  });
});
