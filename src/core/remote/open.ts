/** Opening a remote by name (from config) or URL, with credentials from env or the credentials file. */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseDocument } from 'yaml';
import { CheckFailedError, UsageError } from '../errors.js';
import { didYouMean } from '../spec/diagnostics.js';
import { dnsLabel } from '../spec/schema.js';
import { type ResolvedConfig, userConfigPath } from '../workspace/config.js';
import { loadLogin, saveLogin } from './credential-store.js';
import { LayoutTarget } from './layout.js';
import { type Credentials, RegistryTarget } from './registry-client.js';
import type { Target } from './target.js';
import { parseRemoteUrl, type RemoteLocation, repositoryOf } from './url.js';

export interface OpenRemote {
  name: string;
  location: RemoteLocation;
  target: Target;
  repository(agent: string): string;
}

/**
 * `root` anchors relative file:// paths of configured remotes (file://./.agentctl/oci means the
 * workspace's, from any folder in it); a URL typed on the command line is relative to `cwd`.
 */
export function openRemote(
  nameOrUrl: string | undefined,
  config: ResolvedConfig,
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
  root = cwd,
  options: { signal?: AbortSignal | undefined } = {},
): OpenRemote {
  const { name, location } = resolveRemote(nameOrUrl, config, cwd, root);
  const target =
    location.kind === 'layout'
      ? new LayoutTarget(location.dir)
      : new RegistryTarget(location, {
          credentials: credentialsFor(name, location.host, env),
          timeoutMs: registryTimeoutMs(env),
          signal: options.signal,
          name,
        });
  return { name, location, target, repository: (agent) => repositoryOf(location, agent) };
}

/** The remote's name (as given, or the default remote) and where it points, without opening it. */
export function resolveRemote(nameOrUrl: string | undefined, config: ResolvedConfig, cwd: string, root = cwd): { name: string; location: RemoteLocation } {
  const name = nameOrUrl ?? config.defaultRemote;
  if (!name) throw noRemote(config);
  const url = name.includes('://') ? name : config.remotes[name];
  if (!url) {
    const suggestion = didYouMean(name, Object.keys(config.remotes));
    throw new UsageError(`no remote named "${name}"${suggestion ? ` — did you mean "${suggestion}"?` : ''}`, {
      fix: Object.keys(config.remotes).length ? `use one of: ${Object.keys(config.remotes).join(', ')}` : `agentctl remote add ${name} oci://host/repo`,
      code: 'unknown-remote',
    });
  }
  return { name, location: parseRemoteUrl(url, name.includes('://') ? cwd : root) };
}

/**
 * No --remote and no defaultRemote: the refusal lists the remotes that are configured (name and URL) and
 * gives the command with the first one, or how to add one when there are none.
 */
export function noRemote(config: Pick<ResolvedConfig, 'remotes'>, command = 'agentctl push <ref>'): UsageError {
  const remotes = Object.entries(config.remotes);
  const first = remotes[0];
  if (!first)
    return new UsageError('no remote given, and none is configured', {
      fix: 'agentctl remote add local file://./.agentctl/oci (an OCI image layout in the workspace), or agentctl remote add team oci://host/repo',
      code: 'no-remote',
    });
  return new UsageError(`no remote given and no defaultRemote configured; configured remotes: ${remotes.map(([n, url]) => `${n} (${url})`).join(', ')}`, {
    fix: `${command} --remote ${first[0]} (or set defaultRemote: ${first[0]} in .agentctl/config.yaml)`,
    code: 'no-remote',
  });
}

/** AGENTCTL_REGISTRY_TIMEOUT_MS: how long one registry request may go unanswered (default 60 s). */
export function registryTimeoutMs(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.AGENTCTL_REGISTRY_TIMEOUT_MS?.trim();
  if (!raw) return undefined;
  // setTimeout fires at once above 2^31-1 ms: cap at 24 h like every other duration.
  if (!/^\d+$/.test(raw) || Number(raw) <= 0 || Number(raw) > 86_400_000) {
    throw new UsageError(`AGENTCTL_REGISTRY_TIMEOUT_MS is "${raw}", not a number of milliseconds`, {
      fix: 'set it to a whole number of milliseconds up to 86400000 (24 h), e.g. AGENTCTL_REGISTRY_TIMEOUT_MS=120000, or unset it for the default (60000)',
      code: 'bad-env',
    });
  }
  return Number(raw);
}

/**
 * AGENTCTL_REMOTE_<NAME>_USER/PASSWORD/TOKEN, then AGENTCTL_REGISTRY_*, then the login of `agentctl
 * login` for the host, then the credentials file.
 */
export function credentialsFor(name: string, host: string, env: NodeJS.ProcessEnv): Credentials | undefined {
  const key = name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  const fromEnv = (suffix: string) => env[`AGENTCTL_REMOTE_${key}_${suffix}`] || env[`AGENTCTL_REGISTRY_${suffix}`] || undefined;
  const username = fromEnv('USER');
  const token = fromEnv('TOKEN');
  if (username !== undefined || token !== undefined) return { username, password: fromEnv('PASSWORD'), token };
  const login = loadLogin(host, env);
  if (login) {
    return {
      username: login.username,
      refreshToken: login.refreshToken,
      // A token service that rotates refresh tokens invalidates the old one: keep the new one.
      onRefreshToken: (refreshToken) => saveLogin({ ...login, refreshToken, savedAt: new Date().toISOString() }, env),
    };
  }
  const file = join(dirname(userConfigPath(env)), 'credentials.yaml');
  if (!existsSync(file)) return undefined;
  const all = (parseDocument(readFileSync(file, 'utf8')).toJS() ?? {}) as Record<string, Credentials>;
  return all[name] ?? all[host];
}

/** Adds a remote to the workspace config, keeping the file's comments and layout. */
export function addRemote(configPath: string, name: string, url: string, cwd: string, force = false): RemoteLocation {
  if (!dnsLabel.safeParse(name).success) throw new UsageError(`invalid remote name "${name}"`, { fix: 'use lowercase letters, digits and "-"' });
  const location = parseRemoteUrl(url, cwd);
  const doc = parseDocument(existsSync(configPath) ? readFileSync(configPath, 'utf8') : '');
  const current = doc.getIn(['remotes', name]);
  if (current !== undefined && current !== url && !force) {
    throw new CheckFailedError(`the remote "${name}" already points at ${String(current)}`, {
      fix: `pass --force to point it at ${url}`,
      code: 'remote-exists',
    });
  }
  doc.setIn(['remotes', name], url);
  const temp = `${configPath}.${process.pid}.tmp`;
  writeFileSync(temp, doc.toString());
  renameSync(temp, configPath);
  return location;
}

export function removeRemote(configPath: string, name: string): void {
  const doc = parseDocument(readFileSync(configPath, 'utf8'));
  if (!doc.hasIn(['remotes', name])) throw new UsageError(`no remote named "${name}"`, { fix: 'agentctl remote ls' });
  doc.deleteIn(['remotes', name]);
  if (doc.get('defaultRemote') === name) doc.delete('defaultRemote');
  const temp = `${configPath}.${process.pid}.tmp`;
  writeFileSync(temp, doc.toString());
  renameSync(temp, configPath);
}
