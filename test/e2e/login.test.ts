/**
 * agentctl login against the real CNCF registry configured for token auth (`auth.token`), with a token
 * server from test/support that signs RS256 JWTs: the OAuth2 password and refresh_token grants, access
 * tokens that run out mid-push, revoked logins, forged tokens and a token service that is down.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentctl } from '../support/cli.js';
import { hasRegistry, type RunningRegistry, startRegistry } from '../support/oci-registry.js';
import { startProxy } from '../support/registry-proxy.js';
import { startTokenServer, TOKEN_ISSUER, TOKEN_SERVICE, type TokenServer } from '../support/token-server.js';
import { tempDir } from '../support/workspace.js';

const PASSWORD = 'correct-horse-7b1e';

let tokens: TokenServer;
let registry: RunningRegistry;

beforeEach(async () => {
  if (!hasRegistry) return;
  tokens = await startTokenServer({ users: { alice: PASSWORD } });
  registry = await startRegistry({ tokenAuth: { realm: tokens.realm, service: TOKEN_SERVICE, issuer: TOKEN_ISSUER, certPath: tokens.certPath } });
});
afterEach(async () => {
  await registry?.stop();
  await tokens?.stop();
});

/** A workspace with triage@0.1.0 in canary, a signing key, and the remote `hub`; the user config lives outside it. */
async function publisher(remoteUrl: string) {
  const cwd = tempDir();
  const xdg = tempDir('agentctl-xdg-');
  const env = { XDG_CONFIG_HOME: xdg, AGENTCTL_USER: 'alice' };
  await agentctl(['init', '.', '--yes', '--template', 'basic', '--name', 'triage', '--owner', 'team-qa'], { cwd, env });
  for (const args of [
    ['register', 'agents/triage'],
    ['promote', 'triage@0.1.0', '--to', 'dev', '--with-deps'],
    ['promote', 'triage@0.1.0', '--to', 'canary', '--with-deps'],
    ['keys', 'generate'],
    ['remote', 'add', 'hub', remoteUrl],
  ]) {
    const r = await agentctl(args, { cwd, env });
    expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  }
  return { cwd, env, xdg };
}

const loginWith = (ctx: { cwd: string; env: Record<string, string> }, secret = PASSWORD) =>
  agentctl(['login', 'hub', '--username', 'alice', '--password-stdin'], { ...ctx, input: `${secret}\n` });

/** Nothing secret on either stream: the password, any refresh token, any access token issued. */
function expectNoSecrets(...outputs: { stdout: string; stderr: string }[]) {
  const secrets = [PASSWORD, ...tokens.refreshTokens, ...tokens.grants.flatMap((g) => (g.accessToken ? [g.accessToken] : []))];
  for (const o of outputs) for (const s of secrets) expect(`${o.stdout}\n${o.stderr}`).not.toContain(s);
}

describe.skipIf(!hasRegistry)('login to a registry with a token service', () => {
  it('logs in with a password: push and pull work, the login is a 0600 file outside the workspace holding only a refresh token', async () => {
    const a = await publisher(registry.url);
    const anonymous = await agentctl(['push', 'triage@0.1.0', '--remote', 'hub'], a);
    expect(anonymous.exitCode).toBe(3);

    const login = await loginWith(a);
    expect(login.exitCode, login.stderr).toBe(0);
    expect(login.stdout).toContain('logged in to hub');
    expect(login.stdout).toContain('as alice');
    expect(tokens.grants.filter((g) => g.grantType === 'password' && g.status === 200)).toHaveLength(1);

    const file = join(a.xdg, 'agentctl/credentials', `${registry.host.replace(':', '_')}.json`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(relative(a.cwd, file).startsWith('..')).toBe(true);
    const stored = readFileSync(file, 'utf8');
    expect(stored).not.toContain(PASSWORD);
    expect(JSON.parse(stored)).toMatchObject({ username: 'alice', refreshToken: tokens.refreshTokens[0], realm: tokens.realm });

    const push = await agentctl(['push', 'triage@0.1.0', '--remote', 'hub', '--json'], a);
    expect(push.exitCode, push.stderr).toBe(0);
    expect(JSON.parse(push.stdout)).toMatchObject({ manifest: 'created' });
    // After login every access token comes from the refresh token: the password went out once.
    expect(tokens.grants.filter((g) => g.grantType === 'refresh_token' && g.status === 200).length).toBeGreaterThan(0);
    expect(tokens.grants.filter((g) => g.grantType === 'password')).toHaveLength(1);

    const list = await agentctl(['remote', 'ls', 'hub', 'triage', '--json'], a);
    expect(list.exitCode, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ agent: 'triage', version: '0.1.0' })]);
    expectNoSecrets(login, push, list);

    const logout = await agentctl(['logout', 'hub'], a);
    expect(logout.exitCode).toBe(0);
    expect(existsSync(file)).toBe(false);
    expect((await agentctl(['push', 'triage@0.1.0', '--remote', 'hub'], a)).exitCode).toBe(3);
  });

  it('logs in with a personal access token from the environment, and pulls with it', async () => {
    const a = await publisher(registry.url);
    const login = await agentctl(['login', 'hub', '--json'], {
      ...a,
      env: { ...a.env, AGENTCTL_REMOTE_HUB_USER: 'alice', AGENTCTL_REMOTE_HUB_TOKEN: `pat-${PASSWORD}` },
    });
    expect(login.exitCode, login.stderr).toBe(0);
    const result = JSON.parse(login.stdout);
    expect(result).toMatchObject({ remote: 'hub', subject: 'alice', realm: tokens.realm });
    expect(Date.parse(result.accessTokenExpiresAt)).toBeGreaterThan(Date.now());
    expect(Object.keys(result).sort()).toEqual(['accessTokenExpiresAt', 'credentialFile', 'host', 'realm', 'remote', 'subject', 'username']);
    expect((await agentctl(['push', 'triage@0.1.0', '--remote', 'hub'], a)).exitCode).toBe(0);
    const pull = await agentctl(['pull', 'hub/triage@0.1.0', '--json'], a);
    expect(pull.exitCode, pull.stderr).toBe(0);
    expectNoSecrets(login, pull);
    expect(login.stdout).not.toContain(`pat-${PASSWORD}`);
  });

  it('renews an access token that runs out between blob uploads, without asking', async () => {
    // A proxy that slows every request, so the push outlives a 2 s access token several times over.
    const slow = await startProxy(registry.port, { delayMs: 250, forwardAuthorization: true });
    try {
      const a = await publisher(slow.url);
      expect((await loginWith(a)).exitCode).toBe(0);
      tokens.accessTtl = 2;
      const before = slow.requests.length;
      const push = await agentctl(['push', 'triage@0.1.0', '--remote', 'hub', '--json'], a);
      expect(push.exitCode, push.stderr).toBe(0);
      const refreshes = tokens.grants.filter((g) => g.grantType === 'refresh_token' && g.status === 200);
      expect(refreshes.length).toBeGreaterThan(2);
      // Renewed before it ran out: the registry never had to refuse one mid-push.
      // The push's first request goes without a token (that is how the client learns the realm); after it, none is refused.
      const pushed = slow.requests.slice(before);
      expect(pushed.slice(pushed.findIndex((r) => r.status !== 401)).filter((r) => r.status === 401)).toEqual([]);
      expectNoSecrets(push);
    } finally {
      await slow.close();
    }
  });

  it('a token the registry refuses as expired mid-push is renewed after the 401 and the request sent again', async () => {
    const slow = await startProxy(registry.port, { delayMs: 250, forwardAuthorization: true });
    try {
      const a = await publisher(slow.url);
      expect((await loginWith(a)).exitCode).toBe(0);
      // The service says 300 s, the registry honours 2 s: the client learns of the expiry from a 401.
      tokens.accessTtl = 2;
      tokens.claimedTtl = 300;
      const before = slow.requests.length;
      const push = await agentctl(['push', 'triage@0.1.0', '--remote', 'hub', '--json'], a);
      expect(push.exitCode, push.stderr).toBe(0);
      const pushed = slow.requests.slice(before);
      expect(pushed.slice(pushed.findIndex((r) => r.status !== 401)).some((r) => r.status === 401)).toBe(true);
      expect(JSON.parse(push.stdout)).toMatchObject({ manifest: 'created' });
    } finally {
      await slow.close();
    }
  });

  it('a revoked login: exit 3 with the login fix', async () => {
    const a = await publisher(registry.url);
    expect((await loginWith(a)).exitCode).toBe(0);
    tokens.revoke(tokens.refreshTokens[0] as string);
    const push = await agentctl(['push', 'triage@0.1.0', '--remote', 'hub'], a);
    expect(push.exitCode).toBe(3);
    expect(push.stderr).toContain('your login to hub expired or was revoked');
    expect(push.stderr).toContain('agentctl login hub');
    expectNoSecrets(push);
  });

  it('a wrong password: exit 3, the realm refused the credentials, nothing stored', async () => {
    const a = await publisher(registry.url);
    const login = await loginWith(a, 'not-the-password');
    expect(login.exitCode).toBe(3);
    expect(login.stderr).toContain(`the token service at ${tokens.realm} refused the credentials for alice`);
    expect(login.stderr).not.toContain('not-the-password');
    expect(existsSync(join(a.xdg, 'agentctl/credentials'))).toBe(false);
  });

  it('a token signed by another key: the registry refuses it, exit 3 with a clear message', async () => {
    const a = await publisher(registry.url);
    tokens.tamper = true;
    const login = await loginWith(a);
    expect(login.exitCode).toBe(3);
    expect(login.stderr).toContain('refused the access token just issued by');
    expect(existsSync(join(a.xdg, 'agentctl/credentials'))).toBe(false);
    tokens.tamper = false;
    expect((await loginWith(a)).exitCode).toBe(0);
    tokens.tamper = true;
    const push = await agentctl(['push', 'triage@0.1.0', '--remote', 'hub'], a);
    expect(push.exitCode).toBe(3);
    expect(push.stderr).toContain(`the registry ${registry.url} refused the access token just issued by ${tokens.realm} (invalid_token)`);
    expectNoSecrets(login, push);
  });

  it('a legacy token server (GET only, no refresh tokens): login stores nothing and says why; env credentials still push', async () => {
    const a = await publisher(registry.url);
    tokens.legacyOnly = true;
    const login = await loginWith(a);
    expect(login.exitCode).toBe(3);
    expect(login.stderr).toContain('issued no refresh token');
    expect(login.stderr).toContain('AGENTCTL_REMOTE_HUB_USER');
    expect(tokens.grants.map((g) => `${g.method} ${g.status}`)).toEqual(['POST 404', 'GET 200']);
    expect(existsSync(join(a.xdg, 'agentctl/credentials'))).toBe(false);
    const push = await agentctl(['push', 'triage@0.1.0', '--remote', 'hub'], {
      ...a,
      env: { ...a.env, AGENTCTL_REMOTE_HUB_USER: 'alice', AGENTCTL_REMOTE_HUB_PASSWORD: PASSWORD },
    });
    expect(push.exitCode, push.stderr).toBe(0);
    expect(tokens.grants.slice(2).every((g) => g.method === 'GET' && g.status === 200)).toBe(true);
    expectNoSecrets(login, push);
  });

  it('the token service down, at login and at push: exit 3 naming the realm', async () => {
    const a = await publisher(registry.url);
    expect((await loginWith(a)).exitCode).toBe(0);
    await tokens.stop();
    for (const r of [await loginWith(a), await agentctl(['push', 'triage@0.1.0', '--remote', 'hub'], a)]) {
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toContain(`cannot reach the token service at ${tokens.realm}`);
      expectNoSecrets(r);
    }
  });
});
