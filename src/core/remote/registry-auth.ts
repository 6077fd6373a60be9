/**
 * What a registry client sends as `Authorization`, and what it does after a 401: basic auth, a bearer
 * token given as it is, or access tokens from the registry's token service (token-auth.ts), cached per
 * scope until their `expires_in` and renewed before they run out — with the refresh token of
 * `agentctl login` when there is one, so a push that outlives an access token goes on without asking.
 */
import { EnvironmentError } from '../errors.js';
import { type AccessToken, type Challenge, fetchToken, type Grant, parseChallenge, type TokenRequestOptions } from './token-auth.js';

export interface Credentials {
  username?: string | undefined;
  password?: string | undefined;
  /** A bearer token used as it is (no challenge needed). */
  token?: string | undefined;
  /** The refresh token of `agentctl login`: access tokens come from the `refresh_token` grant. */
  refreshToken?: string | undefined;
  /** Called when the token service rotates the refresh token, so the stored login keeps working. */
  onRefreshToken?: ((refreshToken: string) => void) | undefined;
}

interface Cached extends AccessToken {
  /**
   * A quarter of its life (at most 10 s) before expiresAt: the registry checks the token when the
   * request arrives, so one sent in its last moments would be refused on a slow network.
   */
  useUntil: number;
}

export class RegistryAuth {
  private challenge: Challenge | undefined;
  private basic = false;
  private staticToken: string | undefined;
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly credentials: Credentials | undefined,
    private readonly context: { remote: string; remoteName: string; attempt: () => TokenRequestOptions; countRequest: () => void },
  ) {
    this.staticToken = credentials?.token;
  }

  /** The header for a request in `scope`; gets a new access token first when the cached one has run out. */
  async header(scope: string): Promise<Record<string, string>> {
    const c = this.credentials;
    if (this.basic && c?.username !== undefined) return { authorization: basic(c.username, c.password) };
    const cached = this.cache.get(scope);
    if (cached && Date.now() < cached.useUntil) return { authorization: `Bearer ${cached.token}` };
    // Once the registry has said where tokens come from, ask there before sending rather than after a 401.
    if (this.challenge?.scheme === 'bearer') return { authorization: `Bearer ${(await this.obtain(scope)).token}` };
    if (this.staticToken) return { authorization: `Bearer ${this.staticToken}` };
    return {};
  }

  /**
   * After a 401: learns the challenge, forgets the token that was refused (expired, revoked, or never
   * valid) and gets a new one, so the caller can send the request once more.
   */
  async unauthorized(header: string | null, scope: string): Promise<void> {
    const challenge = parseChallenge(header);
    const c = this.credentials;
    if (!challenge || (challenge.scheme === 'bearer' && !challenge.realm)) throw authRequired(this.context.remote);
    if (challenge.scheme === 'basic') {
      if (c?.username === undefined) throw authRequired(this.context.remote);
      this.basic = true;
      return;
    }
    this.challenge = challenge;
    this.staticToken = undefined;
    this.cache.delete(scope);
    await this.obtain(scope);
  }

  /** The error for a registry that refused the token it was just given (after unauthorized()). */
  refused(header: string | null, scope: string): EnvironmentError {
    const realm = this.challenge?.realm;
    if (!realm || parseChallenge(header)?.scheme !== 'bearer') return authRequired(this.context.remote);
    return tokenRefused(this.context.remote, this.context.remoteName, realm, header, scope);
  }

  private async obtain(scope: string): Promise<Cached> {
    const c = this.credentials;
    const challenge = this.challenge as Challenge;
    const grant: Grant = c?.refreshToken
      ? { kind: 'refresh', refreshToken: c.refreshToken, username: c.username }
      : { kind: 'basic', username: c?.username, password: c?.password };
    this.context.countRequest();
    // A request with no scope of its own (GET /v2/) asks for what the challenge named.
    const token = await fetchToken(challenge, scope || challenge.scope || '', grant, this.context.attempt());
    if (c && token.refreshToken && c.refreshToken && token.refreshToken !== c.refreshToken) {
      c.refreshToken = token.refreshToken;
      c.onRefreshToken?.(token.refreshToken);
    }
    const lifetime = Math.max(0, token.expiresAt - Date.now());
    const cached = { ...token, useUntil: token.expiresAt - Math.min(10_000, lifetime / 4) };
    this.cache.set(scope, cached);
    return cached;
  }
}

/** A registry that answered 401 to an access token just issued by `realm`: forged, expired, or too narrow. */
export function tokenRefused(remote: string, remoteName: string, realm: string, header: string | null, scope: string): EnvironmentError {
  const error = parseChallenge(header)?.error;
  if (error === 'insufficient_scope') {
    return new EnvironmentError(`the token service at ${realm} did not grant ${scope || 'the access asked for'} on ${remote}`, {
      where: realm,
      fix: `ask the registry's administrators for that access, or agentctl login ${remoteName} as a user who has it`,
      code: 'remote-forbidden',
    });
  }
  return new EnvironmentError(
    `the registry ${remote} refused the access token just issued by ${realm}${error ? ` (${error})` : ''}: it is expired, or not signed by a key the registry trusts`,
    {
      where: realm,
      fix: "check that the registry's auth.token issuer, service and rootcertbundle match the token service and that both clocks are right, then run the command again",
      code: 'token-rejected',
    },
  );
}

function basic(username: string, password: string | undefined): string {
  return `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
}

function authRequired(url: string): EnvironmentError {
  return new EnvironmentError(`${url} requires credentials`, {
    fix: 'agentctl login <remote>, or set AGENTCTL_REGISTRY_USER and AGENTCTL_REGISTRY_PASSWORD, or add them to the credentials file (agentctl remote add --help)',
    code: 'remote-auth',
  });
}
