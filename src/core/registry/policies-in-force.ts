/**
 * Which Policy versions govern, and where the workspace has drifted from them.
 *
 * A registered agent version is governed by the registered policies in force: per policy name, the highest
 * `active` or `deprecated` version, else the highest `draft`; a disabled version never applies (a name whose
 * versions are all disabled governs nothing). A policy name that was never registered still governs from
 * the workspace — gates never get weaker because a policy was not registered — and shows as drift.
 * The workspace copy of an agent (the edit-run loop) runs under the workspace YAML as it is.
 */
import type { LoadedSpec } from '../spec/load.js';
import type { PolicyDocument } from '../spec/schema.js';
import { canonicalJson, sha256 } from '../util/canonical.js';
import { BUNDLE_FORMAT, type Bundle, buildBundle } from './bundle.js';
import { diffBundles, type FieldChange } from './diff.js';
import type { Registry, VersionRow } from './registry.js';

/** The Policy version a run, an eval or a gate check was decided under. */
export interface PolicyRef {
  name: string;
  version: string;
  digest: string;
  source: 'registry' | 'workspace';
}

export interface PolicyInForce extends PolicyRef {
  document: PolicyDocument;
}

export type DriftState = 'in-sync' | 'changed' | 'unregistered' | 'not-in-workspace' | 'disabled';

export interface PolicyDrift {
  name: string;
  state: DriftState;
  workspace: { file: string; version: string; digest: string } | null;
  registered: { version: string; digest: string; status: string } | null;
  /** Spec fields that differ (workspace relative to the registered version in force). */
  changes: FieldChange[];
  detail: string;
  fix?: string;
}

type ValidPolicy = LoadedSpec & { document: PolicyDocument };

/** The valid Policy specs among the workspace's specs. */
export function workspacePolicySpecs(specs: readonly LoadedSpec[]): ValidPolicy[] {
  return specs.filter((s): s is ValidPolicy => s.document?.kind === 'Policy' && s.diagnostics.length === 0);
}

const RANK: Record<string, number> = { active: 2, deprecated: 2, draft: 1, disabled: 0 };

/** Per policy name, the registered version in force (undefined: every version is disabled). */
export function registeredInForce(registry: Registry): Map<string, VersionRow | undefined> {
  const best = new Map<string, VersionRow | undefined>();
  // list() is ordered by version ascending: a later row of the same rank is higher.
  for (const row of registry.list({ kind: 'Policy' })) {
    const current = best.get(row.name);
    if (!best.has(row.name)) best.set(row.name, undefined);
    if (RANK[row.status] === 0) continue;
    if (!current || (RANK[row.status] ?? 0) >= (RANK[current.status] ?? 0)) best.set(row.name, row);
  }
  return best;
}

/** The policies that govern a registered version: registered in force, plus never-registered workspace ones. */
export function policiesInForce(registry: Registry, workspace: readonly (LoadedSpec | PolicyDocument)[]): PolicyInForce[] {
  const registered = registeredInForce(registry);
  const result: PolicyInForce[] = [];
  for (const [name, row] of registered) {
    if (!row) continue;
    result.push({ name, version: row.version, digest: row.digest, source: 'registry', document: registry.bundleOf(name, row.version).spec as PolicyDocument });
  }
  for (const doc of policyDocuments(workspace)) {
    if (!registered.has(doc.metadata.name)) result.push(fromWorkspace(doc));
  }
  return result;
}

function policyDocuments(workspace: readonly (LoadedSpec | PolicyDocument)[]): PolicyDocument[] {
  return workspace.flatMap((item) => {
    if ('kind' in item) return item.kind === 'Policy' ? [item] : [];
    return item.document?.kind === 'Policy' && item.diagnostics.length === 0 ? [item.document] : [];
  });
}

/** The workspace's policies, as the edit-run loop runs under them. */
export function workspacePoliciesInForce(workspace: readonly (LoadedSpec | PolicyDocument)[]): PolicyInForce[] {
  return policyDocuments(workspace).map(fromWorkspace);
}

function fromWorkspace(doc: PolicyDocument): PolicyInForce {
  return { name: doc.metadata.name, version: doc.metadata.version, digest: policyDigest(doc), source: 'workspace', document: doc };
}

export function refOf(policy: PolicyRef): PolicyRef {
  return { name: policy.name, version: policy.version, digest: policy.digest, source: policy.source };
}

/** Workspace policies against the registered versions in force, one entry per policy name. */
export function policyDrift(registry: Registry | undefined, workspace: readonly LoadedSpec[]): PolicyDrift[] {
  const registered = registry ? registeredInForce(registry) : new Map<string, VersionRow | undefined>();
  const local = new Map(workspacePolicySpecs(workspace).map((s) => [s.document.metadata.name, s]));
  const names = [...new Set([...registered.keys(), ...local.keys()])].sort();
  return names.map((name) => driftOf(name, local.get(name), registered.has(name), registered.get(name), registry));
}

function driftOf(name: string, spec: ValidPolicy | undefined, known: boolean, row: VersionRow | undefined, registry: Registry | undefined): PolicyDrift {
  const built = spec ? buildBundle(spec) : undefined;
  const workspace = spec && built ? { file: spec.file, version: spec.document.metadata.version, digest: built.digest } : null;
  const registered = row ? { version: row.version, digest: row.digest, status: row.status } : null;
  const register = spec ? `agentctl register ${spec.file}` : undefined;
  const base = { name, workspace, registered, changes: [] as FieldChange[] };
  if (!known) {
    return { ...base, state: 'unregistered', detail: `${spec?.file} was never registered: registered versions run under the workspace copy`, fix: register };
  }
  if (!row) {
    return {
      ...base,
      state: 'disabled',
      detail: `every registered version of ${name} is disabled: it governs no registered version${spec ? `, though ${spec.file} still exists` : ''}`,
      ...(register ? { fix: `bump metadata.version in ${spec?.file}, then ${register}` } : {}),
    };
  }
  if (!spec || !built) {
    return { ...base, state: 'not-in-workspace', detail: `${name}@${row.version} governs registered versions but has no workspace copy` };
  }
  if (built.digest === row.digest) return { ...base, state: 'in-sync', detail: `${spec.file} is ${name}@${row.version}` };
  const changes = registry
    ? diffBundles({ ...registry.bundleOf(name, row.version), digest: row.digest }, { ...built.bundle, digest: built.digest }, registry.blobs).spec
    : [];
  const bump = spec.document.metadata.version === row.version ? `bump metadata.version in ${spec.file}, then ` : '';
  return {
    ...base,
    changes,
    state: 'changed',
    detail: `${spec.file} differs from the registered ${name}@${row.version} in force (${changes.length} field(s)): registered versions still run under ${row.version}`,
    fix: `${bump}${register}`,
  };
}

/** A policy's digest from its document alone (a Policy bundle has no files): the digest `register` gives it. */
export function policyDigest(doc: PolicyDocument): string {
  const bundle: Bundle = {
    format: BUNDLE_FORMAT,
    kind: 'Policy',
    name: doc.metadata.name,
    version: doc.metadata.version,
    owner: doc.metadata.owner,
    spec: doc,
    files: [],
  };
  return sha256(canonicalJson(bundle));
}

/** Documents only, for the code that decides (policy.ts, gates.ts). */
export function documentsOf(policies: readonly PolicyInForce[]): PolicyDocument[] {
  return policies.map((p) => p.document);
}
