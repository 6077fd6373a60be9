/**
 * Who is acting. Without a trust file the workspace is in single-developer mode: the actor is the
 * configured user and team, and nothing is signed (gates and pushed evidence say so). With a trust file,
 * the signing key *is* the identity: the actor is the key's owner and team, everything recorded is signed
 * with it, and `--user` / `--team` can only repeat what the key says — they grant nothing.
 */
import { PermissionError } from '../errors.js';
import type { Actor } from '../registry/registry.js';
import { loadKey, type SigningKey } from '../remote/sign.js';
import type { Workspace } from '../workspace/workspace.js';
import { signStatementAs } from './statements.js';
import { loadTrust, type Trust, type TrustedKey } from './trust-file.js';

export type Identity = { mode: 'single-developer'; actor: Actor } | { mode: 'trusted'; actor: Actor; key: SigningKey; trusted: TrustedKey; trust: Trust };

export function resolveIdentity(workspace: Workspace, env: NodeJS.ProcessEnv = process.env): Identity {
  const config = workspace.config;
  const trust = loadTrust(workspace.stateDir);
  if (!trust) return { mode: 'single-developer', actor: { user: config.user, team: config.team } };
  const key = loadKey(config.signingKey, env);
  const listed = trust.keys.filter((k) => k.keyId === key.keyId && k.retiredAt === null);
  if (listed.length === 0) {
    const retired = trust.keys.some((k) => k.keyId === key.keyId);
    throw new PermissionError(
      `your signing key ${key.keyId} (${config.signingKey}) ${retired ? 'is retired in' : 'is not in'} .agentctl/trust.yaml: in this workspace a key is who you are`,
      {
        where: trust.path,
        fix: `ask a reviewer to add it: agentctl trust add <team> ${keyPath(config.signingKey)} --owner <you> (a reviewed change), or use a trusted key (AGENTCTL_SIGNING_KEY=<name>)`,
        code: 'untrusted-key',
      },
    );
  }
  const claimedTeam = config.sources.team === 'flag' || config.sources.team === 'env';
  const asTeam = listed.find((k) => k.team === config.team);
  if (!asTeam && claimedTeam) {
    throw new PermissionError(`--team ${config.team} grants nothing: your key ${key.keyId} speaks for ${listed.map((k) => k.team).join(', ')}`, {
      where: trust.path,
      fix: `act for a team your key belongs to, or have it added: agentctl trust add ${config.team} ${keyPath(config.signingKey)}`,
      code: 'not-your-team',
    });
  }
  const trusted = asTeam ?? (listed[0] as TrustedKey);
  if ((config.sources.user === 'flag' || config.sources.user === 'env') && config.user !== trusted.owner) {
    throw new PermissionError(`--user ${config.user} grants nothing: your key ${key.keyId} belongs to ${trusted.owner}`, {
      where: trust.path,
      fix: `drop --user (you act as ${trusted.owner}), or sign with ${config.user}'s key: AGENTCTL_SIGNING_KEY=<their key name>`,
      code: 'not-you',
    });
  }
  const actor: Actor = {
    user: trusted.owner,
    team: trusted.team,
    sign: (statement) => ({ keyId: key.keyId, envelope: JSON.stringify(signStatementAs(statement, key)) }),
  };
  return { mode: 'trusted', actor, key, trusted, trust };
}

function keyPath(name: string): string {
  return `~/.config/agentctl/keys/${name}.pub`;
}
