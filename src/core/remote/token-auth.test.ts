import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/workspace.js';
import { loadLogin, loginPath, removeLogin, type StoredLogin, saveLogin } from './credential-store.js';
import { parseChallenge, peekClaims } from './token-auth.js';

describe('parseChallenge', () => {
  it('reads a bearer challenge with quoted values, commas inside quotes, and the error of a refused token', () => {
    expect(
      parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push",error="invalid_token"'),
    ).toEqual({
      scheme: 'bearer',
      realm: 'https://auth.example/token',
      service: 'registry.example',
      scope: 'repository:a/b:pull,push',
      error: 'invalid_token',
    });
  });
  it('reads basic challenges and bare values; anything else is no challenge', () => {
    expect(parseChallenge('Basic realm=registry')).toMatchObject({ scheme: 'basic', realm: 'registry' });
    expect(parseChallenge('Negotiate abc')).toBeUndefined();
    expect(parseChallenge(null)).toBeUndefined();
  });
});

describe('peekClaims', () => {
  it('decodes the payload for display and survives garbage', () => {
    const payload = Buffer.from(JSON.stringify({ sub: 'alice', exp: 42 })).toString('base64url');
    expect(peekClaims(`x.${payload}.y`)).toEqual({ sub: 'alice', exp: 42 });
    expect(peekClaims('not-a-jwt')).toEqual({});
  });
});

describe('credential store', () => {
  const login = (host: string): StoredLogin => ({
    host,
    remote: 'hub',
    username: 'alice',
    realm: 'http://auth/token',
    refreshToken: 'rt-1',
    savedAt: new Date(0).toISOString(),
  });

  it('writes a 0600 file in a 0700 folder, even over a stale temp file with looser mode', () => {
    const env = { XDG_CONFIG_HOME: tempDir() };
    const path = loginPath('127.0.0.1:5000', env);
    mkdirSync(join(env.XDG_CONFIG_HOME, 'agentctl/credentials'), { recursive: true });
    writeFileSync(`${path}.${process.pid}.tmp`, 'stale', { mode: 0o644 });
    expect(saveLogin(login('127.0.0.1:5000'), env)).toBe(path);
    expect(path).toMatch(/credentials\/127\.0\.0\.1_5000\.json$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(env.XDG_CONFIG_HOME, 'agentctl/credentials')).mode & 0o777).toBe(0o700);
    expect(loadLogin('127.0.0.1:5000', env)?.refreshToken).toBe('rt-1');
    expect(removeLogin('127.0.0.1:5000', env)).toBe(true);
    expect(loadLogin('127.0.0.1:5000', env)).toBeUndefined();
    expect(removeLogin('127.0.0.1:5000', env)).toBe(false);
  });

  it('refuses to store a login inside the workspace, and says which variable to change', () => {
    const root = tempDir();
    const env = { XDG_CONFIG_HOME: join(root, '.xdg') };
    expect(() => saveLogin(login('h'), env, root)).toThrow(/will not store the login for hub inside the workspace/);
    expect(() => statSync(loginPath('h', env))).toThrow();
    expect(saveLogin(login('h'), env, tempDir())).toBe(loginPath('h', env));
  });

  it('treats a file that is not a login as no login', () => {
    const env = { XDG_CONFIG_HOME: tempDir() };
    mkdirSync(join(env.XDG_CONFIG_HOME, 'agentctl/credentials'), { recursive: true });
    writeFileSync(loginPath('h', env), '{"username":"alice"}');
    expect(loadLogin('h', env)).toBeUndefined();
    writeFileSync(loginPath('h', env), 'not json');
    expect(loadLogin('h', env)).toBeUndefined();
    expect(readFileSync(loginPath('h', env), 'utf8')).toBe('not json');
  });
});
