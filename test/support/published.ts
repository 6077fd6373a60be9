/** A main-sub workspace whose triage@0.1.0 is registered and active in dev (dependencies first), with a signing key: ready to push. */
import { join } from 'node:path';
import { promoteDependencies } from '../../src/core/registry/promote-deps.js';
import { registerSpecs } from '../../src/core/registry/register-specs.js';
import { Registry } from '../../src/core/registry/registry.js';
import { generateKey, loadKey } from '../../src/core/remote/sign.js';
import { workspacePolicies } from '../../src/core/spec/validate.js';
import { openWorkspace } from '../../src/core/workspace/open.js';

export function publishable(root: string) {
  const env = { XDG_CONFIG_HOME: join(root, '.xdg'), XDG_CACHE_HOME: join(root, '.xdg-cache') };
  const workspace = openWorkspace(root, {}, env);
  const registry = Registry.open(workspace);
  const actor = { user: 'alice', team: 'team-qa' };
  registerSpecs(workspace, registry, root, ['agents/triage'], actor);
  // Dependencies follow their stage: the sub-agents and the tool take dev first.
  promoteDependencies(registry, registry.resolve('triage@0.1.0'), 'dev', actor, null, () => {});
  registry.transition('triage@0.1.0', { action: 'promote', to: 'dev' }, actor, null);
  generateKey('default', env);
  return { root, registry, workspace, key: loadKey('default', env), policies: workspacePolicies(root, root) };
}
