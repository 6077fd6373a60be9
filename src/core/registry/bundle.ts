/**
 * The canonical bundle of a version: the checked spec plus the bytes of every file it references.
 * Its digest is the sha256 of its canonical JSON, so it is identical across machines, key order,
 * formatting, comments and line endings.
 */
import { dirname, resolve } from 'node:path';
import { CheckFailedError } from '../errors.js';
import type { LoadedSpec } from '../spec/load.js';
import type { SpecDocument } from '../spec/schema.js';
import { canonicalJson, type Digest, normalizeText, sha256 } from '../util/canonical.js';
import { readUserFile } from '../util/read-file.js';
import { RAISE_REFERENCED_FILE_CAP, referencedFileCap } from '../workspace/config.js';
import { findWorkspaceRoot } from '../workspace/workspace.js';
import { evidenceFiles } from './evidence-files.js';

export const BUNDLE_FORMAT = 'agentctl.bundle/v1';

export interface BundleFile {
  /** Path relative to the spec file's folder, as written in the spec. */
  path: string;
  digest: Digest;
  size: number;
}

export interface Bundle {
  format: typeof BUNDLE_FORMAT;
  kind: SpecDocument['kind'];
  name: string;
  version: string;
  owner: string;
  spec: SpecDocument;
  files: BundleFile[];
}

export interface BuiltBundle {
  bundle: Bundle;
  digest: Digest;
  /** Canonical JSON of the bundle: what the digest is computed over. */
  json: string;
  /** File contents by digest, for the blob store. */
  contents: Map<Digest, Buffer>;
}

/** Files a spec references, relative to its folder. */
export function referencedFiles(doc: SpecDocument): string[] {
  switch (doc.kind) {
    case 'Agent': {
      const s = doc.spec;
      return [s.prompt.ref, ...(s.knowledge ?? []).map((k) => k.ref), ...(s.evals ? [s.evals.dataset] : []), ...(s.cassette ? [s.cassette] : [])];
    }
    case 'Tool':
      return doc.spec.implementation.type === 'module' ? [doc.spec.implementation.path] : [];
    case 'Policy':
      return [];
  }
}

export function buildBundle(spec: LoadedSpec & { document: SpecDocument }): BuiltBundle {
  const doc = spec.document;
  const base = dirname(spec.absolutePath);
  const contents = new Map<Digest, Buffer>();
  const evidence = doc.kind === 'Agent' ? evidenceFiles(base, doc) : [];
  const paths = [...new Set([...referencedFiles(doc), ...evidence].map(normalizeRef))].sort();
  // The cap comes from the workspace config: looked up only when there is a file to read.
  const maxBytes = paths.length > 0 ? referencedFileCap(findWorkspaceRoot(base)) : 0;
  const files = paths.map((path) => {
    const read = readUserFile(resolve(base, path), { maxBytes, raise: RAISE_REFERENCED_FILE_CAP });
    if (!read.ok) {
      throw new CheckFailedError(`${spec.file}: ${path} ${read.problem.message}`, { where: spec.file, fix: read.problem.fix, code: read.problem.code });
    }
    const bytes = normalizeText(read.bytes);
    const digest = sha256(bytes);
    contents.set(digest, bytes);
    return { path, digest, size: bytes.length };
  });
  const bundle: Bundle = {
    format: BUNDLE_FORMAT,
    kind: doc.kind,
    name: doc.metadata.name,
    version: doc.metadata.version,
    owner: doc.metadata.owner,
    spec: doc,
    files,
  };
  const json = canonicalJson(bundle);
  return { bundle, digest: sha256(json), json, contents };
}

function normalizeRef(ref: string): string {
  return ref.replace(/\\/g, '/').replace(/^\.\//, '');
}
