/**
 * Pushing a registered version to a remote, as `push` and `release` both do it: the remote by name (or
 * the default one), the signing key, the workspace's policies for the push's own gate check.
 */
import type { Registry } from '../registry/registry.js';
import { noRemote, openRemote } from '../remote/open.js';
import { type PushResult, pushVersion } from '../remote/push.js';
import { loadKey } from '../remote/sign.js';
import { workspacePolicies } from '../spec/validate.js';
import type { Workspace } from '../workspace/workspace.js';

export interface PublishRequest {
  registry: Registry;
  workspace: Workspace;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** A registered ref (name@version or name@stage). */
  ref: string;
  /** The remote's name or URL; the workspace's defaultRemote when absent. */
  remote?: string | undefined;
  /** The signing key's name; the configured one when absent. */
  key?: string | undefined;
  dryRun?: boolean | undefined;
  onStep?: ((line: string) => void) | undefined;
  signal?: AbortSignal | undefined;
}

/** The remote a push would go to, or undefined when neither --remote nor defaultRemote names one. */
export function publishRemote(workspace: Workspace, remote: string | undefined): string | undefined {
  return remote ?? workspace.config.defaultRemote;
}

export async function publishVersion(request: PublishRequest): Promise<PushResult & { remote: string }> {
  const { registry, workspace } = request;
  const row = registry.resolve(request.ref);
  const exact = `${row.name}@${row.version}`;
  if (!publishRemote(workspace, request.remote)) throw noRemote(workspace.config, `agentctl push ${exact}`);
  const remote = openRemote(request.remote, workspace.config, request.cwd, request.env, workspace.root, { signal: request.signal });
  const result = await pushVersion({
    registry,
    target: remote.target,
    repository: remote.repository(row.name),
    ref: exact,
    policies: workspacePolicies(workspace.root, request.cwd),
    defaultPolicy: workspace.config.defaultPolicy,
    key: loadKey(request.key ?? workspace.config.signingKey, request.env),
    source: workspace.config.source,
    dryRun: request.dryRun,
    onStep: request.onStep,
    signal: request.signal,
  });
  return { remote: remote.name, ...result };
}

/** Why a push to `remote` could not be signed (no key), checked before anything moves; undefined when it can, or there is no remote. */
export function signingKeyProblem(workspace: Workspace, remote: string | undefined, env: NodeJS.ProcessEnv, key?: string): unknown {
  if (!publishRemote(workspace, remote)) return undefined;
  try {
    loadKey(key ?? workspace.config.signingKey, env);
    return undefined;
  } catch (error) {
    return error;
  }
}
