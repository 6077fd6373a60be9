/**
 * The signed evidence of a pulled manifest: found through the target's referrers index (the OCI referrers
 * API, a layout's index.json) and the sha256-<hex> tag schema, checked to be about this manifest, and
 * verified against the trusted keys it is given (the caller decides which keys are trusted).
 */
import { CheckFailedError } from '../errors.js';
import type { ReleasePredicate } from '../eval/store.js';
import { isStage } from '../registry/stages.js';
import { canonicalJson } from '../util/canonical.js';
import { referrersTag } from './artifact.js';
import { type Envelope, type Verification, verifyEnvelope } from './sign.js';
import { type Descriptor, MEDIA, type Target } from './target.js';

export interface Referrer {
  digest: string;
  /** From the referrer's own manifest (artifactType, else its config's media type), not the index entry. */
  artifactType: string | null;
  /** The manifest it says it is about. */
  subject: string | null;
  layers: Descriptor[];
  annotations: Record<string, string>;
}

interface ReferrerManifest {
  artifactType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  subject?: { digest?: string };
  annotations?: Record<string, string>;
}

/**
 * Every referrer listed for `subject`, by the target's referrers index and by the tag schema (a copy may
 * carry either), read from its own manifest. Anyone who can write the sha256-<hex> tag can list anything
 * there: callers check `subject` (assertAbout) before trusting what they found.
 */
export async function findReferrers(target: Target, repository: string, subject: string): Promise<Referrer[]> {
  const listed = new Map<string, Descriptor>();
  for (const d of (await target.referrers(repository, subject)) ?? []) listed.set(d.digest, d);
  const index = await target.getManifest(repository, referrersTag(subject));
  if (index) {
    const manifests = (JSON.parse(index.bytes.toString('utf8')) as { manifests?: Descriptor[] }).manifests ?? [];
    for (const d of manifests) if (typeof d?.digest === 'string' && !listed.has(d.digest)) listed.set(d.digest, d);
  }
  const out: Referrer[] = [];
  for (const descriptor of listed.values()) {
    const manifest = await target.getManifest(repository, descriptor.digest);
    // Listed but not copied: nothing to check, and nothing that could vouch for the version.
    if (!manifest) continue;
    const body = JSON.parse(manifest.bytes.toString('utf8')) as ReferrerManifest;
    // The spec: without artifactType, a referrer's type is its config's media type (unless that is empty).
    const configType = body.config?.mediaType && body.config.mediaType !== MEDIA.empty ? body.config.mediaType : null;
    out.push({
      digest: descriptor.digest,
      subject: body.subject?.digest ?? null,
      artifactType: body.artifactType ?? configType,
      layers: body.layers ?? [],
      annotations: body.annotations ?? {},
    });
  }
  return out;
}

/** Refuses when a referrer listed for `subject` is about another manifest: evidence of another version. */
export function assertAbout(referrers: Referrer[], subject: string, where: string): void {
  const foreign = referrers.find((r) => r.subject !== subject);
  if (!foreign) return;
  throw new CheckFailedError(
    `the evidence ${foreign.digest} listed for ${where} is about another manifest (${foreign.subject ?? 'no subject'}), not ${subject}: evidence of another version was attached to it`,
    {
      where,
      fix: 'do not trust this copy; ask the owner to push the version again with agentctl push, and remove the foreign referrer',
      code: 'referrer-subject-mismatch',
    },
  );
}

export interface VerifiedAttestation {
  attestationDigest: string;
  keyId: string;
  keyName: string;
  predicate: ReleasePredicate;
  envelope: string;
}

export interface EvidenceCheck {
  /** How many signed-evidence referrers were found (verified or not). */
  found: number;
  verified: VerifiedAttestation[];
  /** Why the others did not verify (the last one is the most telling). */
  failures: Verification[];
}

/** What the attestation must be about: the manifest pulled, and the version asked for. */
export interface Expected {
  manifestDigest: string;
  name: string;
  version: string;
  digest: string;
}

/** Verifies each DSSE referrer against `trusted` (name → PEM): the statement must be about exactly `expected`. */
export async function checkEvidence(
  target: Target,
  repository: string,
  referrers: Referrer[],
  expected: Expected,
  trusted: Record<string, string>,
): Promise<EvidenceCheck> {
  const check: EvidenceCheck = { found: 0, verified: [], failures: [] };
  for (const referrer of referrers.filter((r) => r.artifactType === MEDIA.dsse)) {
    const layer = referrer.layers.find((l) => l.mediaType === MEDIA.dsse);
    if (!layer) continue;
    check.found++;
    const envelope = JSON.parse((await target.getBlob(repository, layer.digest)).toString('utf8')) as Envelope;
    const result = verifyEnvelope(envelope, trusted);
    if (!result.valid || !result.keyId || !result.keyName) {
      check.failures.push(result);
      continue;
    }
    const problem = aboutOtherThan(result.statement, expected);
    if (problem) {
      check.failures.push({ ...result, valid: false, reason: problem });
      continue;
    }
    check.verified.push({
      attestationDigest: referrer.digest,
      keyId: result.keyId,
      keyName: result.keyName,
      predicate: decodePredicate(result.statement),
      envelope: canonicalJson(envelope),
    });
  }
  return check;
}

function aboutOtherThan(statement: Record<string, unknown> | null, expected: Expected): string | null {
  const subject = (statement?.subject as { digest?: { sha256?: string } }[] | undefined)?.[0]?.digest?.sha256;
  if (`sha256:${subject}` !== expected.manifestDigest) return 'the signed statement is about another manifest';
  const p = statement?.predicate as Partial<ReleasePredicate> | undefined;
  if (p?.name !== expected.name || p.version !== expected.version || p.digest !== expected.digest) {
    return `the signed statement is about ${p?.name}@${p?.version} (${p?.digest}), not ${expected.name}@${expected.version}`;
  }
  return null;
}

/** The predicate as push signs it; missing parts (older pushes) read as empty, never as evidence. */
function decodePredicate(statement: Record<string, unknown> | null): ReleasePredicate {
  const p = (statement?.predicate ?? {}) as Record<string, unknown>;
  const stage = typeof p.stage === 'string' && isStage(p.stage) ? p.stage : null;
  return {
    name: String(p.name),
    version: String(p.version),
    digest: String(p.digest),
    owner: String(p.owner ?? ''),
    stage,
    eval: p.eval && typeof p.eval === 'object' ? (p.eval as ReleasePredicate['eval']) : null,
    approvals: Array.isArray(p.approvals) ? (p.approvals as ReleasePredicate['approvals']) : [],
    gates: Array.isArray(p.gates) ? (p.gates as ReleasePredicate['gates']) : [],
  };
}
