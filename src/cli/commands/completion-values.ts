/**
 * The workspace values shell completion offers: agent names (the workspace's and the registry's),
 * `name@version`, `name@stage` for the stages held now, remote names, recent run ids. Read fast: the
 * registry read-only (never created), spec files by a line scan instead of a full load, the config as
 * plain YAML. Outside a workspace: undefined.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { Registry } from '../../core/registry/registry.js';
import { workspaceSpecFiles } from '../../core/spec/discover.js';
import { findWorkspaceRoot, workspacePaths } from '../../core/workspace/workspace.js';

export interface WorkspaceValues {
  agents: string[];
  versions: string[];
  stageRefs: string[];
  remotes: string[];
  runs: string[];
}

const RECENT_RUNS = 10;

export function workspaceValues(cwd: string): WorkspaceValues | undefined {
  const root = findWorkspaceRoot(cwd);
  if (root === undefined) return undefined;
  const paths = workspacePaths(root);
  const found: WorkspaceValues = { agents: workspaceAgents(root), versions: [], stageRefs: [], remotes: remotesOf(paths.configPath), runs: [] };
  if (!existsSync(paths.registryPath)) return found;
  const registry = Registry.open(paths, { readonly: true });
  try {
    const agents = registry.list({ kind: 'Agent' });
    for (const row of agents) {
      found.agents.push(row.name);
      found.versions.push(`${row.name}@${row.version}`);
    }
    const names = new Set(agents.map((r) => r.name));
    for (const [ref, stages] of registry.stages.allHeld()) {
      const name = ref.slice(0, ref.lastIndexOf('@'));
      if (names.has(name)) for (const stage of stages) found.stageRefs.push(`${name}@${stage}`);
    }
    found.runs = registry.runs.list({ limit: RECENT_RUNS }).map((r) => r.runId);
  } finally {
    registry.close();
  }
  found.agents = [...new Set(found.agents)].sort();
  return found;
}

/** Names of the workspace's agents, from each spec's `kind:` and `metadata.name:` lines. */
function workspaceAgents(root: string): string[] {
  const names: string[] = [];
  for (const file of workspaceSpecFiles(root)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    if (!/^kind:\s*Agent\s*$/m.test(text)) continue;
    const name = /^metadata:[^\S\n]*\n(?:[^\S\n]+.*\n)*?[^\S\n]+name:\s*["']?([a-z0-9-]+)/m.exec(text)?.[1];
    if (name) names.push(name);
  }
  return names;
}

function remotesOf(configPath: string): string[] {
  try {
    const config = parse(readFileSync(configPath, 'utf8')) as { remotes?: Record<string, unknown> } | null;
    return Object.keys(config?.remotes ?? {});
  } catch {
    return [];
  }
}
