import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/workspace.js';
import { generateKey, keyIdOf, loadSigningKey, SIGNING_KEY_ENV } from './sign.js';

function pemPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), keyId: keyIdOf(publicKey) };
}

describe('the CI signing key from the environment', () => {
  it('signs with the PEM in AGENTCTL_SIGNING_KEY_PEM, also when the CI variable has literal \\n', () => {
    const { pem, keyId } = pemPair();
    const env = { XDG_CONFIG_HOME: tempDir() };
    expect(loadSigningKey({}, { ...env, [SIGNING_KEY_ENV]: pem })).toMatchObject({ keyId, name: `env:${SIGNING_KEY_ENV}` });
    expect(loadSigningKey({}, { ...env, [SIGNING_KEY_ENV]: pem.trim().replace(/\n/g, '\\n') }).keyId).toBe(keyId);
  });

  it('a --key name wins over the environment; without either, the configured key file', () => {
    const env = { XDG_CONFIG_HOME: join(tempDir(), 'cfg') };
    const own = generateKey('mine', env);
    const ci = pemPair();
    expect(loadSigningKey({ name: 'mine' }, { ...env, [SIGNING_KEY_ENV]: ci.pem }).keyId).toBe(own.keyId);
    expect(loadSigningKey({ configured: 'mine' }, { ...env, [SIGNING_KEY_ENV]: ci.pem }).keyId).toBe(ci.keyId);
    expect(loadSigningKey({ configured: 'mine' }, env).keyId).toBe(own.keyId);
  });

  it('refuses a value that is not an ed25519 private key without echoing the secret', () => {
    const secret = 'not-a-key-but-secret-looking-3f9a';
    const env = { XDG_CONFIG_HOME: tempDir(), [SIGNING_KEY_ENV]: secret };
    let error: unknown;
    try {
      loadSigningKey({}, env);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ exitCode: 3, code: 'bad-key' });
    expect(JSON.stringify((error as { toJSON(): unknown }).toJSON())).not.toContain(secret);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => loadSigningKey({}, { ...env, [SIGNING_KEY_ENV]: rsa })).toThrow(/ed25519/);
  });
});
