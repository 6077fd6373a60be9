/** `doctor`: what is wrong with this machine, workspace, config or registry, and how to fix it. */
import { accessSync, constants, existsSync } from 'node:fs';
import { ExitCode, isAgentctlError } from './errors.js';
import { checkBlobs, checkBundles, checkOwnership, checkSchema, type IntegrityReport } from './registry/integrity.js';
import { policyDrift } from './registry/policies-in-force.js';
import { Registry } from './registry/registry.js';
import { listTemplates } from './scaffold/templates.js';
import { loadWorkspaceSpecs } from './spec/validate.js';
import { openWorkspace } from './workspace/open.js';
import type { Workspace } from './workspace/workspace.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string | undefined;
  /** A failure of the environment (exit 3), not of the thing checked (exit 1). */
  environment?: boolean;
}

export interface DoctorOptions {
  /** Also hash every bundle and every blob again (reads everything: slower). */
  deep?: boolean;
}

/** The exit code for these checks: 0 all ok, 3 when the environment failed, else 1. */
export function doctorExitCode(checks: readonly Check[]): ExitCode {
  if (checks.every((c) => c.ok)) return ExitCode.ok;
  return checks.some((c) => !c.ok && c.environment) ? ExitCode.environment : ExitCode.failure;
}

export function runDoctor(cwd: string, env: NodeJS.ProcessEnv = process.env, flags = {}, options: DoctorOptions = {}): Check[] {
  const checks: Check[] = [];
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const nodeOk = major > 20 || (major === 20 && minor >= 12);
  checks.push({
    name: 'node',
    ok: nodeOk,
    detail: `Node ${process.versions.node}`,
    ...(nodeOk ? {} : { fix: 'install Node 20.12 or newer', environment: true }),
  });

  const templates = listTemplates();
  checks.push({ name: 'templates', ok: templates.length > 0, detail: `${templates.length} template(s): ${templates.map((t) => t.name).join(', ')}` });

  let workspace: Workspace | undefined;
  try {
    workspace = openWorkspace(cwd, flags, env);
    checks.push({ name: 'workspace', ok: true, detail: workspace.root });
    const c = workspace.config;
    checks.push({
      name: 'config',
      ok: true,
      detail: `team ${c.team} (${c.sources.team}), user ${c.user} (${c.sources.user}), provider ${c.provider} (${c.sources.provider})`,
    });
    if (c.provider === 'openai') {
      const hasKey = Boolean(env[c.apiKeyEnv]);
      checks.push({
        name: 'gateway',
        ok: Boolean(c.baseUrl) && hasKey,
        detail: `${c.baseUrl ?? '(no baseUrl)'}; key from $${c.apiKeyEnv}: ${hasKey ? 'set' : 'not set'}`,
        ...(hasKey ? {} : { fix: `export ${c.apiKeyEnv}=<your key>` }),
      });
    }
  } catch (error) {
    checks.push({
      name: 'workspace',
      ok: false,
      detail: isAgentctlError(error) ? error.message : String(error),
      fix: isAgentctlError(error) ? error.fix : undefined,
      environment: !isAgentctlError(error) || error.exitCode === ExitCode.environment,
    });
    return checks;
  }

  if (!existsSync(workspace.registryPath)) {
    checks.push({ name: 'registry', ok: true, detail: 'not created yet (the first `agentctl register` creates it)' });
    return checks;
  }
  try {
    const registry = Registry.open(workspace, { readonly: true });
    try {
      const { integrity, schema, versions } = registry.health();
      checks.push({
        name: 'registry',
        ok: integrity === 'ok',
        detail: `schema ${schema}, ${versions} version(s), integrity ${integrity}`,
        ...(integrity === 'ok' ? {} : { fix: 'restore .agentctl/registry.db from a backup' }),
      });
      checks.push(integrityCheck('schema', checkSchema(registry), SCHEMA_FIX));
      checks.push(integrityCheck('ownership', checkOwnership(registry), OWNERSHIP_FIX));
      if (options.deep) {
        checks.push(integrityCheck('bundles', checkBundles(registry), BUNDLE_FIX));
        checks.push(integrityCheck('blobs', checkBlobs(registry), BLOB_FIX));
      }
      checks.push(policyCheck(registry, workspace, cwd));
    } finally {
      registry.close();
    }
    let writable = true;
    try {
      accessSync(workspace.stateDir, constants.W_OK);
    } catch {
      writable = false;
    }
    checks.push({
      name: 'state folder',
      ok: writable,
      detail: `${workspace.stateDir} ${writable ? 'is writable' : 'is not writable'}`,
      ...(writable ? {} : { fix: `chmod u+w ${workspace.stateDir}` }),
    });
  } catch (error) {
    checks.push({
      name: 'registry',
      ok: false,
      detail: isAgentctlError(error) ? error.message : String(error),
      fix: isAgentctlError(error) ? error.fix : undefined,
      environment: !isAgentctlError(error) || error.exitCode === ExitCode.environment,
    });
  }
  return checks;
}

const SCHEMA_FIX =
  "someone removed part of the registry's guard by hand (DROP TRIGGER/INDEX): restore .agentctl/registry.db from a backup, and find out what was written while it was missing";
const OWNERSHIP_FIX = 'an object row was written by hand (raw SQL): restore .agentctl/registry.db from a backup';
const BUNDLE_FIX = 'a registered version was changed by hand: restore .agentctl/registry.db from a backup, or pull the version again from its remote';
const BLOB_FIX =
  'restore .agentctl/blobs from a backup or version control; or pull the version again from its remote (agentctl pull <remote>/<name>@<version>)';

/** A finding-list check: ok when nothing was found; otherwise each finding named, with the fix. */
function integrityCheck(name: string, report: IntegrityReport, fix: string): Check {
  if (report.findings.length === 0) return { name, ok: true, detail: `${report.checked}: ok` };
  return { name, ok: false, detail: `${report.checked}: ${report.findings.map((f) => f.problem).join('; ')}`, fix };
}

/** Workspace policies against the registered versions in force: an unregistered edit is drift (not ok). */
function policyCheck(registry: Registry, workspace: Workspace, cwd: string): Check {
  const drift = policyDrift(registry, loadWorkspaceSpecs(workspace.root, cwd).workspace);
  const bad = drift.filter((d) => d.state === 'changed' || (d.state === 'disabled' && d.workspace !== null));
  // Never registered is reported but not a failure: those policies still govern, from the workspace.
  const unregistered = drift.filter((d) => d.state === 'unregistered').map((d) => d.name);
  const note = unregistered.length ? `; never registered (govern from the workspace): ${unregistered.join(', ')}` : '';
  if (bad.length === 0) return { name: 'policies', ok: true, detail: `${drift.length} polic(ies), no unregistered edits${note}` };
  return {
    name: 'policies',
    ok: false,
    detail: `${bad.map((d) => d.detail).join('; ')}${note}`,
    fix: `${bad.flatMap((d) => (d.fix ? [d.fix] : [])).join('; ')} (agentctl policy diff shows what changed)`,
  };
}
