/**
 * Signing: ed25519 keys in the user's config folder, DSSE envelopes over in-toto statements. ed25519
 * signatures are deterministic, so the same evidence signed twice gives the same bytes (and digest).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CheckFailedError, EnvironmentError } from '../errors.js';
import { userConfigPath } from '../workspace/user-config.js';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const PREDICATE_TYPE = 'https://agentctl.dev/attestations/release/v1';
export const PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export interface SigningKey {
  name: string;
  keyId: string;
  privateKey: KeyObject;
  publicKeyPem: string;
}

export interface Envelope {
  payloadType: string;
  payload: string;
  signatures: { keyid: string; sig: string }[];
}

export function keysDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(dirname(userConfigPath(env)), 'keys');
}

/** sha256 of the public key's DER: the same id wherever the key is written down. */
export function keyIdOf(publicKey: KeyObject | string): string {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  return `sha256:${createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex')}`;
}

export function generateKey(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  force = false,
): { keyId: string; privatePath: string; publicPath: string; publicKeyPem: string } {
  const dir = keysDir(env);
  const privatePath = join(dir, `${name}.key`);
  const publicPath = join(dir, `${name}.pub`);
  if (existsSync(privatePath) && !force) {
    throw new CheckFailedError(`a signing key named "${name}" already exists at ${privatePath}`, {
      fix: 'use it, pick another --name, or pass --force to replace it (old signatures stay verifiable only with the old public key)',
      code: 'key-exists',
    });
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  writeFileSync(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  chmodSync(privatePath, 0o600);
  writeFileSync(publicPath, publicKeyPem);
  return { keyId: keyIdOf(publicKey), privatePath, publicPath, publicKeyPem };
}

export function loadKey(name: string, env: NodeJS.ProcessEnv = process.env): SigningKey {
  const path = join(keysDir(env), `${name}.key`);
  if (!existsSync(path)) {
    throw new EnvironmentError(`no signing key named "${name}" (looked in ${keysDir(env)})`, { fix: 'agentctl keys generate', code: 'no-key' });
  }
  const privateKey = createPrivateKey(readFileSync(path));
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { name, keyId: keyIdOf(publicKeyPem), privateKey, publicKeyPem };
}

/** The environment variable a CI secret puts the signing key in (PEM, PKCS#8): never written to disk or printed. */
export const SIGNING_KEY_ENV = 'AGENTCTL_SIGNING_KEY_PEM';

/**
 * The key to sign with: a named key (`--key`) from the keys folder; else the PEM in
 * AGENTCTL_SIGNING_KEY_PEM (CI, where the key is a secret and there is no keys folder); else the
 * configured or "default" key from the keys folder.
 */
export function loadSigningKey(options: { name?: string | undefined; configured?: string | undefined }, env: NodeJS.ProcessEnv = process.env): SigningKey {
  const pem = env[SIGNING_KEY_ENV];
  if (options.name !== undefined || !pem?.trim()) return loadKey(options.name ?? options.configured ?? 'default', env);
  // CI variables often carry the PEM on one line with literal \n: accept that form too.
  const text = pem.includes('\n') ? pem : pem.replace(/\\n/g, '\n');
  const privateKey = privateKeyOrUndefined(text);
  if (privateKey?.asymmetricKeyType !== 'ed25519') {
    // The value is a secret: name the variable, never echo what it holds.
    throw new EnvironmentError(`${SIGNING_KEY_ENV} does not hold an ed25519 private key in PEM form`, {
      where: SIGNING_KEY_ENV,
      fix: `set it to the contents of a key file from agentctl keys generate (…/agentctl/keys/<name>.key), e.g. as a masked CI secret`,
      code: 'bad-key',
    });
  }
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { name: `env:${SIGNING_KEY_ENV}`, keyId: keyIdOf(publicKeyPem), privateKey, publicKeyPem };
}

function privateKeyOrUndefined(pem: string): KeyObject | undefined {
  try {
    return createPrivateKey(pem);
  } catch {
    return undefined;
  }
}

/** The public keys of this user's own signing keys (trusted for pulls, like one's own signature). */
export function ownPublicKeys(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const dir = keysDir(env);
  if (!existsSync(dir)) return {};
  return Object.fromEntries(readdirSync(dir).flatMap((f) => (f.endsWith('.pub') ? [[`own:${f.slice(0, -4)}`, readFileSync(join(dir, f), 'utf8')]] : [])));
}

/** DSSE pre-authentication encoding: what is actually signed. */
function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType);
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

export function signStatement(statement: Buffer, key: SigningKey): Envelope {
  const sig = sign(null, pae(PAYLOAD_TYPE, statement), key.privateKey);
  return { payloadType: PAYLOAD_TYPE, payload: statement.toString('base64'), signatures: [{ keyid: key.keyId, sig: sig.toString('base64') }] };
}

export interface Verification {
  valid: boolean;
  keyId: string | null;
  keyName: string | null;
  statement: Record<string, unknown> | null;
  reason: string;
}

/** Checks an envelope against trusted public keys (name → PEM). */
export function verifyEnvelope(envelope: Envelope, trusted: Record<string, string>): Verification {
  const payload = Buffer.from(envelope.payload, 'base64');
  const trustedById = new Map(
    Object.entries(trusted).flatMap(([name, pem]) => {
      try {
        return [[keyIdOf(pem), { name, pem }] as const];
      } catch {
        return [];
      }
    }),
  );
  for (const signature of envelope.signatures) {
    const key = trustedById.get(signature.keyid);
    if (!key) continue;
    const ok = verify(null, pae(envelope.payloadType, payload), createPublicKey(key.pem), Buffer.from(signature.sig, 'base64'));
    if (ok)
      return {
        valid: true,
        keyId: signature.keyid,
        keyName: key.name,
        statement: JSON.parse(payload.toString('utf8')) as Record<string, unknown>,
        reason: `signed by ${key.name}`,
      };
    return {
      valid: false,
      keyId: signature.keyid,
      keyName: key.name,
      statement: null,
      reason: `the signature by ${key.name} does not verify: the evidence was altered`,
    };
  }
  const ids = envelope.signatures.map((s) => s.keyid).join(', ');
  return {
    valid: false,
    keyId: envelope.signatures[0]?.keyid ?? null,
    keyName: null,
    statement: null,
    reason: `signed by ${ids || 'nobody'}, which is not a trusted key`,
  };
}
