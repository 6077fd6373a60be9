/** `trust add|rm|ls`: the reviewed file that maps teams to the keys that speak for them. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { keyIdOf, ownPublicKeys } from '../../core/remote/sign.js';
import { addTrustedKey, loadTrust, removeTrustedKey } from '../../core/trust/trust-file.js';
import { locateWorkspace } from '../../core/workspace/workspace.js';
import type { CliContext } from '../context.js';
import { note, printJson, printLine, table } from '../present/output.js';
import { out } from '../present/style.js';

export async function trustAddCommand(
  ctx: CliContext,
  team: string,
  keyFile: string,
  options: { owner?: string; ci?: boolean; json?: boolean },
): Promise<number> {
  const paths = locateWorkspace(ctx.cwd);
  let pem: string;
  try {
    pem = readFileSync(resolve(ctx.cwd, keyFile.replace(/^~(?=\/)/, process.env.HOME ?? '~')), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the public key ${keyFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      fix: 'pass the .pub file agentctl keys generate wrote (e.g. ~/.config/agentctl/keys/default.pub)',
    });
  }
  // Who holds the key is an identity: never guessed from a file name (everyone's key is "default.pub").
  if (!options.owner) throw new UsageError('whose key is it?', { fix: `agentctl trust add ${team} ${keyFile} --owner <their name>` });
  const owner = options.owner;
  const fresh = loadTrust(paths.stateDir) === undefined;
  const added = addTrustedKey(paths.stateDir, team, pem, owner, Boolean(options.ci));
  if (options.json) printJson(ctx, { ...added, pem: undefined });
  else {
    printLine(ctx, `${out.green('✓')} ${owner}'s key ${added.keyId} now speaks for ${team}${options.ci ? ' (CI: signs evidence, never approves)' : ''}`);
    if (fresh) note(ctx, 'created .agentctl/trust.yaml: keys are identities now — commit it and have it reviewed like CODEOWNERS');
    note(ctx, 'next: git add .agentctl/trust.yaml && git commit (a reviewed change)');
  }
  return 0;
}

export async function trustRmCommand(ctx: CliContext, keyId: string, options: { revoke?: boolean; json?: boolean }): Promise<number> {
  const paths = locateWorkspace(ctx.cwd);
  const removed = removeTrustedKey(paths.stateDir, keyId, Boolean(options.revoke));
  if (options.json)
    printJson(
      ctx,
      removed.map((k) => ({ keyId: k.keyId, team: k.team, owner: k.owner, revoked: Boolean(options.revoke) })),
    );
  else
    for (const k of removed)
      printLine(
        ctx,
        options.revoke
          ? `${out.green('✓')} revoked ${k.owner}'s key ${k.keyId} in ${k.team}: nothing it signed verifies any more`
          : `${out.green('✓')} retired ${k.owner}'s key ${k.keyId} in ${k.team}: it signs nothing new; what it signed before stays valid`,
      );
  return 0;
}

export async function trustLsCommand(ctx: CliContext, options: { json?: boolean }): Promise<number> {
  const paths = locateWorkspace(ctx.cwd);
  const trust = loadTrust(paths.stateDir);
  const mine = new Set(Object.values(ownPublicKeys(ctx.env)).map((pem) => keyIdOf(pem)));
  const keys = (trust?.keys ?? []).map((k) => ({ team: k.team, owner: k.owner, keyId: k.keyId, ci: k.ci, retired: k.retiredAt, yours: mine.has(k.keyId) }));
  if (options.json) printJson(ctx, { mode: trust ? 'trusted' : 'single-developer', keys });
  else if (!trust) note(ctx, 'no .agentctl/trust.yaml: single-developer mode (approvals are unsigned) — agentctl trust add <team> <key.pub> starts one');
  else
    printLine(
      ctx,
      table(
        keys.map((k) => [k.team, k.owner, k.keyId, k.ci ? 'ci' : 'person', k.retired ? `retired ${k.retired}` : 'active', k.yours ? 'yours' : '']),
        ['TEAM', 'OWNER', 'KEY', 'KIND', 'STATE', ''],
      ),
    );
  return 0;
}
