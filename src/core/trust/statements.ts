/**
 * Signed statements about a version digest: in-toto statements in DSSE envelopes (the same format as
 * the pushed evidence), for approvals and for lifecycle moves. Verification is against the trust file.
 */

import { type Envelope, type SigningKey, STATEMENT_TYPE, signStatement, verifyEnvelope } from '../remote/sign.js';
import { canonicalJson } from '../util/canonical.js';
import type { Trust, TrustedKey } from './trust-file.js';

export const APPROVAL_PREDICATE = 'https://agentctl.dev/attestations/approval/v1';
export const TRANSITION_PREDICATE = 'https://agentctl.dev/attestations/transition/v1';
export const STAGE_PREDICATE = 'https://agentctl.dev/attestations/stage-move/v1';

/** An in-toto statement whose subject is `name@version` at `digest`. */
export function statementAbout(name: string, version: string, digest: string, predicateType: string, predicate: Record<string, unknown>) {
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name: `${name}@${version}`, digest: { sha256: digest.replace(/^sha256:/, '') } }],
    predicateType,
    predicate,
  };
}

export function signStatementAs(statement: Record<string, unknown>, key: SigningKey): Envelope {
  return signStatement(Buffer.from(canonicalJson(statement)), key);
}

export interface VerifiedStatement {
  key: TrustedKey;
  statement: { subject: { name: string; digest: { sha256: string } }[]; predicateType: string; predicate: Record<string, unknown> };
}

/**
 * The trusted key that signed `envelope`, if its signature verifies and the statement is about exactly
 * `digest` (a signature copied from another digest proves nothing here). `team` limits the keys.
 */
export function verifyAbout(envelopeJson: string | null, digest: string, trust: Trust, predicateType: string): VerifiedStatement | undefined {
  if (!envelopeJson) return undefined;
  let envelope: Envelope;
  try {
    envelope = JSON.parse(envelopeJson) as Envelope;
  } catch {
    return undefined;
  }
  const keys = new Map(trust.keys.map((k) => [`${k.team}/${k.owner}/${k.keyId}`, k.pem]));
  const checked = verifyEnvelope(envelope, Object.fromEntries(keys));
  if (!checked.valid || !checked.statement) return undefined;
  const statement = checked.statement as unknown as VerifiedStatement['statement'];
  if (statement.predicateType !== predicateType) return undefined;
  if (!statement.subject?.some((s) => `sha256:${s.digest?.sha256}` === digest)) return undefined;
  const key = trust.keys.find((k) => k.keyId === checked.keyId);
  return key ? { key, statement } : undefined;
}
