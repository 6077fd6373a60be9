/** `attest`: sign this machine's evidence for a published version (CI's eval) and attach it on the remote. */
import { UsageError } from '../../core/errors.js';
import { attestVersion } from '../../core/remote/attest.js';
import { openRemote } from '../../core/remote/open.js';
import { loadSigningKey } from '../../core/remote/sign.js';
import { parseRemoteRef } from '../../core/remote/url.js';
import { isExactVersion } from '../../core/spec/refs.js';
import { workspacePolicies } from '../../core/spec/validate.js';
import type { CliContext } from '../context.js';
import { note, printJson, printLine } from '../present/output.js';
import { out } from '../present/style.js';
import { withSession } from '../session.js';

export interface AttestCommandOptions {
  remote?: string;
  key?: string;
  json?: boolean;
}

export async function attestCommand(ctx: CliContext, ref: string, options: AttestCommandOptions): Promise<number> {
  const parsed = parseRemoteRef(ref);
  if (parsed.version !== undefined && !isExactVersion(parsed.version)) {
    throw new UsageError(`attest needs an exact version, not "${parsed.version}"`, {
      fix: `agentctl attest ${parsed.name}@1.2.3, or ${parsed.name} for the version in this checkout`,
    });
  }
  if (parsed.remote && options.remote && parsed.remote !== options.remote) {
    throw new UsageError(`${ref} names the remote ${parsed.remote}, but --remote says ${options.remote}`, {
      fix: `agentctl attest ${parsed.name} --remote <name>`,
    });
  }
  return withSession(ctx, {}, async (session) => {
    const { workspace, registry } = session;
    // A bare name is the version in this checkout: the copy CI just evaluated, with its digest.
    const evaluated = parsed.version === undefined ? session.resolve(parsed.name) : undefined;
    const version = parsed.version ?? (evaluated?.version as string);
    const remote = openRemote(parsed.remote ?? options.remote, workspace.config, ctx.cwd, ctx.env, workspace.root, { signal: session.signal });
    const key = loadSigningKey({ name: options.key, configured: workspace.config.signingKey }, ctx.env);
    const result = await attestVersion({
      registry,
      target: remote.target,
      remoteName: remote.name,
      repository: remote.repository(parsed.name),
      name: parsed.name,
      version,
      digest: evaluated?.digest,
      policies: workspacePolicies(workspace.root, ctx.cwd),
      defaultPolicy: workspace.config.defaultPolicy,
      key,
      actor: session.actor,
      onStep: options.json ? undefined : (line) => note(ctx, `  ${line}`),
      signal: session.signal,
    });
    if (options.json) printJson(ctx, { remote: remote.name, ...result });
    else {
      const verb = result.attestation === 'created' ? 'attached' : 'already attached';
      printLine(
        ctx,
        `${out.green('✓')} evidence of ${result.ref} (eval ${result.evalId}) ${verb} to ${remote.name}/${result.repository} ${out.dim(result.manifestDigest)}`,
      );
      printLine(ctx, out.dim(`  signed by ${result.signer}; referrer ${result.attestationDigest}`));
    }
    return 0;
  });
}
