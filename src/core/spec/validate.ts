/** `validate`: every spec (or the ones asked for), schema + references + policy lint, all errors in one pass. */
import { resolve } from 'node:path';
import { displayPath } from '../workspace/workspace.js';
import { countErrors, type Diagnostic, sortDiagnostics } from './diagnostics.js';
import { expandSpecPaths, type Listings, workspaceSpecFiles } from './discover.js';
import { type LoadedSpec, loadSpecFile } from './load.js';
import { checkReferences, type KnownVersion } from './references.js';
import type { PolicyDocument } from './schema.js';
import { specSecretDiagnostics } from './secrets.js';

export interface ValidatedFile {
  file: string;
  kind?: string;
  name?: string;
  version?: string;
  errors: number;
}

export interface ValidationReport {
  ok: boolean;
  files: ValidatedFile[];
  diagnostics: Diagnostic[];
  errors: number;
  warnings: number;
}

export interface ValidateOptions {
  root: string;
  cwd: string;
  /** Files or folders; empty means the whole workspace. */
  paths?: readonly string[];
  registered?: (name: string) => KnownVersion[];
  defaultPolicy?: string | undefined;
}

export interface WorkspaceSpecs {
  workspace: LoadedSpec[];
  targets: LoadedSpec[];
}

/** Loads every workspace spec once, and picks out the targets among them (or loads targets outside it). */
export function loadWorkspaceSpecs(root: string, cwd: string, paths: readonly string[] = []): WorkspaceSpecs {
  const load = (absolute: string) => loadSpecFile(absolute, displayPath(root, absolute), root);
  const listings: Listings = new Map();
  const workspace = workspaceSpecFiles(root, listings).map(load);
  if (paths.length === 0) return { workspace, targets: workspace };
  const byPath = new Map(workspace.map((s) => [s.absolutePath, s]));
  const targets = expandSpecPaths(cwd, paths, listings).map((absolute) => byPath.get(resolve(absolute)) ?? load(absolute));
  return { workspace, targets };
}

export function validateSpecs(specs: WorkspaceSpecs, options: ValidateOptions): ValidationReport {
  const { workspace, targets } = specs;
  const diagnostics: Diagnostic[] = targets.flatMap((s) => s.diagnostics);
  diagnostics.push(...duplicateNames(targets, workspace));
  diagnostics.push(
    ...checkReferences(targets, {
      root: options.root,
      workspace,
      registered: options.registered ?? (() => []),
      defaultPolicy: options.defaultPolicy,
    }),
  );
  // Warnings here; register turns them into errors (nothing secret-looking is ever registered).
  diagnostics.push(...targets.flatMap(specSecretDiagnostics));
  sortDiagnostics(diagnostics);
  const files = targets.map((s) => ({
    file: s.file,
    kind: s.document?.kind,
    name: s.document?.metadata.name,
    version: s.document?.metadata.version,
    errors: countErrors(diagnostics.filter((d) => d.file === s.file)),
  }));
  const errors = countErrors(diagnostics);
  return { ok: errors === 0, files, diagnostics, errors, warnings: diagnostics.length - errors };
}

export function validateWorkspace(options: ValidateOptions): ValidationReport {
  return validateSpecs(loadWorkspaceSpecs(options.root, options.cwd, options.paths), options);
}

/** Names are unique across kinds in a workspace, so `show name@version` is never ambiguous. */
function duplicateNames(targets: readonly LoadedSpec[], workspace: readonly LoadedSpec[]): Diagnostic[] {
  const first = new Map<string, LoadedSpec>();
  for (const spec of workspace) {
    const name = spec.document?.metadata.name;
    if (name !== undefined && !first.has(name)) first.set(name, spec);
  }
  const out: Diagnostic[] = [];
  for (const spec of targets) {
    const name = spec.document?.metadata.name;
    const owner = name === undefined ? undefined : first.get(name);
    if (!owner || owner === spec || !spec.parsed) continue;
    out.push({
      file: spec.file,
      ...spec.parsed.locate(['metadata', 'name']),
      path: 'metadata.name',
      code: 'duplicate-name',
      message: `the name "${name}" is already used by ${owner.file}`,
      fix: 'give each agent, tool and policy its own name',
      severity: 'error',
    });
  }
  return out;
}

/** The workspace's policy specs that load cleanly (gates and runs are checked against them). */
export function workspacePolicies(root: string, cwd: string): PolicyDocument[] {
  return loadWorkspaceSpecs(root, cwd).workspace.flatMap((s) => (s.document?.kind === 'Policy' ? [s.document] : []));
}
