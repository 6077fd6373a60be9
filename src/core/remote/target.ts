/**
 * Where OCI content goes: a registry (over HTTP) or an image layout (a folder). Push, pull and list are
 * written once, against this interface.
 */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  artifactType?: string;
}

export interface Manifest {
  bytes: Buffer;
  digest: string;
  mediaType: string;
}

export interface TargetStats {
  requests: number;
  uploads: number;
  uploadedBytes: number;
}

export interface Target {
  readonly description: string;
  readonly stats: TargetStats;
  hasBlob(repository: string, digest: string): Promise<boolean>;
  putBlob(repository: string, digest: string, bytes: Buffer): Promise<void>;
  getBlob(repository: string, digest: string): Promise<Buffer>;
  /** Resolves a tag or digest to a manifest, or undefined when there is none. */
  getManifest(repository: string, reference: string): Promise<Manifest | undefined>;
  /** The digest a tag points at, without fetching the manifest when the target can avoid it. */
  resolveTag(repository: string, tag: string): Promise<string | undefined>;
  /** Stores a manifest under its digest and, when given, a tag. */
  putManifest(repository: string, manifest: Manifest, tag?: string): Promise<void>;
  listTags(repository: string): Promise<string[]>;
  /** Repositories under the target's namespace (best effort). */
  listRepositories(): Promise<string[]>;
  /**
   * The referrers of a manifest as the target indexes them by their `subject` (the OCI referrers API, or a
   * layout's index.json); undefined when the target has no such index (then only the sha256-<hex> tag
   * schema is left: see referrers.ts).
   */
  referrers(repository: string, digest: string): Promise<Descriptor[] | undefined>;
}

export const MEDIA = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  empty: 'application/vnd.oci.empty.v1+json',
  agentArtifact: 'application/vnd.agentctl.agent.v1+json',
  agentConfig: 'application/vnd.agentctl.agent.config.v1+json',
  bundle: 'application/vnd.agentctl.bundle.v1+json',
  file: 'application/vnd.agentctl.file.v1',
  toolSpec: 'application/vnd.agentctl.tool.v1+json',
  dsse: 'application/vnd.dsse.envelope.v1+json',
  evidence: 'application/vnd.agentctl.evidence.v1+json',
} as const;

export const TITLE = 'org.opencontainers.image.title';
