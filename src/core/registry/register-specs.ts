/**
 * `register <paths>`: validate the specs, pull in the workspace tools and sub-agents they reference
 * (dependencies first), lock what each ref resolved to, and register everything in one transaction.
 */
import { CheckFailedError } from '../errors.js';
import type { LoadedSpec } from '../spec/load.js';
import { bestMatch, parseObjectRef } from '../spec/refs.js';
import type { SpecDocument } from '../spec/schema.js';
import { LIVE_SECRET } from '../spec/secrets.js';
import { loadWorkspaceSpecs, type ValidationReport, validateSpecs } from '../spec/validate.js';
import type { Workspace } from '../workspace/workspace.js';
import { type BuiltBundle, buildBundle } from './bundle.js';
import type { Actor, Dependency, PreparedVersion, RegisterOutcome, Registry } from './registry.js';

export type RegisterResult = { ok: true; outcomes: RegisterOutcome[]; report: ValidationReport } | { ok: false; report: ValidationReport };

type ValidSpec = LoadedSpec & { document: SpecDocument };

export function registerSpecs(workspace: Workspace, registry: Registry, cwd: string, paths: readonly string[], actor: Actor): RegisterResult {
  const specs = loadWorkspaceSpecs(workspace.root, cwd, paths);
  const ordered = withDependencies(specs.targets, specs.workspace);
  const report = validateSpecs(
    { workspace: specs.workspace, targets: ordered },
    { root: workspace.root, cwd, registered: (name) => registry.versionsOf(name), defaultPolicy: workspace.config.defaultPolicy },
  );
  if (!report.ok) return { ok: false, report };
  const refused = refuseSecrets(report);
  if (refused) return { ok: false, report: refused };

  const built = new Map<string, BuiltBundle>();
  for (const spec of ordered as ValidSpec[]) built.set(spec.document.metadata.name, buildBundle(spec));
  const items: PreparedVersion[] = [...built.values()].map((b) => ({ built: b, dependencies: lockDependencies(b, built, registry) }));
  return { ok: true, outcomes: registry.register(items, actor), report };
}

/** A live-secret lookalike is a warning for validate and an error for register: the report with them as errors, if any. */
function refuseSecrets(report: ValidationReport): ValidationReport | undefined {
  const secrets = report.diagnostics.filter((d) => d.code === LIVE_SECRET);
  if (secrets.length === 0) return undefined;
  const diagnostics = report.diagnostics.map((d) => (d.code === LIVE_SECRET ? { ...d, severity: 'error' as const } : d));
  const files = report.files.map((f) => ({ ...f, errors: f.errors + secrets.filter((d) => d.file === f.file).length }));
  return { ok: false, files, diagnostics, errors: report.errors + secrets.length, warnings: report.warnings - secrets.length };
}

/** Targets plus the workspace specs their refs resolve to, each after everything it depends on. */
function withDependencies(targets: readonly LoadedSpec[], workspace: readonly LoadedSpec[]): LoadedSpec[] {
  const byName = new Map<string, LoadedSpec>();
  for (const spec of workspace) if (spec.document) byName.set(spec.document.metadata.name, spec);
  const ordered: LoadedSpec[] = [];
  const seen = new Set<LoadedSpec>();
  const visit = (spec: LoadedSpec, depth: number) => {
    if (seen.has(spec) || depth > 64) return;
    seen.add(spec);
    for (const ref of refsOf(spec.document)) {
      const { name, range } = parseObjectRef(ref);
      const dep = byName.get(name);
      if (dep?.document && bestMatch([dep.document.metadata.version], range)) visit(dep, depth + 1);
    }
    ordered.push(spec);
  };
  for (const target of targets) visit(target, 0);
  return ordered;
}

function refsOf(doc: SpecDocument | undefined): string[] {
  if (doc?.kind !== 'Agent') return [];
  return [...(doc.spec.tools ?? []).map((t) => t.ref), ...(doc.spec.subAgents ?? []).map((a) => a.ref)];
}

/** What each ref resolves to now: the highest satisfying version among the registry and this batch. */
function lockDependencies(built: BuiltBundle, batch: Map<string, BuiltBundle>, registry: Registry): Dependency[] {
  return refsOf(built.bundle.spec).map((ref) => {
    const { name, range } = parseObjectRef(ref);
    const candidates = new Map<string, string>();
    for (const row of registry.list({ name })) if (row.status !== 'disabled') candidates.set(row.version, row.digest);
    const local = batch.get(name);
    if (local) candidates.set(local.bundle.version, local.digest);
    const version = bestMatch([...candidates.keys()], range);
    if (version === undefined) {
      throw new CheckFailedError(`${built.bundle.name}: ${ref} resolves to no registered version`, { fix: `register ${name} first` });
    }
    return { ref, name, version, digest: candidates.get(version) as string };
  });
}
