/**
 * `agentctl login` / `logout`: trade a password (or a personal access token) for an OAuth2 refresh
 * token once, check that the registry accepts the access token that came with it, and keep only the
 * refresh token (credential-store.ts). Logging out forgets it here; the distribution token spec has no
 * revocation endpoint, so a copy taken elsewhere stays valid until the token service's administrators
 * revoke it, and access tokens already issued until their `exp` (minutes).
 */
import { EnvironmentError, UsageError } from '../errors.js';
import { loginPath, removeLogin, saveLogin } from './credential-store.js';
import { tokenRefused } from './registry-auth.js';
import { DEFAULT_REGISTRY_TIMEOUT_MS, fetchReply } from './registry-http.js';
import { fetchToken, parseChallenge, peekClaims } from './token-auth.js';
import type { RemoteLocation } from './url.js';

export interface LoginRequest {
  name: string;
  location: RemoteLocation;
  username: string;
  /** A password or a personal access token; sent to the token service once, never stored. */
  secret: string;
  env: NodeJS.ProcessEnv;
  /** The workspace, if any: the login is never stored inside it. */
  workspaceRoot?: string | undefined;
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** What login tells the user: who, where, until when. Holds no secret, so it can be printed as it is. */
export interface LoginResult {
  remote: string;
  host: string;
  username: string;
  /** The subject the token service put in the access token (usually the username). */
  subject: string;
  realm: string;
  accessTokenExpiresAt: string;
  credentialFile: string;
}

export async function login(request: LoginRequest): Promise<LoginResult> {
  const { name, location } = request;
  if (location.kind !== 'registry') throw new UsageError(`${name} is an OCI image layout on disk: there is nothing to log in to`, { code: 'login-not-needed' });
  const attempt = { timeoutMs: request.timeoutMs ?? DEFAULT_REGISTRY_TIMEOUT_MS, signal: request.signal, remote: location.url };
  const probe = await fetchReply(`${location.base}/v2/`, { method: 'GET' }, attempt);
  if (probe.status !== 401) {
    throw new UsageError(`${location.url} answered ${probe.status} without credentials: it does not ask for a login`, {
      fix: 'push and pull need no login there',
      code: 'login-not-needed',
    });
  }
  const challenge = parseChallenge(probe.headers.get('www-authenticate'));
  if (!challenge?.realm || challenge.scheme !== 'bearer') {
    throw new UsageError(`${location.url} uses basic auth, not a token service: agentctl keeps no passwords, so there is no login to store`, {
      fix: `set AGENTCTL_REMOTE_${envKey(name)}_USER and _PASSWORD, or add them to $XDG_CONFIG_HOME/agentctl/credentials.yaml`,
      code: 'login-not-supported',
    });
  }
  const realm = challenge.realm;
  const issued = await fetchToken(
    challenge,
    challenge.scope ?? '',
    { kind: 'password', username: request.username, password: request.secret, offline: true },
    {
      ...attempt,
      remoteName: name,
    },
  );
  if (!issued.refreshToken) {
    throw new EnvironmentError(
      `the token service at ${realm} issued no refresh token, so there is nothing to keep but the password — which agentctl does not store`,
      {
        where: realm,
        fix: `set AGENTCTL_REMOTE_${envKey(name)}_USER and _PASSWORD for this remote instead`,
        code: 'login-not-supported',
      },
    );
  }
  // The registry, not us, verifies the token (signature, issuer, audience, expiry): ask it once now so a
  // misconfigured token service fails at login rather than in the middle of the first push.
  const check = await fetchReply(`${location.base}/v2/`, { method: 'GET', headers: { authorization: `Bearer ${issued.token}` } }, attempt);
  if (check.status === 401) throw tokenRefused(location.url, name, realm, check.headers.get('www-authenticate'), '');
  const credentialFile = saveLogin(
    {
      host: location.host,
      remote: name,
      username: request.username,
      realm,
      service: challenge.service,
      refreshToken: issued.refreshToken,
      savedAt: new Date().toISOString(),
    },
    request.env,
    request.workspaceRoot,
  );
  const claims = peekClaims(issued.token);
  return {
    remote: name,
    host: location.host,
    username: request.username,
    subject: claims.sub ?? request.username,
    realm,
    accessTokenExpiresAt: new Date(issued.expiresAt).toISOString(),
    credentialFile,
  };
}

/** Forgets the login for the remote's host; `removed` is false when there was none. */
export function logout(name: string, location: RemoteLocation, env: NodeJS.ProcessEnv): { remote: string; removed: boolean; credentialFile?: string } {
  if (location.kind !== 'registry') return { remote: name, removed: false };
  const credentialFile = loginPath(location.host, env);
  return { remote: name, removed: removeLogin(location.host, env), credentialFile };
}

/** The NAME in AGENTCTL_REMOTE_<NAME>_*, as open.ts reads it. */
export function envKey(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}
