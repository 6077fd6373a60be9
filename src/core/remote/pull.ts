/**
 * pull: fetch a version, check it is the version asked for (manifest annotations, config and bundle all
 * name it: a moved tag is refused), check every digest (manifest, config, layers, the bundle against its
 * own digest), check the signed evidence against trusted keys (--verify), then register it locally
 * (dependencies first) with the same digest it has everywhere, with the evidence that verified.
 */

import { CheckFailedError } from '../errors.js';
import type { BuiltBundle, Bundle } from '../registry/bundle.js';
import type { Stage } from '../registry/lifecycle.js';
import type { Actor, Dependency, PreparedVersion, RegisterOutcome, Registry } from '../registry/registry.js';
import { isStage } from '../registry/stages.js';
import { assertValidBundle } from '../spec/validate-bundle.js';
import { canonicalJson, type Digest, sha256 } from '../util/canonical.js';
import { assertAbout, checkEvidence, type EvidenceCheck, findReferrers } from './referrers.js';
import type { Verification } from './sign.js';
import { type Descriptor, MEDIA, type Target, TITLE } from './target.js';
import { versionTag } from './url.js';

export interface PullOptions {
  registry: Registry;
  target: Target;
  repository: string;
  name: string;
  version: string;
  verify: boolean;
  /** name → PEM: the keys whose signatures count (the caller decides: config trustedKeys, own keys, trust.yaml). */
  trustedKeys: Record<string, string>;
  /** The remote's name as this workspace knows it: imported evidence records it as its origin. */
  remoteName: string;
  actor: Actor;
  /** The caller's cancel: a cancelled pull registers nothing (pass it to openRemote too, to stop the request in flight). */
  signal?: AbortSignal | undefined;
}

export interface PullResult {
  ref: string;
  /** The stage the ref named (`team/triage@prod`), resolved through the remote's moving stage tag. */
  resolvedFrom: Stage | null;
  manifestDigest: string;
  digest: string;
  verification: Verification | null;
  registered: RegisterOutcome[];
  /** Each verified attestation that came with the version (imported: new here; else already recorded). */
  evidence: { attestationDigest: string; keyId: string; keyName: string; stage: Stage | null; imported: boolean }[];
}

interface ManifestBody {
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export async function pullVersion(options: PullOptions): Promise<PullResult> {
  const { target, repository } = options;
  // A stage is a route on the remote too: the moving tag names the version that holds it there.
  const stage = isStage(options.version) ? options.version : null;
  const tag = stage ?? versionTag(options.version);
  let ref = `${options.name}@${options.version}`;
  const manifest = await target.getManifest(repository, tag);
  if (!manifest) {
    throw new CheckFailedError(`${ref} is not on ${target.description} (no tag ${tag} in ${repository})`, {
      fix: stage ? `nothing holds ${stage} there yet: agentctl remote ls <remote> ${options.name}` : `agentctl remote ls <remote> ${options.name}`,
      code: 'not-found',
    });
  }
  const body = JSON.parse(manifest.bytes.toString('utf8')) as ManifestBody;
  if (body.artifactType !== MEDIA.agentArtifact) {
    throw new CheckFailedError(
      `${target.description}/${repository}:${versionTag(options.version)} is not an agentctl artifact (artifactType ${body.artifactType ?? 'none'})`,
      { code: 'not-an-agent' },
    );
  }
  const where = `${options.name}@${options.version} on ${options.remoteName}`;
  // What the tag names: a version tag names its version; a stage tag's manifest says which version it holds.
  const annotated = { name: body.annotations?.[TITLE], version: body.annotations?.[VERSION] };
  const wanted = stage ? annotated.version : options.version;
  if (!wanted) {
    throw new CheckFailedError(`the ${stage} tag on ${target.description}/${repository} does not say which version it holds (no ${VERSION} annotation)`, {
      where,
      fix: 'ask the owner to push the version that holds the stage again with agentctl push',
      code: 'not-that-version',
    });
  }
  const asked = `${options.name}@${wanted}`;
  const files = new Map<string, Buffer>();
  for (const layer of body.layers) files.set(layer.annotations?.[TITLE] ?? layer.digest, await target.getBlob(repository, layer.digest));
  const config = JSON.parse((await target.getBlob(repository, body.config.digest)).toString('utf8')) as {
    name?: string;
    digest: string;
    createdAt: string;
    createdBy: string;
    /** Since agentctl 0.2: each dependency's original registration (older artifacts lack it). */
    dependencies?: { name: string; version: string; createdAt: string; createdBy: string }[];
    version?: string;
  };
  if (stage) ref = asked;

  const main = builtFrom(files, 'bundle.json', '', config.digest, ref);
  assertIdentity(asked, tag, stage, options.remoteName, `${target.description} (repository ${repository})`, [
    ['its manifest', `${annotated.name}@${annotated.version}`],
    ['its config', `${config.name}@${config.version}`],
    ['its bundle', `${main.bundle.name}@${main.bundle.version}`],
  ]);
  const deps: PreparedVersion[] = [];
  for (const title of [...files.keys()].filter((t) => /^deps\/[^/]+\.json$/.test(t))) {
    const prefix = title.slice(0, -'.json'.length);
    const dep = builtFrom(files, title, `${prefix}/`, undefined, prefix.slice('deps/'.length));
    const origin = config.dependencies?.find((d) => d.name === dep.bundle.name && d.version === dep.bundle.version);
    // Dependencies keep their original registration time and author, like the version itself.
    deps.push({ built: dep, dependencies: [], ...(origin ? { origin: { createdAt: origin.createdAt, createdBy: origin.createdBy } } : {}) });
  }

  // Evidence is read on every pull (so verified evidence comes with the version); --verify makes it required.
  const referrers = await findReferrers(target, repository, manifest.digest);
  assertAbout(referrers, manifest.digest, where);
  const expected = { manifestDigest: manifest.digest, name: main.bundle.name, version: main.bundle.version, digest: main.digest };
  const evidence = await checkEvidence(target, repository, referrers, expected, options.trustedKeys);
  const verification = options.verify ? requireSignature(evidence, ref, options.remoteName, target.description) : null;
  const dependencies: Dependency[] = (
    main.bundle.spec.kind === 'Agent' ? [...(main.bundle.spec.spec.tools ?? []), ...(main.bundle.spec.spec.subAgents ?? [])] : []
  ).flatMap(({ ref: r }) => {
    const dep = deps.find((d) => r.startsWith(`${d.built.bundle.name}@`) || r === d.built.bundle.name);
    return dep ? [{ ref: r, name: dep.built.bundle.name, version: dep.built.bundle.version, digest: dep.built.digest }] : [];
  });
  // A pulled version keeps its owner: it is registered as that team's, by this user, via the pull.
  const origin = { createdAt: config.createdAt, createdBy: config.createdBy };
  options.signal?.throwIfAborted();
  const { registered, imported } = options.registry.transaction(() => {
    const outcomes = options.registry.register([...deps, { built: main, dependencies, origin }], {
      user: `${options.actor.user} (pulled)`,
      team: main.bundle.owner,
    });
    const fresh = evidence.verified.map((v) =>
      options.registry.evals.importEvidence({
        name: main.bundle.name,
        version: main.bundle.version,
        digest: main.digest,
        remote: options.remoteName,
        manifestDigest: manifest.digest,
        attestationDigest: v.attestationDigest,
        signerKeyId: v.keyId,
        signerName: v.keyName,
        remoteStage: v.predicate.stage,
        predicate: v.predicate,
        envelope: v.envelope,
        importedBy: options.actor.user,
      }),
    );
    // Where each version came from and who trusted signed it: eval and run --live ask before running its code.
    const signers = evidence.verified.map((v) => ({ keyId: v.keyId, keyName: v.keyName }));
    const via = `${main.bundle.name}@${main.bundle.version}`;
    for (const { built } of [...deps, { built: main }]) {
      options.registry.origins.recordPull({
        name: built.bundle.name,
        version: built.bundle.version,
        digest: built.digest,
        remote: options.remoteName,
        location: target.description,
        manifestDigest: manifest.digest,
        via,
        signers,
        pulledBy: options.actor.user,
      });
    }
    return { registered: outcomes, imported: fresh };
  });
  return {
    ref: `${main.bundle.name}@${main.bundle.version}`,
    resolvedFrom: stage,
    manifestDigest: manifest.digest,
    digest: main.digest,
    verification,
    registered,
    evidence: evidence.verified.map((v, i) => ({
      attestationDigest: v.attestationDigest,
      keyId: v.keyId,
      keyName: v.keyName,
      stage: v.predicate.stage,
      imported: imported[i] ?? false,
    })),
  };
}

const VERSION = 'org.opencontainers.image.version';

/** The manifest, the config and the bundle must all name the version asked for: else the tag was moved. */
function assertIdentity(asked: string, tag: string, stage: Stage | null, remote: string, location: string, claims: [string, string][]): void {
  const wrong = claims.filter(([, says]) => says !== asked);
  if (wrong.length === 0) return;
  const bundle = claims.at(-1)?.[1] ?? '?';
  const agree = claims.every(([, says]) => says === bundle);
  const detail = claims.map(([what, says]) => `${what} says ${says}`).join(', ');
  const why = stage
    ? `the ${stage} tag on ${remote} says it holds ${asked}, but it points at ${bundle} (${detail})`
    : `the tag ${tag} on ${remote} points at ${bundle}${agree ? ': the tag was moved' : `: the artifact contradicts itself (${detail})`}`;
  throw new CheckFailedError(`refusing to pull ${asked}: ${why}; nothing was registered`, {
    where: `${location}, tag ${tag}`,
    fix: `do not trust this remote's ${tag} tag; ask the owner to push ${asked} again (agentctl push), or pull ${bundle} by its own version`,
    code: 'not-that-version',
  });
}

/** --verify: some referrer must carry a signature by a trusted key about exactly this version. */
function requireSignature(evidence: EvidenceCheck, ref: string, remoteName: string, remote: string): Verification {
  const first = evidence.verified[0];
  if (first) {
    return { valid: true, keyId: first.keyId, keyName: first.keyName, statement: null, reason: `signed by ${first.keyName}` };
  }
  if (evidence.found === 0) {
    throw new CheckFailedError(`no signed evidence was found for ${ref} on ${remoteName} (${remote}): the signature was not copied with the artifact`, {
      where: `${remoteName}/${ref}`,
      fix: 'copy with `skopeo copy --all` or another OCI-aware tool that copies referrers, or push it again with agentctl push',
      code: 'no-signature',
    });
  }
  const last = evidence.failures.at(-1) as Verification;
  throw new CheckFailedError(`${ref} from ${remote} failed verification: ${last.reason}`, {
    fix: last.keyId
      ? `if you trust the signer, add its public key under trustedKeys in .agentctl/config.yaml (key id ${last.keyId})`
      : 'ask the owner to push it with agentctl push (it signs)',
    code: 'untrusted-signature',
  });
}

/** Rebuilds a bundle from pulled layers and checks it hashes to what it claims. */
function builtFrom(files: Map<string, Buffer>, title: string, filePrefix: string, expected: string | undefined, ref: string): BuiltBundle {
  const raw = files.get(title);
  if (!raw) throw new CheckFailedError(`the artifact of ${ref} has no ${title}`, { code: 'bad-artifact' });
  const bundle = JSON.parse(raw.toString('utf8')) as Bundle;
  const json = canonicalJson(bundle);
  const digest = sha256(json);
  if (expected !== undefined && digest !== expected) {
    throw new CheckFailedError(`the bundle of ${ref} hashes to ${digest}, but its config says ${expected}: it was tampered with`, { code: 'digest-mismatch' });
  }
  const contents = new Map<Digest, Buffer>();
  for (const file of bundle.files) {
    // The version's own files are titled files/<path>; a dependency's deps/<name>@<version>/<path>.
    const bytes = files.get(filePrefix ? `${filePrefix}${file.path}` : `files/${file.path}`);
    if (!bytes || sha256(bytes) !== file.digest) {
      throw new CheckFailedError(`${ref}: the file ${file.path} is missing from the artifact or does not match the bundle's digest ${file.digest}`, {
        code: 'digest-mismatch',
      });
    }
    contents.set(file.digest, bytes);
  }
  assertValidBundle(bundle, contents); // Re-validated like a local spec: a remote is not trusted to have run validate.
  return { bundle, digest, json, contents };
}
