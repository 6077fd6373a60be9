/**
 * pull: fetch a version, check every digest (manifest, config, layers, the bundle against its own
 * digest), check the signed evidence against trusted keys (--verify), then register it locally
 * (dependencies first) with the same digest it has everywhere.
 */

import { CheckFailedError } from '../errors.js';
import type { BuiltBundle, Bundle } from '../registry/bundle.js';
import type { Stage } from '../registry/lifecycle.js';
import type { Actor, Dependency, PreparedVersion, RegisterOutcome, Registry } from '../registry/registry.js';
import { isStage } from '../registry/stages.js';
import { assertValidBundle } from '../spec/validate-bundle.js';
import { canonicalJson, type Digest, sha256 } from '../util/canonical.js';
import { referrersTag } from './artifact.js';
import { type Envelope, type Verification, verifyEnvelope } from './sign.js';
import { type Descriptor, MEDIA, type Target, TITLE } from './target.js';
import { versionTag } from './url.js';

export interface PullOptions {
  registry: Registry;
  target: Target;
  repository: string;
  name: string;
  version: string;
  verify: boolean;
  trustedKeys: Record<string, string>;
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
  const files = new Map<string, Buffer>();
  for (const layer of body.layers) files.set(layer.annotations?.[TITLE] ?? layer.digest, await target.getBlob(repository, layer.digest));
  const config = JSON.parse((await target.getBlob(repository, body.config.digest)).toString('utf8')) as {
    digest: string;
    createdAt: string;
    createdBy: string;
    /** Since agentctl 0.2: each dependency's original registration (older artifacts lack it). */
    dependencies?: { name: string; version: string; createdAt: string; createdBy: string }[];
    version?: string;
  };
  if (stage && config.version) ref = `${options.name}@${config.version}`;

  const main = builtFrom(files, 'bundle.json', '', config.digest, ref);
  const deps: PreparedVersion[] = [];
  for (const title of [...files.keys()].filter((t) => /^deps\/[^/]+\.json$/.test(t))) {
    const prefix = title.slice(0, -'.json'.length);
    const dep = builtFrom(files, title, `${prefix}/`, undefined, prefix.slice('deps/'.length));
    const origin = config.dependencies?.find((d) => d.name === dep.bundle.name && d.version === dep.bundle.version);
    // Dependencies keep their original registration time and author, like the version itself.
    deps.push({ built: dep, dependencies: [], ...(origin ? { origin: { createdAt: origin.createdAt, createdBy: origin.createdBy } } : {}) });
  }

  let verification: Verification | null = null;
  if (options.verify) {
    verification = await verifySignature(target, repository, manifest.digest, options.trustedKeys);
    if (!verification.valid) {
      throw new CheckFailedError(`${ref} from ${target.description} failed verification: ${verification.reason}`, {
        fix: verification.keyId
          ? `if you trust the signer, add its public key under trustedKeys in .agentctl/config.yaml (key id ${verification.keyId})`
          : 'ask the owner to push it with agentctl push (it signs)',
        code: 'untrusted-signature',
      });
    }
  }
  const dependencies: Dependency[] = (
    main.bundle.spec.kind === 'Agent' ? [...(main.bundle.spec.spec.tools ?? []), ...(main.bundle.spec.spec.subAgents ?? [])] : []
  ).flatMap(({ ref: r }) => {
    const dep = deps.find((d) => r.startsWith(`${d.built.bundle.name}@`) || r === d.built.bundle.name);
    return dep ? [{ ref: r, name: dep.built.bundle.name, version: dep.built.bundle.version, digest: dep.built.digest }] : [];
  });
  // A pulled version keeps its owner: it is registered as that team's, by this user, via the pull.
  const origin = { createdAt: config.createdAt, createdBy: config.createdBy };
  options.signal?.throwIfAborted();
  const registered = options.registry.register([...deps, { built: main, dependencies, origin }], {
    user: `${options.actor.user} (pulled)`,
    team: main.bundle.owner,
  });
  return {
    ref: `${main.bundle.name}@${main.bundle.version}`,
    resolvedFrom: stage,
    manifestDigest: manifest.digest,
    digest: main.digest,
    verification,
    registered,
  };
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

async function verifySignature(target: Target, repository: string, digest: string, trusted: Record<string, string>): Promise<Verification> {
  const index = await target.getManifest(repository, referrersTag(digest));
  const referrers = index ? ((JSON.parse(index.bytes.toString('utf8')) as { manifests?: Descriptor[] }).manifests ?? []) : [];
  let last: Verification = { valid: false, keyId: null, keyName: null, statement: null, reason: 'it carries no signature' };
  for (const descriptor of referrers.filter((r) => r.artifactType === MEDIA.dsse)) {
    const manifest = await target.getManifest(repository, descriptor.digest);
    if (!manifest) continue;
    const body = JSON.parse(manifest.bytes.toString('utf8')) as { subject?: Descriptor; layers: Descriptor[] };
    if (body.subject?.digest !== digest) continue;
    const layer = body.layers.find((l) => l.mediaType === MEDIA.dsse);
    if (!layer) continue;
    const envelope = JSON.parse((await target.getBlob(repository, layer.digest)).toString('utf8')) as Envelope;
    const result = verifyEnvelope(envelope, trusted);
    const subject = (result.statement?.subject as { digest?: { sha256?: string } }[] | undefined)?.[0]?.digest?.sha256;
    if (result.valid && `sha256:${subject}` === digest) return result;
    last = result.valid ? { ...result, valid: false, reason: 'the signed statement is about another manifest' } : result;
  }
  return last;
}
