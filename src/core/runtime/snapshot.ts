/**
 * What a run executes: an agent version with the text of its files, the tools and sub-agents its refs
 * resolve to, and the policies that govern it. The snapshot is stored (by digest) with every run, so
 * `replay` re-executes exactly what ran, whether it came from the workspace or the registry.
 */
import { dirname } from 'node:path';
import { CheckFailedError, NotFoundError } from '../errors.js';
import type { Bundle } from '../registry/bundle.js';
import { buildBundle } from '../registry/bundle.js';
import type { Stage } from '../registry/lifecycle.js';
import type { PolicyRef } from '../registry/policies-in-force.js';
import type { Registry } from '../registry/registry.js';
import type { LoadedSpec } from '../spec/load.js';
import { bestMatch, parseObjectRef } from '../spec/refs.js';
import type { AgentDocument, PolicyDocument, SpecDocument, ToolDocument } from '../spec/schema.js';
import { canonicalJson, type Digest, sha256 } from '../util/canonical.js';

export interface AgentSnapshot {
  name: string;
  version: string;
  digest: string;
  owner: string;
  source: 'workspace' | 'registry';
  document: AgentDocument;
  /** Referenced files (prompt, knowledge, cassette) by the path written in the spec. */
  files: Record<string, string>;
  tools: Record<string, ToolDocument & { dir?: string }>;
  subAgents: Record<string, AgentSnapshot>;
  policies: PolicyDocument[];
  /** Things the run should say before it starts (a deprecated dependency). */
  warnings?: string[];
  /** Which version and digest of each policy governs (absent in snapshots stored before they were recorded). */
  policyRefs?: PolicyRef[];
}

export interface SnapshotSources {
  /** Valid workspace specs by name (may be empty when there is no workspace copy). */
  workspace: Map<string, LoadedSpec & { document: SpecDocument }>;
  registry: Registry | undefined;
  policies: PolicyDocument[];
  /**
   * The stage the run is routed at (the caller's): a registered version's sub-agent and tool refs then
   * resolve to the highest version in range that holds this stage or a higher one. Undefined: the
   * edit-run loop and unrouted (draft) versions, which take what their refs locked or the highest in range.
   */
  stage?: Stage | undefined;
  policyRefs?: PolicyRef[];
}

const MAX_DEPTH = 16;

export function snapshotFromWorkspace(name: string, sources: SnapshotSources, chain: string[] = []): AgentSnapshot {
  const spec = sources.workspace.get(name);
  if (spec?.document.kind !== 'Agent') throw new NotFoundError(`no agent named "${name}" in the workspace`, { code: 'not-found' });
  const built = buildBundle(spec);
  const files: Record<string, string> = {};
  for (const file of built.bundle.files) files[file.path] = (built.contents.get(file.digest) as Buffer).toString('utf8');
  return assemble(built.bundle, built.digest, files, 'workspace', sources, [...chain, name]);
}

export function snapshotFromRegistry(name: string, version: string, sources: SnapshotSources, chain: string[] = []): AgentSnapshot {
  const registry = sources.registry;
  if (!registry) throw new NotFoundError(`${name}@${version} is not registered`, { code: 'not-found' });
  const row = registry.resolve(`${name}@${version}`);
  if (row.kind !== 'Agent') throw new CheckFailedError(`${name} is a ${row.kind}, not an agent`, { fix: 'run an agent' });
  const bundle = registry.bundleOf(row.name, row.version);
  const files: Record<string, string> = {};
  for (const file of bundle.files) files[file.path] = registry.blobs.get(file.digest).toString('utf8');
  return assemble(bundle, row.digest, files, 'registry', sources, [...chain, name], registry.dependenciesOf(row.name, row.version));
}

function assemble(
  bundle: Bundle,
  digest: string,
  files: Record<string, string>,
  source: 'workspace' | 'registry',
  sources: SnapshotSources,
  chain: string[],
  locked: { ref: string; name: string; version: string }[] = [],
): AgentSnapshot {
  if (chain.length > MAX_DEPTH)
    throw new CheckFailedError(`sub-agents nest deeper than ${MAX_DEPTH} levels: ${chain.join(' → ')}`, { fix: 'flatten the hierarchy' });
  const document = bundle.spec as AgentDocument;
  const tools: AgentSnapshot['tools'] = {};
  const warnings: string[] = [];
  const routed = source === 'registry' && sources.stage !== undefined;
  for (const { ref } of document.spec.tools ?? []) {
    const resolved = routed
      ? { document: routedDependency(ref, 'Tool', sources, `${bundle.name}@${bundle.version}`, warnings).bundle.spec }
      : resolveRef(ref, 'Tool', sources, locked);
    tools[resolved.document.metadata.name] = resolved.document as ToolDocument;
  }
  const subAgents: Record<string, AgentSnapshot> = {};
  for (const { ref } of document.spec.subAgents ?? []) {
    const { name, range } = parseObjectRef(ref);
    if (chain.includes(name)) {
      throw new CheckFailedError(`sub-agent cycle: ${[...chain, name].join(' → ')} routes back to a caller`, {
        where: `${bundle.name}@${bundle.version}`,
        fix: 'remove one of the sub-agent refs in the cycle (agentctl validate shows where)',
        code: 'subagent-cycle',
      });
    }
    const lock = locked.find((l) => l.ref === ref);
    const local = sources.workspace.get(name);
    const sub =
      source === 'workspace' && local && bestMatch([local.document.metadata.version], range)
        ? snapshotFromWorkspace(name, sources, chain)
        : routed
          ? snapshotFromRegistry(name, routedDependency(ref, 'Agent', sources, `${bundle.name}@${bundle.version}`, warnings).version, sources, chain)
          : snapshotFromRegistry(name, lock?.version ?? latestSatisfying(name, range, sources), sources, chain);
    warnings.push(...(sub.warnings ?? []));
    subAgents[name] = sub;
  }
  return {
    name: bundle.name,
    version: bundle.version,
    digest,
    owner: bundle.owner,
    source,
    document,
    files,
    tools,
    subAgents,
    policies: sources.policies,
    ...(sources.policyRefs ? { policyRefs: sources.policyRefs } : {}),
    ...(warnings.length ? { warnings: [...new Set(warnings)] } : {}),
  };
}

/**
 * A routed caller's dependency: the highest version in range holding the caller's stage or a higher one
 * ("only prod is routed by default": a prod agent never reaches a canary or draft dependency). A disabled
 * one refuses the run; a deprecated one runs with a warning.
 */
function routedDependency(
  ref: string,
  kind: 'Agent' | 'Tool',
  sources: SnapshotSources,
  caller: string,
  warnings: string[],
): { version: string; bundle: Bundle } {
  const registry = sources.registry as Registry;
  const stage = sources.stage as Stage;
  const { name, range } = parseObjectRef(ref);
  const row = registry.holderInRange(name, range, stage, (v, r) => bestMatch([v], r) !== undefined);
  if (!row) {
    const held = registry.stages.heldBy(name);
    const known = [...held.entries()].map(([key, stages]) => `${key} (${stages.join(', ')})`).join(', ') || 'none holds a stage';
    throw new CheckFailedError(
      `${caller} runs at ${stage}, but no version of ${kind === 'Agent' ? 'sub-agent' : 'tool'} ${name} in ${range} holds ${stage} or higher (${known})`,
      {
        where: caller,
        fix: `promote one: agentctl promote ${name}@<version in ${range}> --to ${stage} (agentctl gates ${caller} lists what its dependencies need)`,
        code: 'dependency-not-routed',
      },
    );
  }
  if (row.kind !== kind) throw new CheckFailedError(`${name} is a ${row.kind}, not a ${kind}`, { where: caller, fix: 'fix the ref' });
  if (row.status === 'disabled') {
    throw new CheckFailedError(`${caller} depends on ${name}@${row.version}, which is disabled: disabled versions refuse new runs`, {
      where: caller,
      fix: `promote a newer ${name} to ${stage} (agentctl list --name ${name}), or roll ${name} back: agentctl rollback ${name} --stage ${stage} --reason "…"`,
      code: 'dependency-disabled',
    });
  }
  if (row.status === 'deprecated') warnings.push(`${caller} uses ${name}@${row.version}, which is deprecated`);
  return { version: row.version, bundle: registry.bundleOf(name, row.version) };
}

function resolveRef(ref: string, kind: 'Tool', sources: SnapshotSources, locked: { ref: string; name: string; version: string }[]): { document: SpecDocument } {
  const { name, range } = parseObjectRef(ref);
  const lock = locked.find((l) => l.ref === ref);
  const local = sources.workspace.get(name);
  if (!lock && local?.document.kind === kind && bestMatch([local.document.metadata.version], range)) {
    return { document: { ...local.document, dir: dirname(local.absolutePath) } as SpecDocument };
  }
  const version = lock?.version ?? latestSatisfying(name, range, sources);
  const registry = sources.registry as Registry;
  return { document: registry.bundleOf(name, version).spec };
}

function latestSatisfying(name: string, range: string, sources: SnapshotSources): string {
  const versions = sources.registry?.versionsOf(name).map((v) => v.version) ?? [];
  const best = bestMatch(versions, range);
  if (!best) throw new NotFoundError(`${name}@${range} resolves to nothing in the workspace or the registry`, { fix: 'agentctl validate', code: 'not-found' });
  return best;
}

/**
 * The snapshot as stored for replay, and its digest. Not cached here: the JSON holds every file of the
 * agent (a 100,000-sample set is ~13 MB of it), and storeSnapshot keeps only the digest, once per run
 * of an eval's thousand runs.
 */
export function snapshotDigest(snapshot: AgentSnapshot): { digest: Digest; json: string } {
  const json = canonicalJson(snapshot);
  return { digest: sha256(json), json };
}
