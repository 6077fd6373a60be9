/**
 * A token service for the real CNCF registry (distribution's `auth.token`), written here because the
 * registry ships none: it issues RS256 JWT access tokens for the OAuth2 grants `password` and
 * `refresh_token` (POST, `oauth.md`) and for the legacy GET with basic auth (`token.md`), and it can be
 * made to misbehave — short-lived or stale access tokens, tokens signed by another key, revoked refresh
 * tokens, being down.
 *
 * The certificate for the registry's `rootcertbundle` is made by the `openssl` command line from a key
 * node generated (node:crypto can sign but cannot build an X.509 certificate); the tests need openssl,
 * which every CI image has.
 */
import { execFileSync } from 'node:child_process';
import { createSign, generateKeyPairSync, type KeyObject, randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './workspace.js';

export const TOKEN_SERVICE = 'agentctl-test-registry';
export const TOKEN_ISSUER = 'agentctl-test-token-server';

export interface Grant {
  method: 'GET' | 'POST';
  grantType: string;
  scope: string;
  status: number;
  accessToken?: string;
}

export interface TokenServer {
  /** The realm the registry sends clients to. */
  realm: string;
  /** PEM file for the registry's `rootcertbundle`. */
  certPath: string;
  grants: Grant[];
  /** Access-token lifetime, seconds, as the registry sees it (exp claim) and as told (expires_in). */
  accessTtl: number;
  /** What `expires_in` says; defaults to accessTtl. Telling more than the truth makes the registry answer 401 first. */
  claimedTtl: number | undefined;
  /** Sign access tokens with a key the registry does not trust (the certificate stays the trusted one). */
  tamper: boolean;
  /** Answer the POST flow with 404 and issue no refresh tokens, as a legacy-only token server does. */
  legacyOnly: boolean;
  /** Every refresh token ever issued, in order. */
  refreshTokens: string[];
  revoke(refreshToken: string): void;
  /** Stops listening: the token service is down (the realm refuses connections). */
  stop(): Promise<void>;
}

/** The registry accepts a token for 60 s after its `exp` (distribution's Leeway); subtracted so `accessTtl` is what it honours. */
const REGISTRY_LEEWAY_S = 60;

export async function startTokenServer(options: { users: Record<string, string> }): Promise<TokenServer> {
  const dir = tempDir('agentctl-token-');
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  writeFileSync(keyPath, key.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  execFileSync('openssl', ['req', '-x509', '-new', '-key', keyPath, '-out', certPath, '-days', '2', '-subj', `/CN=${TOKEN_ISSUER}`], { stdio: 'ignore' });
  // The registry (distribution 2.8) finds the signing key through the `x5c` header: the chain is checked
  // against rootcertbundle. A `kid` would have to be libtrust's fingerprint of the key, which nothing
  // outside Go computes; x5c works with 2.x and 3.x alike.
  const x5c = [new X509Certificate(readFileSync(certPath)).raw.toString('base64')];
  const live = new Map<string, string>(); // refresh token → username
  const state: TokenServer = {
    realm: '',
    certPath,
    grants: [],
    accessTtl: 300,
    claimedTtl: undefined,
    tamper: false,
    legacyOnly: false,
    refreshTokens: [],
    revoke: (token) => {
      live.delete(token);
    },
    stop: async () => {},
  };

  const accessToken = (subject: string, scope: string): string => {
    // exp counts in whole seconds: round up, so the registry honours the token at least accessTtl.
    const now = Math.ceil(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c };
    const claims = {
      iss: TOKEN_ISSUER,
      sub: subject,
      aud: TOKEN_SERVICE,
      iat: now,
      nbf: now - 1,
      exp: now + state.accessTtl - REGISTRY_LEEWAY_S,
      jti: randomBytes(8).toString('hex'),
      access: accessOf(scope),
    };
    const signed = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;
    return `${signed}.${sign(signed, state.tamper ? otherKey : key)}`;
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const form = req.method === 'POST' ? new URLSearchParams(await text(req)) : url.searchParams;
    const grantType = req.method === 'POST' ? (form.get('grant_type') ?? '') : 'basic';
    const scope = form.getAll('scope').join(' ');
    const answer = (status: number, body: Record<string, unknown>) => {
      state.grants.push({ method: req.method as 'GET' | 'POST', grantType, scope, status, accessToken: body.access_token as string | undefined });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname !== '/token') return answer(404, { error: 'not_found' });
    if (req.method === 'POST' && state.legacyOnly) return answer(404, { error: 'not_found' });
    if (form.get('service') !== TOKEN_SERVICE) return answer(400, { error: 'invalid_request', error_description: 'unknown service' });

    let subject: string | undefined;
    if (grantType === 'password') subject = check(options.users, form.get('username'), form.get('password'));
    else if (grantType === 'refresh_token') {
      subject = live.get(form.get('refresh_token') ?? '');
      if (!subject) return answer(400, { error: 'invalid_grant', error_description: 'refresh token revoked or unknown' });
    } else if (grantType === 'basic') {
      const [user, password] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
        .toString('utf8')
        .split(':');
      subject = check(options.users, user ?? null, password ?? null);
    } else return answer(400, { error: 'unsupported_grant_type' });
    if (!subject) return answer(401, { error: 'invalid_grant', error_description: 'wrong username or password' });

    const offline = form.get('access_type') === 'offline' || form.get('offline_token') === 'true';
    let refresh: string | undefined;
    if (offline && grantType !== 'refresh_token' && !state.legacyOnly) {
      refresh = `rt-${randomBytes(24).toString('hex')}`;
      live.set(refresh, subject);
      state.refreshTokens.push(refresh);
    }
    const token = accessToken(subject, scope);
    answer(200, {
      access_token: token,
      ...(req.method === 'GET' ? { token } : {}),
      token_type: 'Bearer',
      expires_in: state.claimedTtl ?? state.accessTtl,
      issued_at: new Date().toISOString(),
      ...(refresh ? { refresh_token: refresh } : {}),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.realm = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  state.stop = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/** A user with their password, or any user with a personal access token (`pat-` + their password). */
function check(users: Record<string, string>, username: string | null, password: string | null): string | undefined {
  if (!username || !password) return undefined;
  const known = users[username];
  return known !== undefined && (password === known || password === `pat-${known}`) ? username : undefined;
}

/** The `access` claim: every action asked for is granted (this server authorises everyone it authenticates). */
function accessOf(scope: string): { type: string; name: string; actions: string[] }[] {
  return scope
    .split(' ')
    .filter(Boolean)
    .map((s) => {
      const [type = '', ...rest] = s.split(':');
      const actions = (rest.pop() ?? '').split(',');
      return { type, name: rest.join(':'), actions };
    });
}

function sign(data: string, key: KeyObject): string {
  return createSign('RSA-SHA256').update(data).sign(key).toString('base64url');
}

const b64 = (s: string) => Buffer.from(s).toString('base64url');

async function text(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}
