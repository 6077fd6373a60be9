/**
 * Which agent a run executes: `name@version` is the registered version; a bare `name` is the workspace
 * copy when there is one (the edit-run loop), else the highest registered version. The specs it uses
 * must validate; a disabled version refuses new runs.
 */
import { basename, dirname } from 'node:path';
import { CheckFailedError, NotFoundError } from '../errors.js';
import { documentsOf, policiesInForce, refOf, workspacePoliciesInForce } from '../registry/policies-in-force.js';
import type { Registry } from '../registry/registry.js';
import { parseVersionRef } from '../spec/refs.js';
import type { SpecDocument } from '../spec/schema.js';
import { loadWorkspaceSpecs, type ValidationReport, validateSpecs, type WorkspaceSpecs } from '../spec/validate.js';
import type { Workspace } from '../workspace/workspace.js';
import { type AgentSnapshot, type SnapshotSources, snapshotFromRegistry, snapshotFromWorkspace } from './snapshot.js';

export class InvalidSpecsError extends CheckFailedError {
  constructor(readonly report: ValidationReport) {
    super(`the specs this run needs do not validate (${report.errors} error(s))`, {
      fix: 'agentctl validate',
      code: 'invalid-spec',
      diagnostics: report.diagnostics,
    });
  }
}

export function resolveAgent(workspace: Workspace, registry: Registry | undefined, ref: string, cwd: string, loaded?: WorkspaceSpecs): AgentSnapshot {
  const { name, version } = parseVersionRef(ref);
  const specs = loaded ?? loadWorkspaceSpecs(workspace.root, cwd);
  const valid = new Map<string, SnapshotSources['workspace'] extends Map<string, infer V> ? V : never>();
  for (const spec of specs.workspace) if (spec.document && spec.diagnostics.length === 0) valid.set(spec.document.metadata.name, spec as never);
  const local = specs.workspace.find((s) => s.document?.metadata.name === name);
  // The workspace copy runs under the workspace YAML; a registered version under the registered policies in force.
  const governing = version === undefined && local !== undefined ? workspacePoliciesInForce(specs.workspace) : inForce(registry, specs.workspace);
  const sources: SnapshotSources = { workspace: valid, registry, policies: documentsOf(governing), policyRefs: governing.map(refOf) };

  // A workspace copy that does not even parse must be reported, not silently skipped for the registry.
  const unreadable = version === undefined && !local ? specs.workspace.find((s) => !s.document && basename(dirname(s.absolutePath)) === name) : undefined;
  if (unreadable) {
    throw new InvalidSpecsError(
      validateSpecs({ workspace: specs.workspace, targets: [unreadable] }, { root: workspace.root, cwd, defaultPolicy: workspace.config.defaultPolicy }),
    );
  }
  const fromWorkspace = version === undefined && local !== undefined;
  if (fromWorkspace) {
    const report = validateSpecs(
      { workspace: specs.workspace, targets: [local] },
      { root: workspace.root, cwd, registered: (n) => registry?.versionsOf(n) ?? [], defaultPolicy: workspace.config.defaultPolicy },
    );
    if (!report.ok) throw new InvalidSpecsError(report);
    if ((local.document as SpecDocument).kind !== 'Agent')
      throw new CheckFailedError(`${name} is a ${local.document?.kind}, not an agent`, { fix: 'run an agent' });
  }
  // A bare name without a workspace copy is a consumer's ref: it means the version that holds prod.
  const target = fromWorkspace ? `${name}@${local?.document?.metadata.version}` : version === undefined ? `${name}@prod` : ref;
  const registered = registryRow(registry, target, fromWorkspace, version === undefined);
  if (registered?.status === 'disabled') {
    throw new CheckFailedError(`${registered.name}@${registered.version} is disabled: disabled versions refuse new runs`, {
      where: `${registered.name}@${registered.version}`,
      fix: `run another version (agentctl list --name ${registered.name}), or bump the workspace version`,
      code: 'disabled',
    });
  }
  if (fromWorkspace) return snapshotFromWorkspace(name, sources);
  if (!registered)
    throw new NotFoundError(`no agent "${name}" in the workspace or the registry`, { fix: `agentctl list, or agentctl new agent ${name}`, code: 'not-found' });
  // Routed at the stage it was asked for, or the highest stage the version holds (unrouted: none).
  const stage = registered.resolvedFrom ?? registered.holds.at(-1);
  return snapshotFromRegistry(registered.name, registered.version, { ...sources, stage });
}

function registryRow(registry: Registry | undefined, ref: string, optional: boolean, bare: boolean) {
  if (!registry) return undefined;
  try {
    return registry.resolve(ref);
  } catch (error) {
    if (optional && error instanceof NotFoundError) return undefined;
    if (bare && error instanceof NotFoundError && error.code === 'no-stage-holder') {
      const { name } = parseVersionRef(ref);
      throw new NotFoundError(`${name} has no workspace copy here, so "${name}" means ${name}@prod — and nothing holds prod yet`, {
        where: ref,
        fix: `run a version explicitly (agentctl list --name ${name}), e.g. agentctl run ${name}@<version>; or promote one to prod`,
        code: 'no-stage-holder',
      });
    }
    throw error;
  }
}

function inForce(registry: Registry | undefined, workspace: WorkspaceSpecs['workspace']) {
  return registry ? policiesInForce(registry, workspace) : workspacePoliciesInForce(workspace);
}
