/** `doctor`: what is wrong with this machine, workspace, config or registry, and how to fix it. */
import { accessSync, constants, existsSync } from 'node:fs';
import { isAgentctlError } from './errors.js';
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
  fix?: string;
}

export function runDoctor(cwd: string, env: NodeJS.ProcessEnv = process.env, flags = {}): Check[] {
  const checks: Check[] = [];
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const nodeOk = major > 20 || (major === 20 && minor >= 12);
  checks.push({ name: 'node', ok: nodeOk, detail: `Node ${process.versions.node}`, ...(nodeOk ? {} : { fix: 'install Node 20.12 or newer' }) });

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
    });
  }
  return checks;
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
