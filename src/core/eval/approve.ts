/** Approvals: who vouches for exactly this digest, and why; the author may not, unless a policy allows it. */
import { dirname } from 'node:path';
import { CheckFailedError } from '../errors.js';
import { gatePolicies } from '../registry/evidence.js';
import { governingPolicies } from '../registry/gates.js';
import type { Actor, Registry, VersionRow } from '../registry/registry.js';
import { keyIdOf, ownPublicKeys } from '../remote/sign.js';
import type { PolicyDocument } from '../spec/schema.js';
import { APPROVAL_PREDICATE, statementAbout } from '../trust/statements.js';
import { loadTrust } from '../trust/trust-file.js';
import type { Approval } from './store.js';

export function approveVersion(
  registry: Registry,
  ref: string,
  actor: Actor,
  note: string | null,
  policies: readonly PolicyDocument[],
  defaultPolicy: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
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
        fix: `${reviewerFix(reviewerApproval(registry, row, env))}; or set allowSelfApproval: true in the policy`,
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

/**
 * How someone other than the author approves `row`, as commands to run with real values. With a trust
 * file an approval is a trusted key's signature: a key on this machine that is trusted and not the
 * author's is named (AGENTCTL_SIGNING_KEY=<name>); otherwise how to make and trust one. Without a trust
 * file (single-developer mode) it is another user name. `withDeps`: the approval covers what it locks.
 */
export function reviewerApproval(registry: Registry, row: VersionRow, env: NodeJS.ProcessEnv = process.env, withDeps = false): ReviewerCommand[] {
  const exact = `${row.name}@${row.version}${withDeps ? ' --with-deps' : ''}`;
  const trust = registry.path === ':memory:' ? undefined : loadTrust(dirname(registry.path));
  // Never a ready-made command the author could run as someone else: the reviewer's name is theirs to give.
  if (!trust) return [{ who: `another person (not ${row.createdBy}), as themselves`, command: `agentctl approve ${exact} --user <their name>` }];
  const author = registry.registration(row.name, row.version)?.signer ?? null;
  const authorOwner = trust.keys.find((k) => k.keyId === author)?.owner ?? row.createdBy;
  const reviewers = trust.keys.filter((k) => !k.ci && k.retiredAt === null && k.owner !== authorOwner && k.keyId !== author);
  const local = Object.entries(ownPublicKeys(env)).flatMap(([name, pem]) => {
    const reviewer = reviewers.find((k) => k.keyId === keyIdOf(pem));
    return reviewer
      ? [{ who: `${reviewer.owner}, with their key`, command: `AGENTCTL_SIGNING_KEY=${name.replace(/^own:/, '')} agentctl approve ${exact}` }]
      : [];
  });
  const others = [...new Set(reviewers.map((k) => k.owner))].filter((o) => !local.some((l) => l.who.startsWith(`${o},`)));
  return [
    ...local,
    ...(others.length ? [{ who: `a reviewer whose key is trusted (${others.join(', ')})`, command: `agentctl approve ${exact}` }] : []),
    // A new reviewer's key is made on their machine and trusted in a change the team reviews — never a
    // chain that makes a key here and approves with it (that would be the author approving as "reviewer").
    {
      who: `a new reviewer of ${row.owner}: they run agentctl keys generate on their own machine and send you the .pub; trust it in a reviewed change, then they approve`,
      command: `agentctl trust add ${row.owner} <their key>.pub --owner <their name>`,
    },
  ];
}

/** Who can approve, and the command they run. */
export interface ReviewerCommand {
  who: string;
  command: string;
}

/** The fix text of a missing approval: each way, as "who: command". */
export function reviewerFix(commands: readonly ReviewerCommand[]): string {
  return commands.map((c) => `${c.who}: ${c.command}`).join('; or ');
}
