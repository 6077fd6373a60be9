/**
 * push: refuse unless the gates of the version's stage hold; then blobs first (only the missing ones),
 * the version's manifest under its version tag last, the signed evidence as a referrer (with the
 * sha256-<hex> tag fallback for registries without the referrers API), and the moving stage tag.
 * Pushing the same content again uploads nothing; a version tag that already points elsewhere is refused.
 */
import { CheckFailedError } from '../errors.js';
import { dependencyStates, evidenceOf, gatePolicies } from '../registry/evidence.js';
import { checkGates } from '../registry/gates.js';
import type { Stage } from '../registry/lifecycle.js';
import type { Registry, VersionRow } from '../registry/registry.js';
import type { PolicyDocument } from '../spec/schema.js';
import { canonicalJson, sha256 } from '../util/canonical.js';
import { type Artifact, attestationArtifact, referrersTag, versionArtifact } from './artifact.js';
import type { SigningKey } from './sign.js';
import { type Descriptor, type Manifest, MEDIA, type Target } from './target.js';
import { versionTag } from './url.js';

export interface PushOptions {
  registry: Registry;
  target: Target;
  repository: string;
  ref: string;
  policies: readonly PolicyDocument[];
  defaultPolicy: string | undefined;
  key: SigningKey;
  source?: string | undefined;
  dryRun?: boolean;
  onStep?: (message: string) => void;
  /**
   * The caller's cancel. Checked before every upload and before every manifest, so a cancelled push never
   * tags anything after the cancel; for a registry, pass the same signal to the target (openRemote) so the
   * request in flight stops too. Blobs already up stay, and the next push skips them.
   */
  signal?: AbortSignal | undefined;
}

export interface PushResult {
  ref: string;
  repository: string;
  manifestDigest: string;
  tags: string[];
  /** The stage tag this push moved (null: the version holds no stage now). */
  stage: string | null;
  /** Per blob: already on the remote, or uploaded (would be, in a dry run). */
  blobs: { digest: string; size: number; title: string | null; present: boolean }[];
  manifest: 'created' | 'unchanged';
  attestation: 'created' | 'unchanged';
  dryRun: boolean;
  requests: number;
  uploads: number;
  uploadedBytes: number;
}

export async function pushVersion(options: PushOptions): Promise<PushResult> {
  const { registry, target, repository } = options;
  const row = registry.resolve(options.ref);
  const exact = `${row.name}@${row.version}`;
  assertPublishable(row, exact);
  // The stage tag follows the route: the stage the ref named, else the highest stage the version holds
  // now (after a rollback, pushing the version that holds prod again moves the remote prod tag back).
  // A version that holds no stage any more is published under its version tag only.
  const routed: Stage | undefined = row.resolvedFrom ?? row.holds.at(-1);
  const gateStage: Stage = routed ?? row.stage;
  const checks = checkGates({
    bundle: registry.bundleOf(row.name, row.version),
    digest: row.digest,
    stage: gateStage,
    ...gatePolicies(registry, options.policies),
    defaultPolicy: options.defaultPolicy,
    evidence: evidenceOf(registry, row),
    dependencies: dependencyStates(registry, row),
  });
  const missing = checks.filter((c) => !c.holds);
  if (missing.length) {
    throw new CheckFailedError(
      `${exact} cannot be published: the gates of its stage (${gateStage}) do not hold\n${missing.map((m) => `  - ${m.gate} (policy ${m.policy}): ${m.detail}`).join('\n')}`,
      {
        where: exact,
        fix: missing.flatMap((m) => (m.fix ? [m.fix] : [])).join('; then ') || `agentctl gates ${exact}`,
        code: 'gate-refused',
      },
    );
  }
  const tag = versionTag(row.version);
  const content = versionArtifact(registry, row, options.source);
  const attestation = attestationArtifact(registry, row, content.manifest, `${repository}:${tag}`, gateStage, checks, options.key);
  const result: PushResult = {
    ref: exact,
    repository,
    manifestDigest: content.manifest.digest,
    tags: routed ? [tag, routed] : [tag],
    stage: routed ?? null,
    blobs: [],
    manifest: 'unchanged',
    attestation: 'unchanged',
    dryRun: Boolean(options.dryRun),
    requests: 0,
    uploads: 0,
    uploadedBytes: 0,
  };

  const existing = await target.resolveTag(repository, tag);
  if (existing !== undefined && existing !== content.manifest.digest) {
    throw new CheckFailedError(
      `${target.description}/${repository}:${tag} already points at ${existing}, not at this version's manifest ${content.manifest.digest}; a published version never changes`,
      {
        where: `${target.description}/${repository}:${tag}`,
        fix: 'bump the version (register a new one) and push that; never overwrite a published version',
        code: 'tag-conflict',
      },
    );
  }
  if (existing === undefined) {
    result.blobs = await uploadBlobs(target, repository, content, Boolean(options.dryRun), options.onStep, options.signal);
    if (!options.dryRun) {
      // Manifest last: until this PUT, no tag points at anything partial; after a cancel, not even then.
      options.signal?.throwIfAborted();
      await target.putManifest(repository, content.manifest, tag);
      options.onStep?.(`tagged ${repository}:${tag} → ${content.manifest.digest}`);
    }
    result.manifest = 'created';
  }
  result.attestation = (await attach(target, repository, content.manifest, attestation, Boolean(options.dryRun), options.onStep, options.signal))
    ? 'created'
    : 'unchanged';
  if (routed) {
    const stageAt = await target.resolveTag(repository, routed);
    if (stageAt !== content.manifest.digest && !options.dryRun) {
      options.signal?.throwIfAborted();
      await target.putManifest(repository, content.manifest, routed);
      options.onStep?.(`moved ${repository}:${routed} → ${tag}`);
    }
  }
  Object.assign(result, { requests: target.stats.requests, uploads: target.stats.uploads, uploadedBytes: target.stats.uploadedBytes });
  return result;
}

function assertPublishable(row: VersionRow, exact: string): void {
  if (row.status === 'draft') {
    throw new CheckFailedError(`${exact} is a draft; only active versions are published`, {
      fix: `agentctl promote ${exact} --to dev`,
      code: 'not-publishable',
    });
  }
  if (row.status === 'disabled' || row.status === 'deprecated') {
    throw new CheckFailedError(`${exact} is ${row.status}; it is not published any more`, { fix: 'publish a newer version', code: 'not-publishable' });
  }
}

async function uploadBlobs(
  target: Target,
  repository: string,
  artifact: Artifact,
  dryRun: boolean,
  onStep?: (m: string) => void,
  signal?: AbortSignal,
): Promise<PushResult['blobs']> {
  const out: PushResult['blobs'] = [];
  for (const b of artifact.blobs) {
    signal?.throwIfAborted();
    const present = await target.hasBlob(repository, b.descriptor.digest);
    const title = b.descriptor.annotations?.['org.opencontainers.image.title'] ?? null;
    out.push({ digest: b.descriptor.digest, size: b.bytes.length, title, present });
    if (present || dryRun) continue;
    await target.putBlob(repository, b.descriptor.digest, b.bytes);
    onStep?.(`uploaded ${title ?? b.descriptor.mediaType} (${b.bytes.length} B)`);
  }
  return out;
}

/**
 * Attaches the attestation as a referrer of the manifest. Registries with the referrers API index it
 * from its `subject`; for the others (like distribution 2.x) the sha256-<hex> tag holds an index of them.
 */
export async function attach(
  target: Target,
  repository: string,
  subject: Manifest,
  attestation: Artifact,
  dryRun: boolean,
  onStep?: (m: string) => void,
  signal?: AbortSignal,
): Promise<boolean> {
  const fallback = referrersTag(subject.digest);
  const current = await target.getManifest(repository, fallback);
  const index = current ? (JSON.parse(current.bytes.toString('utf8')) as { manifests?: Descriptor[] }) : { manifests: [] };
  if (index.manifests?.some((m) => m.digest === attestation.manifest.digest)) return false;
  if (dryRun) return true;
  await uploadBlobs(target, repository, attestation, false, onStep, signal);
  signal?.throwIfAborted();
  await target.putManifest(repository, attestation.manifest);
  const descriptor: Descriptor = {
    mediaType: MEDIA.manifest,
    digest: attestation.manifest.digest,
    size: attestation.manifest.bytes.length,
    artifactType: MEDIA.dsse,
    annotations: (JSON.parse(attestation.manifest.bytes.toString('utf8')) as { annotations: Record<string, string> }).annotations,
  };
  const bytes = Buffer.from(canonicalJson({ schemaVersion: 2, mediaType: MEDIA.index, manifests: [...(index.manifests ?? []), descriptor] }));
  signal?.throwIfAborted();
  await target.putManifest(repository, { bytes, digest: sha256(bytes), mediaType: MEDIA.index }, fallback);
  onStep?.(`attached the signed evidence (${attestation.manifest.digest.slice(0, 19)}…)`);
  return true;
}
