/** remote add / ls / rm, keys generate / list, push, pull. */

import { UsageError } from '../../core/errors.js';
import { isStage } from '../../core/registry/stages.js';
import { afterPush } from '../../core/release/next.js';
import { publishVersion } from '../../core/release/publish.js';
import { listRemote } from '../../core/remote/list.js';
import { addRemote, openRemote, removeRemote } from '../../core/remote/open.js';
import { pullVersion } from '../../core/remote/pull.js';
import { generateKey, keyIdOf, keysDir, ownPublicKeys } from '../../core/remote/sign.js';
import { parseRemoteRef } from '../../core/remote/url.js';
import { createCancellation, SIGNAL_EXIT_CODES } from '../../core/session/cancel.js';
import { isExactVersion } from '../../core/spec/refs.js';
import { acceptedSigners, loadTrust } from '../../core/trust/trust-file.js';
import { findWorkspaceRoot, workspacePaths } from '../../core/workspace/workspace.js';
import type { CliContext } from '../context.js';
import { nextStep } from '../present/next-step.js';
import { note, printJson, printLine, table } from '../present/output.js';
import { out } from '../present/style.js';
import { actorOf, workspaceOf, writeRegistry } from '../workspace.js';

export async function remoteAddCommand(ctx: CliContext, name: string, url: string, options: { force?: boolean; json?: boolean }): Promise<number> {
  const workspace = workspaceOf(ctx);
  const location = addRemote(workspace.configPath, name, url, ctx.cwd, options.force);
  if (options.json) printJson(ctx, { name, url, kind: location.kind });
  else printLine(ctx, `${out.green('✓')} remote ${name} → ${url} (${location.kind === 'layout' ? 'OCI image layout' : 'OCI registry'})`);
  return 0;
}

export async function remoteRemoveCommand(ctx: CliContext, name: string): Promise<number> {
  removeRemote(workspaceOf(ctx).configPath, name);
  printLine(ctx, `${out.green('✓')} removed remote ${name}`);
  return 0;
}

export async function remoteListCommand(ctx: CliContext, name: string | undefined, agent: string | undefined, options: { json?: boolean }): Promise<number> {
  const workspace = workspaceOf(ctx);
  if (!name) {
    const rows = Object.entries(workspace.config.remotes).map(([n, url]) => ({ name: n, url, default: n === workspace.config.defaultRemote }));
    if (options.json) printJson(ctx, rows);
    else if (rows.length === 0) note(ctx, 'no remotes yet: agentctl remote add <name> oci://host/repo');
    else
      printLine(
        ctx,
        table(
          rows.map((r) => [r.name, r.url, r.default ? 'default' : '']),
          ['NAME', 'URL', ''],
        ),
      );
    return 0;
  }
  return cancellable(ctx, 'remote ls', 'nothing was changed', async (signal) => {
    const remote = openRemote(name, workspace.config, ctx.cwd, ctx.env, workspace.root, { signal });
    const agents = agent ? [agent] : await remote.target.listRepositories();
    const versions = await listRemote(remote.target, remote.repository, agents, signal);
    if (options.json) printJson(ctx, versions);
    else if (versions.length === 0) note(ctx, `nothing published on ${remote.name} yet`);
    else
      printLine(
        ctx,
        table(
          versions.map((v) => [
            v.agent,
            v.version,
            v.stages.join(',') || '-',
            v.manifestDigest.slice(0, 19),
            v.signers.map((s) => s.slice(0, 19)).join(', ') || out.yellow('unsigned'),
          ]),
          ['AGENT', 'VERSION', 'STAGES', 'DIGEST', 'SIGNED BY'],
        ),
      );
    return 0;
  });
}

export async function keysGenerateCommand(ctx: CliContext, options: { name?: string; force?: boolean; json?: boolean }): Promise<number> {
  const key = generateKey(options.name ?? 'default', ctx.env, options.force);
  if (options.json) printJson(ctx, key);
  else {
    printLine(ctx, `${out.green('✓')} ed25519 signing key ${key.keyId}`);
    printLine(ctx, `  private: ${key.privatePath} (mode 600; never share it)`);
    printLine(ctx, `  public:  ${key.publicPath}`);
    // Real values where a workspace says them: its team, and who holds the key (the name, or you).
    const workspace = findWorkspaceRoot(ctx.cwd) ? workspaceOf(ctx) : undefined;
    const owner = options.name && options.name !== 'default' ? options.name : (workspace?.config.user ?? 'you');
    if (workspace)
      nextStep(ctx, `agentctl trust add ${workspace.config.team} ${key.publicPath} --owner ${owner}`, 'a reviewed change: the key speaks for the team');
  }
  return 0;
}

export async function keysListCommand(ctx: CliContext, options: { json?: boolean }): Promise<number> {
  // Which teams trust each key, when the current folder is a workspace with a trust file.
  const root = findWorkspaceRoot(ctx.cwd);
  const trust = root ? loadTrust(workspacePaths(root).stateDir) : undefined;
  const keys = Object.entries(ownPublicKeys(ctx.env)).map(([name, pem]) => {
    const keyId = keyIdOf(pem);
    return { name: name.replace(/^own:/, ''), keyId, teams: (trust?.keys ?? []).filter((k) => k.keyId === keyId && !k.retiredAt).map((k) => k.team) };
  });
  if (options.json) printJson(ctx, { dir: keysDir(ctx.env), trustFile: trust ? trust.path : null, keys });
  else if (keys.length === 0) note(ctx, 'no signing keys yet: agentctl keys generate');
  else
    printLine(
      ctx,
      table(
        keys.map((k) => [k.name, k.keyId, trust ? k.teams.join(', ') || 'trusted by no team here' : '(no trust file)']),
        ['NAME', 'KEY ID', 'TEAMS'],
      ),
    );
  return 0;
}

export async function pushCommand(ctx: CliContext, ref: string, options: { remote?: string; dryRun?: boolean; key?: string; json?: boolean }): Promise<number> {
  const stopped = 'no tag was written after the stop; run the push again to finish it (blobs already up are skipped)';
  return cancellable(ctx, 'push', stopped, (signal) =>
    writeRegistry(ctx, async (registry, workspace) => {
      const row = registry.resolve(ref);
      const result = await publishVersion({
        registry,
        workspace,
        cwd: ctx.cwd,
        env: ctx.env,
        ref: `${row.name}@${row.version}`,
        remote: options.remote,
        key: options.key,
        dryRun: options.dryRun,
        onStep: options.json ? undefined : (line) => note(ctx, `  ${line}`),
        signal,
      });
      const remote = { name: result.remote };
      if (options.json) printJson(ctx, result);
      else if (result.dryRun) {
        printLine(ctx, `${out.bold(`dry run: ${result.ref} → ${remote.name}/${result.repository}`)} (tags ${result.tags.join(', ')})`);
        for (const b of result.blobs)
          printLine(ctx, `  ${b.present ? out.dim('present ') : out.yellow('upload  ')} ${b.title ?? b.digest.slice(0, 19)} ${out.dim(`${b.size} B`)}`);
        if (result.manifest === 'unchanged') printLine(ctx, '  the version is already published: nothing to upload');
        printLine(
          ctx,
          `  manifest ${result.manifestDigest}: ${result.manifest === 'created' ? 'would be created' : 'already there'}; signed evidence: ${result.attestation === 'created' ? 'would be attached' : 'already attached'}`,
        );
        nextStep(ctx, `agentctl push ${result.ref}${options.remote ? ` --remote ${options.remote}` : ''}`, 'do it');
      } else {
        const verb = result.manifest === 'created' ? 'published' : 'already published';
        printLine(
          ctx,
          `${out.green('✓')} ${result.ref} ${verb} to ${remote.name}/${result.repository}:${result.tags[0]} ${result.stage ? `(stage tag ${result.stage} moved here)` : '(holds no stage: version tag only)'} ${out.dim(result.manifestDigest)}`,
        );
        printLine(ctx, out.dim(`  ${result.uploads} upload(s), ${result.uploadedBytes} B, ${result.requests} request(s); evidence ${result.attestation}`));
        nextStep(ctx, ...afterPush(remote.name, row));
      }
      return 0;
    }),
  );
}

export async function pullCommand(ctx: CliContext, ref: string, options: { verify?: boolean; json?: boolean }): Promise<number> {
  const parsed = parseRemoteRef(ref);
  // A consumer's bare name means the version that holds prod (only prod is routed by default).
  const version = parsed.version ?? 'prod';
  if (!isExactVersion(version) && !isStage(version)) {
    throw new UsageError(`"${version}" is neither a version nor a stage in ${ref}`, { fix: `agentctl pull ${parsed.remote}/${parsed.name}@prod, or @1.2.3` });
  }
  return cancellable(ctx, 'pull', 'nothing was registered', (signal) =>
    writeRegistry(ctx, async (registry, workspace) => {
      const remote = openRemote(parsed.remote, workspace.config, ctx.cwd, ctx.env, workspace.root, { signal });
      const result = await pullVersion({
        registry,
        target: remote.target,
        repository: remote.repository(parsed.name),
        name: parsed.name,
        version,
        verify: Boolean(options.verify),
        trustedKeys: acceptedSigners(workspace.stateDir, workspace.config.trustedKeys, ownPublicKeys(ctx.env)),
        remoteName: remote.name,
        actor: actorOf(workspace),
        signal,
      });
      if (options.json) printJson(ctx, { remote: remote.name, ...result });
      else {
        if (result.resolvedFrom) note(ctx, `${parsed.remote}/${parsed.name}@${result.resolvedFrom} → ${result.ref}`);
        printLine(ctx, `${out.green('✓')} pulled ${result.ref} from ${remote.name} ${out.dim(result.manifestDigest)}: every digest checks out`);
        if (result.verification) printLine(ctx, `  ${out.green('✓')} ${result.verification.reason} (${result.verification.keyId})`);
        for (const r of result.registered)
          printLine(ctx, `  ${r.outcome === 'registered' ? out.green('registered') : out.dim('unchanged ')} ${r.ref} ${out.dim(r.digest)}`);
        for (const e of result.evidence)
          printLine(
            ctx,
            `  ${e.imported ? out.green('evidence  ') : out.dim('evidence  ')} ${e.stage ?? 'no stage'} on ${remote.name}, signed by ${e.keyName} ${out.dim(`(${e.keyId})`)}${e.imported ? '' : out.dim(' already recorded')}`,
          );
      }
      return 0;
    }),
  );
}

/**
 * push, pull and remote ls are not session commands, so they trap SIGINT/SIGTERM here: the signal stops
 * the request in flight, and the command ends with 130 (Ctrl-C) or 143 (SIGTERM) and says what was kept.
 */
async function cancellable(ctx: CliContext, what: string, kept: string, fn: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const cancellation = createCancellation({ trap: true });
  try {
    return await fn(cancellation.signal);
  } catch (error) {
    const by = cancellation.stoppedBy;
    if (!by) throw error;
    note(ctx, `${what} stopped (${by === 'SIGTERM' ? 'SIGTERM' : 'Ctrl-C'}): ${kept}`);
    return SIGNAL_EXIT_CODES[by];
  } finally {
    cancellation.dispose();
  }
}
