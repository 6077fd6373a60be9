/** The review's attacks on signed approvals: unsigned author columns, one person's two keys, a deleted trust file. */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyIdOf, type SigningKey } from '../remote/sign.js';
import type { PolicyDocument } from '../spec/schema.js';
import { APPROVAL_PREDICATE, signStatementAs, statementAbout } from '../trust/statements.js';
import type { Trust, TrustedKey } from '../trust/trust-file.js';
import type { Bundle } from './bundle.js';
import { checkGates } from './gates.js';

const DIGEST = `sha256:${'b'.repeat(64)}`;
function key(name: string): SigningKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { name, keyId: keyIdOf(publicKeyPem), privateKey, publicKeyPem };
}
const trusted = (k: SigningKey, owner: string): TrustedKey => ({ keyId: k.keyId, team: 'team-qa', owner, pem: k.publicKeyPem, ci: false, retiredAt: null });
const approval = (k: SigningKey, at = new Date().toISOString()) => ({
  user: 'whoever',
  team: 'team-qa',
  note: null,
  at,
  digest: DIGEST,
  signer: k.keyId,
  envelope: JSON.stringify(signStatementAs(statementAbout('triage', '0.1.0', DIGEST, APPROVAL_PREDICATE, { at }), k)),
});
const bundle = {
  format: 'agentctl.bundle/v1',
  kind: 'Agent',
  name: 'triage',
  version: '0.1.0',
  owner: 'team-qa',
  spec: {
    apiVersion: 'agentctl/v1',
    kind: 'Agent',
    metadata: { name: 'triage', version: '0.1.0', owner: 'team-qa' },
    spec: { model: { ref: 'm' }, prompt: { ref: 'p.md' } },
  },
  files: [],
} as unknown as Bundle;
const policy: PolicyDocument = {
  apiVersion: 'agentctl/v1',
  kind: 'Policy',
  metadata: { name: 'default', version: '0.1.0', owner: 'team-qa' },
  spec: { stages: { prod: { approvals: { count: 2 } } } },
};
const approvalsOf = (evidence: Record<string, unknown>) =>
  checkGates({
    bundle,
    digest: DIGEST,
    stage: 'prod',
    policies: [policy],
    defaultPolicy: 'default',
    evidence: { eval: undefined, approvals: [], author: 'ghost', ...evidence },
  }).find((c) => c.gate === 'approvals');

describe('signed approvals resist the review’s attacks', () => {
  const alice = key('alice');
  const bob = key('bob');
  const bobToo = key('bob-desk');
  const carol = key('carol');
  const trust: Trust = { path: 'trust.yaml', keys: [trusted(alice, 'alice'), trusted(bob, 'bob'), trusted(bobToo, 'bob'), trusted(carol, 'carol')] };

  it('the author is the verified registrar, whatever the unsigned columns say', () => {
    const check = approvalsOf({ trust, registrar: { keyId: alice.keyId, owner: 'alice' }, approvals: [approval(alice), approval(carol)] });
    expect(check).toMatchObject({ holds: false, detail: expect.stringContaining('1 of 2 approval(s) signed by carol') });
  });

  it('a local registration without a verified signature: no approval counts', () => {
    const check = approvalsOf({ trust, registrar: null, approvals: [approval(bob), approval(carol)] });
    expect(check).toMatchObject({ holds: false, detail: expect.stringContaining('registered without a signature') });
  });

  it('two keys of one person are one reviewer', () => {
    const check = approvalsOf({ trust, registrar: { keyId: alice.keyId, owner: 'alice' }, approvals: [approval(bob), approval(bobToo)] });
    expect(check).toMatchObject({ holds: false, detail: expect.stringContaining('1 of 2') });
    expect(approvalsOf({ trust, registrar: { keyId: alice.keyId, owner: 'alice' }, approvals: [approval(bob), approval(carol)] })).toMatchObject({
      holds: true,
    });
  });

  it('an approval without a proper time does not count', () => {
    const check = approvalsOf({ trust, registrar: { keyId: alice.keyId, owner: 'alice' }, approvals: [approval(bob, ''), approval(carol)] });
    expect(check).toMatchObject({ holds: false });
  });

  it('a deleted trust file does not downgrade a registry that holds signed records', () => {
    const unsigned = { user: 'bob', team: 'team-qa', note: null, at: new Date().toISOString(), digest: DIGEST, signer: null, envelope: null };
    expect(approvalsOf({ trust: undefined, trustMissing: true, approvals: [unsigned, { ...unsigned, user: 'carol' }] })).toMatchObject({
      holds: false,
      detail: expect.stringContaining('.agentctl/trust.yaml is missing'),
    });
  });
});
