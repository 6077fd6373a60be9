/**
 * `.agentctl/trust.yaml`: which keys speak for which team. It is committed with the workspace and
 * reviewed like CODEOWNERS — adding a key to a team is a change a reviewer approves. A key is a person's
 * or a CI's ed25519 public key; its id is the sha256 of the key (keyIdOf). A retired key signs nothing
 * new but what it signed before stays verifiable (rotation); a removed key verifies nothing (revocation).
 */
import { createPublicKey } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document, parseDocument } from 'yaml';
import { CheckFailedError, EnvironmentError, UsageError } from '../errors.js';
import { keyIdOf } from '../remote/sign.js';
import { dnsLabel } from '../spec/schema.js';
import { schemaDiagnostics } from '../spec/schema-issues.js';
import { MAX_SPEC_BYTES, parseYamlSafely } from '../spec/yaml.js';
import { readUserText } from '../util/read-file.js';
import * as z from '../util/zod.js';

export const TRUST_FILE = 'trust.yaml';

const keySchema = z.strictObject({
  owner: z.string().min(1).describe('Who holds the private key (a person, or "ci").'),
  key: z.string().min(1).describe('The ed25519 public key, PEM (agentctl keys generate writes it as <name>.pub).'),
  ci: z.boolean().optional().describe('A CI key: it signs evidence, it never approves.'),
  retired: z.string().optional().describe('ISO date from which this key signs nothing new (rotation): older signatures stay valid.'),
});

export const trustFileSchema = z.strictObject({
  version: z.literal(1).optional(),
  teams: z.record(dnsLabel, z.array(keySchema)).describe('team → the keys that speak for it'),
});

export interface TrustedKey {
  keyId: string;
  team: string;
  owner: string;
  pem: string;
  ci: boolean;
  retiredAt: string | null;
}

export interface Trust {
  path: string;
  keys: TrustedKey[];
}

export function trustPath(stateDir: string): string {
  return join(stateDir, TRUST_FILE);
}

/** The workspace's trust file, or undefined in single-developer mode (no file). */
export function loadTrust(stateDir: string): Trust | undefined {
  const path = trustPath(stateDir);
  if (!existsSync(path)) return undefined;
  const read = readUserText(path, { maxBytes: MAX_SPEC_BYTES });
  if (!read.ok) throw new EnvironmentError(`cannot read ${path}: it ${read.problem.message}`, { where: path, fix: read.problem.fix, code: 'invalid-trust' });
  const parsed = parseYamlSafely(path, read.text);
  if (!parsed.ok) throw invalid(path, parsed.diagnostics[0]);
  const checked = trustFileSchema.safeParse(parsed.parsed.value ?? { teams: {} });
  if (!checked.success) throw invalid(path, schemaDiagnostics(path, parsed.parsed, trustFileSchema, checked.error.issues)[0]);
  const keys: TrustedKey[] = [];
  for (const [team, entries] of Object.entries(checked.data.teams)) {
    for (const entry of entries) {
      let keyId: string;
      try {
        // A private key pasted by mistake is refused, not quietly accepted (createPublicKey would derive one).
        if (!publicOnly(entry.key)) throw new Error('not a public key');
        keyId = keyIdOf(entry.key);
      } catch {
        throw new EnvironmentError(`${path}: the key of ${entry.owner} in team ${team} is not a public key (PEM)`, {
          where: path,
          fix: 'paste the .pub file agentctl keys generate wrote, or use agentctl trust add',
          code: 'invalid-trust',
        });
      }
      keys.push({ keyId, team, owner: entry.owner, pem: entry.key, ci: entry.ci ?? false, retiredAt: entry.retired ?? null });
    }
  }
  return { path, keys };
}

function invalid(path: string, diagnostic: { file: string; line: number; col: number; message: string; fix?: string | undefined } | undefined): Error {
  return new EnvironmentError(`invalid trust file: ${diagnostic?.message ?? 'unreadable'}`, {
    where: diagnostic ? `${diagnostic.file}:${diagnostic.line}:${diagnostic.col}` : path,
    fix: diagnostic?.fix ?? 'fix .agentctl/trust.yaml (agentctl trust ls shows what it says)',
    code: 'invalid-trust',
  });
}

/** Adds a key to a team (creating the file: the workspace leaves single-developer mode). Comments are kept. */
export function addTrustedKey(stateDir: string, team: string, pem: string, owner: string, ci: boolean): TrustedKey {
  if (!dnsLabel.safeParse(team).success) throw new UsageError(`"${team}" is not a team name`, { fix: 'a DNS label, e.g. team-qa' });
  const publicPem = publicOnly(pem);
  if (!publicPem) {
    throw new UsageError('that is not a public key (PEM): a trust file holds public keys only — never a private one', {
      fix: 'pass the .pub file agentctl keys generate wrote (never the .key file)',
    });
  }
  pem = publicPem;
  const keyId = keyIdOf(pem);
  const path = trustPath(stateDir);
  const existing = loadTrust(stateDir);
  if (existing?.keys.some((k) => k.keyId === keyId && k.team === team)) {
    throw new CheckFailedError(`key ${keyId} already speaks for ${team}`, { fix: 'agentctl trust ls', code: 'already-trusted' });
  }
  const doc = existsSync(path) ? parseDocument(readFileSync(path, 'utf8')) : starter();
  const entry: Record<string, unknown> = { owner, key: pem.trim() };
  if (ci) entry.ci = true;
  if (!doc.hasIn(['teams', team])) doc.setIn(['teams', team], doc.createNode([]));
  (doc.getIn(['teams', team]) as { add(v: unknown): void }).add(doc.createNode(entry));
  writeAtomically(path, doc.toString());
  return { keyId, team, owner, pem, ci, retiredAt: null };
}

/**
 * Retires a key everywhere it appears (it signs nothing new; old signatures stay valid), or with
 * `revoke` removes it (nothing it ever signed verifies any more).
 */
export function removeTrustedKey(stateDir: string, keyIdPrefix: string, revoke: boolean, now = new Date()): TrustedKey[] {
  const trust = loadTrust(stateDir);
  const matching = (trust?.keys ?? []).filter((k) => k.keyId === keyIdPrefix || k.keyId.startsWith(keyIdPrefix) || k.keyId.slice(7).startsWith(keyIdPrefix));
  if (!trust || matching.length === 0) throw new CheckFailedError(`no trusted key ${keyIdPrefix}`, { fix: 'agentctl trust ls', code: 'not-found' });
  const ids = new Set(matching.map((k) => k.keyId));
  if (ids.size > 1) throw new UsageError(`"${keyIdPrefix}" matches more than one key`, { fix: 'give more characters of the key id' });
  const doc = parseDocument(readFileSync(trust.path, 'utf8'));
  const teams = doc.get('teams') as { items: { key: { value: string }; value: { items: { get(k: string): unknown; set(k: string, v: unknown): void }[] } }[] };
  for (const pair of teams.items) {
    const list = pair.value.items;
    for (let i = list.length - 1; i >= 0; i--) {
      const item = list[i] as { get(k: string): unknown; set(k: string, v: unknown): void };
      if (!ids.has(keyIdOf(String(item.get('key'))))) continue;
      if (revoke) list.splice(i, 1);
      else item.set('retired', now.toISOString());
    }
  }
  writeAtomically(trust.path, doc.toString());
  return matching;
}

/** The key as a normalized public PEM, or undefined when it is not a public key (a private key included). */
function publicOnly(pem: string): string | undefined {
  if (!/-----BEGIN PUBLIC KEY-----/.test(pem) || /PRIVATE KEY/.test(pem)) return undefined;
  try {
    const key = createPublicKey(pem);
    return key.type === 'public' ? key.export({ type: 'spki', format: 'pem' }).toString() : undefined;
  } catch {
    return undefined;
  }
}

function starter(): Document {
  const doc = new Document({ version: 1, teams: {} });
  doc.commentBefore =
    ' Which keys speak for which team. Review changes to this file like CODEOWNERS:\n' +
    ' registering, promoting, rolling back and approving need a key listed here (agentctl trust add).';
  return doc;
}

function writeAtomically(path: string, text: string): void {
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}

/**
 * Every public key a pull may accept a signature from: the trust file's keys (by team and owner), the
 * config's `trustedKeys`, and this user's own keys.
 */
export function acceptedSigners(stateDir: string, configured: Record<string, string>, own: Record<string, string>): Record<string, string> {
  const fromTrust = Object.fromEntries((loadTrust(stateDir)?.keys ?? []).map((k) => [`${k.team}/${k.owner}`, k.pem]));
  return { ...own, ...configured, ...fromTrust };
}
