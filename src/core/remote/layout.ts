/**
 * An OCI image layout on disk (file:// remotes): one layout per repository, `oci-layout`, `index.json`
 * and `blobs/sha256/…`, so standard OCI tools (oras, skopeo, crane) read it as it is.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { CheckFailedError, EnvironmentError } from '../errors.js';
import { sha256 } from '../util/canonical.js';
import { type Descriptor, type Manifest, MEDIA, type Target, type TargetStats } from './target.js';

const REF_NAME = 'org.opencontainers.image.ref.name';

interface Index {
  schemaVersion: 2;
  mediaType: string;
  manifests: Descriptor[];
}

export class LayoutTarget implements Target {
  readonly stats: TargetStats = { requests: 0, uploads: 0, uploadedBytes: 0 };
  readonly description: string;

  constructor(private readonly root: string) {
    this.description = root;
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    this.stats.requests++;
    return existsSync(this.blobPath(repository, digest));
  }

  async putBlob(repository: string, digest: string, bytes: Buffer): Promise<void> {
    this.stats.requests++;
    if (sha256(bytes) !== digest) throw new Error(`refusing to store a blob under the wrong digest ${digest}`);
    const path = this.blobPath(repository, digest);
    if (existsSync(path)) return;
    this.ensureLayout(repository);
    mkdirSync(dirname(path), { recursive: true });
    writeAtomic(path, bytes);
    this.stats.uploads++;
    this.stats.uploadedBytes += bytes.length;
  }

  async getBlob(repository: string, digest: string): Promise<Buffer> {
    this.stats.requests++;
    const path = this.blobPath(repository, digest);
    if (!existsSync(path))
      throw new CheckFailedError(`blob ${digest} is missing from ${this.root}/${repository}`, { code: 'missing-blob', fix: 'push the version again' });
    const bytes = readFileSync(path);
    const actual = sha256(bytes);
    if (actual !== digest) {
      throw new CheckFailedError(`blob ${digest} in ${this.root}/${repository} does not match its digest (its content hashes to ${actual}): it was changed`, {
        code: 'digest-mismatch',
        where: relative(process.cwd(), path),
        fix: 'do not trust this copy; push the version again from a registry that has it',
      });
    }
    return bytes;
  }

  async getManifest(repository: string, reference: string): Promise<Manifest | undefined> {
    const digest = reference.startsWith('sha256:') ? reference : await this.resolveTag(repository, reference);
    if (!digest || !existsSync(this.blobPath(repository, digest))) return undefined;
    const bytes = await this.getBlob(repository, digest);
    const mediaType = (JSON.parse(bytes.toString('utf8')) as { mediaType?: string }).mediaType ?? MEDIA.manifest;
    return { bytes, digest, mediaType };
  }

  async resolveTag(repository: string, tag: string): Promise<string | undefined> {
    this.stats.requests++;
    return this.readIndex(repository).manifests.find((m) => m.annotations?.[REF_NAME] === tag)?.digest;
  }

  async putManifest(repository: string, manifest: Manifest, tag?: string): Promise<void> {
    await this.putBlob(repository, manifest.digest, manifest.bytes);
    const index = this.readIndex(repository);
    const descriptor: Descriptor = { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.bytes.length };
    const others = index.manifests.filter((m) => (tag ? m.annotations?.[REF_NAME] !== tag : true));
    if (tag) others.push({ ...descriptor, annotations: { [REF_NAME]: tag } });
    else if (!others.some((m) => m.digest === manifest.digest)) others.push(descriptor);
    this.writeIndex(repository, { ...index, manifests: others });
  }

  async listTags(repository: string): Promise<string[]> {
    this.stats.requests++;
    return this.readIndex(repository).manifests.flatMap((m) => (m.annotations?.[REF_NAME] ? [m.annotations[REF_NAME]] : []));
  }

  async listRepositories(): Promise<string[]> {
    const found: string[] = [];
    const walk = (dir: string) => {
      if (!existsSync(dir)) return;
      if (existsSync(join(dir, 'oci-layout'))) found.push(relative(this.root, dir).split('\\').join('/'));
      for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory() && entry.name !== 'blobs') walk(join(dir, entry.name));
    };
    walk(this.root);
    return found.sort();
  }

  /**
   * A layout keeps referrers as untagged descriptors in index.json (image-layout 1.1): those whose manifest
   * names `digest` as its subject are its referrers, as the registry API would list them.
   */
  async referrers(repository: string, digest: string): Promise<Descriptor[] | undefined> {
    const out: Descriptor[] = [];
    for (const d of this.readIndex(repository).manifests) {
      if (d.annotations?.[REF_NAME] || d.mediaType !== MEDIA.manifest || !existsSync(this.blobPath(repository, d.digest))) continue;
      let body: { subject?: { digest?: string }; artifactType?: string; annotations?: Record<string, string> };
      try {
        body = JSON.parse((await this.getBlob(repository, d.digest)).toString('utf8')) as typeof body;
      } catch {
        continue;
      }
      if (body.subject?.digest !== digest) continue;
      out.push({ ...d, ...(body.artifactType ? { artifactType: body.artifactType } : {}), ...(body.annotations ? { annotations: body.annotations } : {}) });
    }
    return out;
  }

  private blobPath(repository: string, digest: string): string {
    return join(this.root, repository, 'blobs', 'sha256', digest.replace(/^sha256:/, ''));
  }

  private ensureLayout(repository: string): void {
    const dir = join(this.root, repository);
    mkdirSync(dir, { recursive: true });
    if (!existsSync(join(dir, 'oci-layout'))) writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}\n');
    if (!existsSync(join(dir, 'index.json'))) this.writeIndex(repository, { schemaVersion: 2, mediaType: MEDIA.index, manifests: [] });
  }

  private readIndex(repository: string): Index {
    const path = join(this.root, repository, 'index.json');
    if (!existsSync(path)) return { schemaVersion: 2, mediaType: MEDIA.index, manifests: [] };
    const text = readFileSync(path, 'utf8');
    const damaged = (why: string) =>
      // A damaged remote is an environment problem (exit 3), like an unreachable one.
      new EnvironmentError(`${path} is not a valid OCI image index: ${why}`, {
        where: relative(process.cwd(), path) || path,
        fix: `restore ${path} from a backup, or remove ${join(this.root, repository)} and push again`,
        code: 'corrupt-index',
      });
    let index: unknown;
    try {
      index = JSON.parse(text);
    } catch (error) {
      throw damaged((error as Error).message);
    }
    const manifests = (index as { manifests?: unknown } | null)?.manifests;
    if (typeof index !== 'object' || index === null || Array.isArray(index)) throw damaged('it is not a JSON object');
    if (!Array.isArray(manifests) || manifests.some((m) => typeof m !== 'object' || m === null || typeof m.digest !== 'string'))
      throw damaged('"manifests" is not a list of descriptors with a digest');
    return index as Index;
  }

  private writeIndex(repository: string, index: Index): void {
    this.ensureDir(repository);
    writeAtomic(join(this.root, repository, 'index.json'), Buffer.from(`${JSON.stringify(index, null, 2)}\n`));
  }

  private ensureDir(repository: string): void {
    mkdirSync(join(this.root, repository), { recursive: true });
  }
}

function writeAtomic(path: string, bytes: Buffer): void {
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temp, bytes);
  renameSync(temp, path);
}
