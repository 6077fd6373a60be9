/**
 * A registered version as OCI content, byte for byte the same on every machine: a config blob, the
 * canonical bundle, every file it references, and the bundles its refs resolved to; a manifest with
 * fixed annotations (created is the registration time). Evidence (eval, approvals, gate checks) is a
 * signed attestation attached as a referrer, so new evidence never changes the version's manifest.
 */

import { createRedactor } from '../events/redact.js';
import type { GateCheck } from '../registry/gates.js';
import type { Registry, VersionRow } from '../registry/registry.js';
import { canonicalJson, sha256 } from '../util/canonical.js';
import { PREDICATE_TYPE, type SigningKey, STATEMENT_TYPE, signStatement } from './sign.js';
import { type Descriptor, type Manifest, MEDIA, TITLE } from './target.js';

export interface Blob {
  descriptor: Descriptor;
  bytes: Buffer;
}

export interface Artifact {
  manifest: Manifest;
  blobs: Blob[];
}

const EMPTY = Buffer.from('{}');

function blob(mediaType: string, bytes: Buffer, title?: string): Blob {
  return { descriptor: { mediaType, digest: sha256(bytes), size: bytes.length, ...(title ? { annotations: { [TITLE]: title } } : {}) }, bytes };
}

function manifestOf(body: Record<string, unknown>): Manifest {
  const bytes = Buffer.from(canonicalJson(body));
  return { bytes, digest: sha256(bytes), mediaType: MEDIA.manifest };
}

export function versionArtifact(registry: Registry, row: VersionRow, source: string | undefined): Artifact {
  const bundle = registry.bundleOf(row.name, row.version);
  // Each dependency's original registration travels too, so a pull registers it as it was, not "now by me".
  const origins = registry.dependenciesOf(row.name, row.version).map((dep) => {
    const { createdAt, createdBy } = registry.resolve(`${dep.name}@${dep.version}`);
    return { name: dep.name, version: dep.version, createdAt, createdBy };
  });
  const config = blob(
    MEDIA.agentConfig,
    Buffer.from(
      canonicalJson({
        kind: row.kind,
        name: row.name,
        version: row.version,
        owner: row.owner,
        digest: row.digest,
        createdAt: row.createdAt,
        createdBy: row.createdBy,
        ...(origins.length ? { dependencies: origins } : {}),
      }),
    ),
  );
  const layers: Blob[] = [blob(MEDIA.bundle, Buffer.from(canonicalJson(bundle)), 'bundle.json')];
  for (const file of bundle.files) layers.push(blob(MEDIA.file, registry.blobs.get(file.digest), `files/${file.path}`));
  for (const dep of registry.dependenciesOf(row.name, row.version)) {
    const depBundle = registry.bundleOf(dep.name, dep.version);
    layers.push(blob(depBundle.kind === 'Tool' ? MEDIA.toolSpec : MEDIA.bundle, Buffer.from(canonicalJson(depBundle)), `deps/${dep.name}@${dep.version}.json`));
    for (const file of depBundle.files) layers.push(blob(MEDIA.file, registry.blobs.get(file.digest), `deps/${dep.name}@${dep.version}/${file.path}`));
  }
  const manifest = manifestOf({
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    artifactType: MEDIA.agentArtifact,
    config: config.descriptor,
    layers: layers.map((l) => l.descriptor),
    annotations: {
      'org.opencontainers.image.title': row.name,
      'org.opencontainers.image.version': row.version,
      'org.opencontainers.image.created': row.createdAt,
      'org.opencontainers.image.source': source ?? `urn:agentctl:${row.name}@${row.version}`,
      'dev.agentctl.owner': row.owner,
      'dev.agentctl.kind': row.kind,
      'dev.agentctl.digest': row.digest,
    },
  });
  return { manifest, blobs: [config, ...dedupe(layers)] };
}

/** The signed evidence for one stage: an in-toto statement about the manifest, in a DSSE envelope, as a referrer. */
export function attestationArtifact(
  registry: Registry,
  row: VersionRow,
  subject: Manifest,
  subjectName: string,
  stage: string,
  checks: GateCheck[],
  key: SigningKey,
): Artifact {
  // The free text people and gates wrote (reasons, notes, details) is redacted before it is signed and
  // pushed; signed approval envelopes are kept as they are, or they would no longer verify.
  const redactor = createRedactor();
  const scrub = <T extends string | null | undefined>(text: T): T => (typeof text === 'string' ? (redactor.text(text) as T) : text);
  const evaluation = registry.evals.latest(row.digest);
  const approvals = registry.evals.approvals(row.name, row.version, row.digest);
  // The newest piece of evidence dates the attestation: the same evidence always gives the same bytes.
  // How the version came to hold its stage: the last move that gave it (a promotion, or a rollback and why).
  const route = [...registry.stages.moves(row.name, row.version)].reverse().find((m) => m.toVersion === row.version && m.stage === stage);
  const times = [
    row.createdAt,
    ...approvals.map((a) => a.at),
    ...(evaluation?.finishedAt ? [new Date(evaluation.finishedAt).toISOString()] : []),
    ...(route ? [route.at] : []),
  ].sort();
  const statement = {
    _type: STATEMENT_TYPE,
    subject: [{ name: subjectName, digest: { sha256: subject.digest.replace(/^sha256:/, '') } }],
    predicateType: PREDICATE_TYPE,
    predicate: {
      name: row.name,
      version: row.version,
      digest: row.digest,
      owner: row.owner,
      stage,
      route: route
        ? { action: route.action, stage: route.stage, from: route.fromVersion, at: route.at, by: route.actor, team: route.team, reason: scrub(route.reason) }
        : null,
      eval: evaluation
        ? {
            evalId: evaluation.evalId,
            passRate: evaluation.passRate,
            regressions: evaluation.regressions,
            baseline: evaluation.baselineRef,
            summary: evaluation.summary,
            policies: evaluation.policies,
            environment: evaluation.environment,
            results: registry.evals.results(evaluation.evalId).map((r) => ({ sample: r.sampleId, iteration: r.iteration, status: r.status, score: r.score })),
          }
        : null,
      // Signed approvals travel with their DSSE envelopes, so a consumer can verify each against its trust file.
      approvals: approvals.map((a) => ({
        user: a.user,
        team: a.team,
        note: scrub(a.note),
        at: a.at,
        signer: a.signer,
        envelope: a.envelope ? (JSON.parse(a.envelope) as unknown) : null,
      })),
      approvalsSigned: approvals.length > 0 && approvals.every((a) => a.signer !== null),
      gates: checks.map((c) => ({ gate: c.gate, policy: c.policy, holds: c.holds, detail: scrub(c.detail) })),
    },
  };
  const envelope = blob(MEDIA.dsse, Buffer.from(canonicalJson(signStatement(Buffer.from(canonicalJson(statement)), key))), 'attestation.dsse.json');
  const empty = blob(MEDIA.empty, EMPTY);
  const manifest = manifestOf({
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    artifactType: MEDIA.dsse,
    config: empty.descriptor,
    layers: [envelope.descriptor],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.bytes.length },
    annotations: { 'org.opencontainers.image.created': times.at(-1) as string, 'dev.agentctl.stage': stage, 'dev.agentctl.signer': key.keyId },
  });
  return { manifest, blobs: [empty, envelope] };
}

function dedupe(blobs: Blob[]): Blob[] {
  const seen = new Set<string>();
  return blobs.filter((b) => !seen.has(b.descriptor.digest) && seen.add(b.descriptor.digest));
}

/** The tag where registries without the referrers API keep a subject's referrers: sha256-<hex>. */
export function referrersTag(digest: string): string {
  return digest.replace(':', '-');
}
