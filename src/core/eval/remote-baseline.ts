/**
 * A baseline on a remote (`<remote>/<name>@prod`): CI has a workspace but no registry.db, so the version
 * that holds the stage on the team's remote is pulled — every digest checked and its signature verified
 * against trusted keys — into the local registry, and compared with like any local baseline.
 */
import { AgentctlError, UsageError } from '../errors.js';
import type { Actor, Registry } from '../registry/registry.js';
import { isStage } from '../registry/stages.js';
import { openRemote } from '../remote/open.js';
import { pullVersion } from '../remote/pull.js';
import { ownPublicKeys } from '../remote/sign.js';
import { parseRemoteRef } from '../remote/url.js';
import { isExactVersion } from '../spec/refs.js';
import { acceptedSigners } from '../trust/trust-file.js';
import type { Workspace } from '../workspace/workspace.js';

export interface RemoteBaselineOptions {
  workspace: Workspace;
  registry: Registry;
  actor: Actor;
  env?: NodeJS.ProcessEnv | undefined;
  signal?: AbortSignal | undefined;
}

/** Remote refs have a `/` (`team/triage@prod`); local names are DNS labels and never do. */
export function isRemoteRef(ref: string): boolean {
  return ref.includes('/');
}

/**
 * The local ref (`name@version`) of the remote baseline, after pulling it; or `none` with the reason when
 * nothing holds that stage on the remote yet (a first release has nothing to compare with). `*` as the
 * name stands for the agent being evaluated, so `eval --all --baseline team/*@prod` gives each its own.
 */
export async function pullRemoteBaseline(
  ref: string,
  agent: string,
  options: RemoteBaselineOptions,
): Promise<{ ref: string; none?: undefined } | { ref?: undefined; none: string }> {
  const parsed = parseRemoteRef(ref);
  const name = parsed.name === '*' ? agent : parsed.name;
  const version = parsed.version ?? 'prod';
  if (!parsed.remote || (!isStage(version) && !isExactVersion(version))) {
    throw new UsageError(`"${ref}" is not a remote baseline`, { fix: `--baseline <remote>/${agent}@prod (a remote name from .agentctl/config.yaml)` });
  }
  if (name !== agent) throw new UsageError(`the baseline ${ref} is not a version of ${agent}`, { fix: `--baseline ${parsed.remote}/${agent}@prod` });
  const { workspace, registry } = options;
  const env = options.env ?? process.env;
  const remote = openRemote(parsed.remote, workspace.config, workspace.root, env, workspace.root, { signal: options.signal });
  try {
    const pulled = await pullVersion({
      registry,
      target: remote.target,
      repository: remote.repository(name),
      remoteName: parsed.remote,
      name,
      version,
      verify: true,
      trustedKeys: acceptedSigners(workspace.stateDir, workspace.config.trustedKeys, ownPublicKeys(env)),
      actor: options.actor,
      signal: options.signal,
    });
    return { ref: pulled.ref };
  } catch (error) {
    if (error instanceof AgentctlError && error.code === 'not-found') return { none: `nothing holds ${version} of ${name} on ${parsed.remote} yet` };
    throw error;
  }
}
