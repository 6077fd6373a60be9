/** Approvals: who vouches for exactly this digest, and why; the author may not, unless a policy allows it. */
import { CheckFailedError } from '../errors.js';
import { gatePolicies } from '../registry/evidence.js';
import { governingPolicies } from '../registry/gates.js';
import type { Actor, Registry } from '../registry/registry.js';
import type { PolicyDocument } from '../spec/schema.js';
import { APPROVAL_PREDICATE, statementAbout } from '../trust/statements.js';
import type { Approval } from './store.js';

export function approveVersion(
  registry: Registry,
  ref: string,
  actor: Actor,
  note: string | null,
  policies: readonly PolicyDocument[],
  defaultPolicy: string | undefined,
): Approval & { ref: string } {
  return registry.transaction(() => {
    const row = registry.resolve(ref);
    const exact = `${row.name}@${row.version}`;
    if (row.status === 'deprecated' || row.status === 'disabled') {
      throw new CheckFailedError(`${exact} is ${row.status}; there is nothing left to approve`, { fix: 'approve a newer version', code: 'not-approvable' });
    }
    const governing = governingPolicies(registry.bundleOf(row.name, row.version), gatePolicies(registry, policies).policies, defaultPolicy);
    const selfAllowed = governing.some((p) => p.spec.allowSelfApproval === true);
    // The author is who registered it: by name, and with a trust file by key (the registering key never counts).
    const registeredBy = registry.registeredBy(row.name, row.version);
    const at = new Date().toISOString();
    const signed = actor.sign?.(statementAbout(row.name, row.version, row.digest, APPROVAL_PREDICATE, { approver: actor.user, team: actor.team, note, at }));
    const ownKey = signed !== undefined && registeredBy !== null && signed.keyId === registeredBy;
    if ((actor.user === row.createdBy || ownKey) && !selfAllowed) {
      throw new CheckFailedError(`${actor.user} registered ${exact} and cannot approve it`, {
        where: exact,
        fix: actor.sign
          ? `another reviewer approves with their own key: agentctl approve ${exact} (their key must be in .agentctl/trust.yaml: agentctl trust add <team> <their .pub> --owner <them>)`
          : `another reviewer approves: agentctl approve ${exact} --user <them> (or, once keys are identities, add a trust file: agentctl trust add <team> <their .pub>); or set allowSelfApproval: true in the policy`,
        code: 'self-approval',
      });
    }
    return {
      ref: exact,
      ...registry.evals.addApproval({
        name: row.name,
        version: row.version,
        digest: row.digest,
        user: actor.user,
        team: actor.team,
        note,
        at,
        signer: signed?.keyId ?? null,
        envelope: signed?.envelope ?? null,
      }),
    };
  });
}
