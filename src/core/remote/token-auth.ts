/**
 * The OCI distribution token flow (distribution's docs/spec/auth/token.md and oauth.md): a registry
 * answers 401 with `WWW-Authenticate: Bearer realm=…,service=…,scope=…`; the client gets an access token
 * from the realm — POST with the OAuth2 grants `password` or `refresh_token`, or the legacy GET with
 * basic auth — and sends it as `Authorization: Bearer`. Tokens, passwords and refresh tokens are sent,
 * never put in an error: messages name the realm URL, the remote and the status only.
 */
import { EnvironmentError } from '../errors.js';
import { type AttemptOptions, fetchReply, type Reply } from './registry-http.js';

export interface Challenge {
  scheme: 'basic' | 'bearer';
  realm?: string | undefined;
  service?: string | undefined;
  scope?: string | undefined;
  /** `invalid_token`, `insufficient_scope`… when the registry refused a token it was sent. */
  error?: string | undefined;
}

/** Parses a `WWW-Authenticate` header (one challenge; quoted or bare parameter values). */
export function parseChallenge(header: string | null | undefined): Challenge | undefined {
  const match = /^\s*(basic|bearer)\b(.*)$/i.exec(header ?? '');
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const m of (match[2] ?? '').matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g)) {
    params[(m[1] ?? '').toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  }
  const scheme = (match[1] ?? '').toLowerCase() === 'basic' ? 'basic' : 'bearer';
  return { scheme, realm: params.realm, service: params.service, scope: params.scope, error: params.error };
}

export interface AccessToken {
  token: string;
  /** Epoch ms after which the token service said not to use it. */
  expiresAt: number;
  /** A new refresh token, when the service issued (or rotated) one. */
  refreshToken?: string | undefined;
}

export type Grant =
  /** OAuth2 `password` (a password or a personal access token), falling back to the legacy GET. */
  | { kind: 'password'; username: string; password: string; offline: boolean }
  | { kind: 'refresh'; refreshToken: string; username?: string | undefined }
  /** The legacy GET, with basic auth when a username is given (anonymous otherwise). */
  | { kind: 'basic'; username?: string | undefined; password?: string | undefined };

export interface TokenRequestOptions extends AttemptOptions {
  /** The remote's name as the user knows it, for "agentctl login <name>". */
  remoteName: string;
}

/** The spec's default when the service does not say (token.md: 60 s). */
const DEFAULT_EXPIRES_IN_S = 60;

/** Gets an access token for `scope` from the challenge's realm with `grant`. */
export async function fetchToken(challenge: Challenge, scope: string, grant: Grant, options: TokenRequestOptions): Promise<AccessToken> {
  const realm = challenge.realm;
  if (!realm)
    throw new EnvironmentError(`${options.remote} asked for a bearer token without saying where to get one (no realm)`, { code: 'registry-protocol' });
  if (grant.kind === 'basic') return legacy(realm, challenge, scope, grant, false, options);
  const form = new URLSearchParams({ grant_type: grant.kind === 'password' ? 'password' : 'refresh_token', client_id: 'agentctl' });
  if (challenge.service) form.set('service', challenge.service);
  for (const s of scope.split(' ').filter(Boolean)) form.append('scope', s);
  if (grant.kind === 'password') {
    form.set('username', grant.username);
    form.set('password', grant.password);
    if (grant.offline) form.set('access_type', 'offline');
  } else form.set('refresh_token', grant.refreshToken);
  const reply = await send(realm, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() }, options);
  // oauth.md: a server without the OAuth2 endpoint answers 404 (or 405); docker falls back to the GET.
  if ((reply.status === 404 || reply.status === 405) && grant.kind === 'password') return legacy(realm, challenge, scope, grant, grant.offline, options);
  return tokenFrom(reply, realm, grant, options);
}

async function legacy(
  realm: string,
  challenge: Challenge,
  scope: string,
  grant: Extract<Grant, { kind: 'basic' | 'password' }>,
  offline: boolean,
  options: TokenRequestOptions,
): Promise<AccessToken> {
  const query = new URLSearchParams({ client_id: 'agentctl' });
  if (challenge.service) query.set('service', challenge.service);
  for (const s of scope.split(' ').filter(Boolean)) query.append('scope', s);
  if (offline) query.set('offline_token', 'true');
  const headers: Record<string, string> =
    grant.username !== undefined ? { authorization: `Basic ${Buffer.from(`${grant.username}:${grant.password ?? ''}`).toString('base64')}` } : {};
  const reply = await send(`${realm}${realm.includes('?') ? '&' : '?'}${query}`, { headers }, options);
  return tokenFrom(reply, realm, grant, options);
}

/** One request to the token service; unreachable names the realm (not the registry). */
async function send(url: string, init: RequestInit, options: TokenRequestOptions): Promise<Reply> {
  try {
    return await fetchReply(url, init, options);
  } catch (error) {
    if (!(error instanceof EnvironmentError) || error.code !== 'remote-unreachable') throw error;
    const realm = url.split('?')[0] ?? url;
    throw new EnvironmentError(`cannot reach the token service at ${realm}, where ${options.remote} sends clients for access tokens`, {
      where: realm,
      fix: 'check that the token service is up and reachable from here, then run the command again (nothing was changed on the registry)',
      code: 'token-service-unreachable',
    });
  }
}

function tokenFrom(reply: Reply, realm: string, grant: Grant, options: TokenRequestOptions): AccessToken {
  if (reply.status >= 200 && reply.status < 300) {
    let body: { token?: string; access_token?: string; expires_in?: number; issued_at?: string; refresh_token?: string } = {};
    try {
      body = JSON.parse(reply.body.toString('utf8')) as typeof body;
    } catch {
      // not JSON: reported as no token below
    }
    const token = body.access_token ?? body.token;
    if (!token) throw new EnvironmentError(`the token service at ${realm} answered without a token`, { where: realm, code: 'registry-protocol' });
    const issued = body.issued_at ? Date.parse(body.issued_at) : Number.NaN;
    const start = Number.isFinite(issued) && Math.abs(issued - Date.now()) < 5 * 60_000 ? issued : Date.now();
    const seconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_EXPIRES_IN_S;
    return { token, expiresAt: start + seconds * 1000, refreshToken: body.refresh_token };
  }
  if (reply.status >= 500) {
    return fail(`the token service at ${realm} failed (${reply.status})`, realm, 'try again later; nothing was changed on the registry', 'token-service-error');
  }
  if (grant.kind === 'refresh') {
    return fail(
      `your login to ${options.remoteName} expired or was revoked (the token service at ${realm} answered ${reply.status})`,
      realm,
      `agentctl login ${options.remoteName}`,
      'login-expired',
    );
  }
  const who = grant.username !== undefined ? ` for ${grant.username}` : '';
  return fail(
    `the token service at ${realm} refused the credentials${who} (${reply.status})`,
    realm,
    `check the username and password or token, then agentctl login ${options.remoteName} (or set AGENTCTL_REMOTE_<NAME>_USER / _PASSWORD)`,
    'remote-auth',
  );
}

function fail(message: string, where: string, fix: string, code: string): never {
  throw new EnvironmentError(message, { where, fix, code });
}

/**
 * The claims of a JWT, decoded WITHOUT checking its signature: only for showing the user who they are
 * logged in as and until when. The registry is the one that verifies tokens.
 */
export function peekClaims(token: string): { sub?: string; exp?: number; iss?: string } {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: string; exp?: number };
  } catch {
    return {};
  }
}
