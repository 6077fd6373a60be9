/**
 * attest: sign the evidence gathered here (CI's eval of a version's digest) and attach it to that version
 * on the remote as a referrer — the same in-toto statement push attaches — without pushing the version
 * again: it must already be published, with exactly the digest the evidence is about.
 */
import { CheckFailedError, NotFoundError } from '../errors.js';
import { dependencyStates, evidenceOf, gatePolicies } from '../registry/evidence.js';
import { checkGates } from '../registry/gates.js';
import type { Actor, Registry, VersionRow } from '../registry/registry.js';
import type { PolicyDocument } from '../spec/schema.js';
import { attestationArtifact } from './artifact.js';
import { pullVersion } from './pull.js';
import { attach } from './push.js';
import type { SigningKey } from './sign.js';
import type { Target } from './target.js';
import { versionTag } from './url.js';

export interface AttestOptions {
  registry: Registry;
  target: Target;
  /** Where the remote is, for messages (its name). */
  remoteName: string;
  repository: string;
  name: string;
  version: string;
  /** The digest the evidence here is about (the evaluated copy); undefined: whatever the remote holds. */
  digest?: string | undefined;
  policies: readonly PolicyDocument[];
  defaultPolicy: string | undefined;
  key: SigningKey;
  actor: Actor;
  onStep?: (message: string) => void;
  signal?: AbortSignal | undefined;
}

export interface AttestResult {
  ref: string;
  repository: string;
  manifestDigest: string;
  digest: string;
  evalId: string;
  stage: string;
  signer: string;
  attestationDigest: string;
  attestation: 'created' | 'unchanged';
}

export async function attestVersion(options: AttestOptions): Promise<AttestResult> {
  const { registry, target, repository, name, version } = options;
  const ref = `${name}@${version}`;
  const tag = versionTag(version);
  const manifest = await target.getManifest(repository, tag);
  if (!manifest) {
    throw new CheckFailedError(
      `${ref} is not on ${options.remoteName} (no tag ${tag} in ${repository}): attest adds evidence to a published version, it never publishes one`,
      {
        fix: `publish it first (agentctl push ${ref} --remote ${options.remoteName}), then attest again`,
        code: 'not-published',
      },
    );
  }
  const published = (JSON.parse(manifest.bytes.toString('utf8')) as { annotations?: Record<string, string> }).annotations?.['dev.agentctl.digest'];
  if (options.digest !== undefined && published !== options.digest) {
    throw new CheckFailedError(
      `${ref} on ${options.remoteName} is ${published ?? 'an artifact without a digest'}, but the evidence here is about ${options.digest}: evidence is bound to the digest`,
      { fix: 'evaluate exactly the published version (check out its commit), or register and push this one under a new version', code: 'digest-mismatch' },
    );
  }
  const row = await localRow(options, ref);
  const evaluation = registry.evals.latest(row.digest);
  if (!evaluation) {
    throw new CheckFailedError(`there is no eval of ${ref} (${row.digest.slice(0, 19)}…) here to attest`, {
      fix: `agentctl eval ${name} first (in the same job)`,
      code: 'no-evidence',
    });
  }
  const stage = row.holds.at(-1) ?? row.stage;
  const checks = checkGates({
    bundle: registry.bundleOf(row.name, row.version),
    digest: row.digest,
    stage,
    ...gatePolicies(registry, options.policies),
    defaultPolicy: options.defaultPolicy,
    evidence: evidenceOf(registry, row),
    dependencies: dependencyStates(registry, row),
  });
  const attestation = attestationArtifact(registry, row, manifest, `${repository}:${tag}`, stage, checks, options.key);
  const created = await attach(target, repository, manifest, attestation, false, options.onStep, options.signal);
  return {
    ref,
    repository,
    manifestDigest: manifest.digest,
    digest: row.digest,
    evalId: evaluation.evalId,
    stage,
    signer: options.key.keyId,
    attestationDigest: attestation.manifest.digest,
    attestation: created ? 'created' : 'unchanged',
  };
}

/** The version in the local registry; pulled from the remote (every digest checked) when CI has not registered it. */
async function localRow(options: AttestOptions, ref: string): Promise<VersionRow> {
  const { registry } = options;
  try {
    const row = registry.resolve(ref);
    if (options.digest === undefined || row.digest === options.digest) return row;
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
  await pullVersion({
    registry,
    target: options.target,
    repository: options.repository,
    remoteName: options.remoteName,
    name: options.name,
    version: options.version,
    verify: false,
    trustedKeys: {},
    actor: options.actor,
    signal: options.signal,
  });
  return registry.resolve(ref);
}
