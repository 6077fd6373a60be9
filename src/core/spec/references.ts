/**
 * Checks that go beyond one file: referenced files exist inside the workspace, tool and sub-agent refs
 * resolve (workspace or registry) within their semver range, no sub-agent cycles, the policy allows
 * every tool and model an agent uses, the regular expressions in specs compile, and tools' JSON Schemas
 * are valid and their mocks agree with them.
 */
import { existsSync, lstatSync, realpathSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { loadDataset } from '../eval/dataset.js';
import { cassetteSchema } from '../providers/cassette.js';
import { checkUserFile, DEFAULT_REFERENCED_FILE_BYTES, readUserText } from '../util/read-file.js';
import { REGEX_FIX, regexProblem } from '../util/safe-regex.js';
import { RAISE_REFERENCED_FILE_CAP, readConfigFile, referencedFileCap } from '../workspace/config.js';
import { displayPath } from '../workspace/workspace.js';
import { type Diagnostic, didYouMean, formatPath, type PathSegment } from './diagnostics.js';
import type { LoadedSpec } from './load.js';
import { agentCallResource, decide, type PolicyAction, policiesFor } from './policy.js';
import { bestMatch, isValidRange, parseObjectRef } from './refs.js';
import { type AgentDocument, ENV_PASS_THROUGH, type PolicyDocument, type SpecKind } from './schema.js';
import { schemaDiagnostics } from './schema-issues.js';
import { checkToolSchemas } from './tool-schemas.js';
import { MAX_DATA_BYTES, parseYamlSafely } from './yaml.js';

export interface KnownVersion {
  kind: SpecKind;
  version: string;
  /** Where it is: a workspace file, or "registry". */
  source: string;
}

export interface ReferenceContext {
  root: string;
  /** Every spec in the workspace, valid or not (only valid ones resolve refs). */
  workspace: readonly LoadedSpec[];
  /** Versions registered under a name (registry lookups), excluding disabled ones. */
  registered: (name: string) => KnownVersion[];
  defaultPolicy: string | undefined;
  /** Cap on each referenced file (limits.referencedFileBytes); read from the workspace config when absent. */
  maxFileBytes?: number;
}

export function checkReferences(targets: readonly LoadedSpec[], context: ReferenceContext): Diagnostic[] {
  const known = indexByName(context);
  const maxBytes = context.maxFileBytes ?? referencedFileCap(context.root);
  const policies = context.workspace.flatMap((s) => (s.document?.kind === 'Policy' ? [s.document] : []));
  const out: Diagnostic[] = [];
  for (const spec of targets) {
    const doc = spec.document;
    if (!doc || !spec.parsed) continue;
    const report = (path: PathSegment[], code: string, message: string, fix: string, severity: Diagnostic['severity'] = 'error') =>
      void out.push({ file: spec.file, ...spec.parsed!.locate(path), path: formatPath(path), code, message, fix, severity });
    const fileRef = (path: PathSegment[], ref: string, what: string) => {
      const problem = checkFileRef(context.root, dirname(spec.absolutePath), ref, maxBytes);
      if (problem) report(path, problem.code, `${what} ${ref}: ${problem.message}`, problem.fix);
    };

    switch (doc.kind) {
      case 'Agent': {
        const s = doc.spec;
        fileRef(['spec', 'prompt', 'ref'], s.prompt.ref, 'prompt');
        s.knowledge?.forEach((k, i) => {
          fileRef(['spec', 'knowledge', i, 'ref'], k.ref, 'knowledge file');
        });
        if (s.evals) {
          fileRef(['spec', 'evals', 'dataset'], s.evals.dataset, 'eval dataset');
          if (!checkFileRef(context.root, dirname(spec.absolutePath), s.evals.dataset, maxBytes)) {
            const absolute = resolve(dirname(spec.absolutePath), s.evals.dataset);
            out.push(...loadDataset(absolute, displayPath(context.root, absolute), maxBytes).diagnostics);
          }
        }
        if (s.cassette) {
          fileRef(['spec', 'cassette'], s.cassette, 'cassette');
          out.push(...checkDataFile(context.root, spec, s.cassette, cassetteSchema, maxBytes));
        }
        s.tools?.forEach((t, i) => {
          checkObjectRef(['spec', 'tools', i, 'ref'], t.ref, 'Tool', known, report);
        });
        s.subAgents?.forEach((a, i) => {
          checkObjectRef(['spec', 'subAgents', i, 'ref'], a.ref, 'Agent', known, report);
          if (a.route?.when !== undefined) checkRegex(['spec', 'subAgents', i, 'route', 'when'], a.route.when, report, 'i');
        });
        if (s.fallback?.onError.includes('rule') && !s.fallback.rule) {
          report(['spec', 'fallback'], 'missing-key', 'fallback.onError includes "rule" but no rule reply is set', 'add fallback.rule.reply');
        }
        if (s.policy && !policies.some((p) => p.metadata.name === s.policy)) {
          const suggestion = didYouMean(
            s.policy,
            policies.map((p) => p.metadata.name),
          );
          report(
            ['spec', 'policy'],
            'dangling-ref',
            `no policy named "${s.policy}" in the workspace${suggestion ? ` — did you mean "${suggestion}"?` : ''}`,
            suggestion ? `set policy: ${suggestion}` : `create it: agentctl new policy ${s.policy}`,
          );
        }
        lintPolicy(doc, policiesFor(doc, policies, context.defaultPolicy), policyFiles(context.workspace), report, agentOwners(context.workspace));
        break;
      }
      case 'Tool': {
        const impl = doc.spec.implementation;
        if (impl.type === 'module') fileRef(['spec', 'implementation', 'path'], impl.path, 'module');
        if (impl.type === 'command' || impl.type === 'mcp') {
          for (const name of gatewayKeyTo(impl.env, gatewayKeyEnvs(context.root))) {
            report(
              ['spec', 'implementation', 'env', name],
              'gateway-key-to-tool',
              `a tool may not receive the gateway key: env.${name} would pass it to ${(impl.command ?? []).join(' ')}`,
              'remove it; give the tool a credential of its own under another variable name',
            );
          }
        }
        out.push(...checkToolSchemas(spec, doc));
        doc.spec.mocks?.forEach((mock, i) => {
          for (const [key, value] of Object.entries(mock.when ?? {})) {
            if (typeof value === 'string' && isRegexLiteral(value)) checkRegex(['spec', 'mocks', i, 'when', key], value.slice(1, -1), report, 'i');
          }
        });
        break;
      }
      case 'Policy':
        doc.spec.redact?.forEach((r, i) => {
          checkRegex(['spec', 'redact', i, 'pattern'], r.pattern, report);
        });
        break;
    }
  }
  out.push(...findCycles(targets, context.workspace));
  return out;
}

type Report = (path: PathSegment[], code: string, message: string, fix: string, severity?: Diagnostic['severity']) => void;

function indexByName(context: ReferenceContext): (name: string) => KnownVersion[] {
  const local = new Map<string, KnownVersion[]>();
  for (const spec of context.workspace) {
    const doc = spec.document;
    if (!doc) continue;
    const list = local.get(doc.metadata.name) ?? [];
    list.push({ kind: doc.kind, version: doc.metadata.version, source: spec.file });
    local.set(doc.metadata.name, list);
  }
  const names = () => [...local.keys()];
  const lookup = (name: string) => [...(local.get(name) ?? []), ...context.registered(name)];
  return Object.assign(lookup, { names });
}

function checkObjectRef(
  path: PathSegment[],
  ref: string,
  kind: 'Tool' | 'Agent',
  known: ((name: string) => KnownVersion[]) & { names?: () => string[] },
  report: Report,
): void {
  const { name, range } = parseObjectRef(ref);
  const what = kind === 'Tool' ? 'tool' : 'agent';
  if (!isValidRange(range)) {
    report(path, 'invalid-range', `"${range}" is not a semver range`, `write a range such as ^1.0.0, ~1.2.0 or >=1.0.0 <2.0.0`);
    return;
  }
  const candidates = known(name);
  const ofKind = candidates.filter((c) => c.kind === kind);
  if (ofKind.length === 0) {
    if (candidates.length > 0) {
      report(path, 'wrong-kind', `"${name}" is a ${candidates[0]?.kind}, not a ${kind}`, `reference a ${what} here`);
      return;
    }
    const suggestion = didYouMean(name, known.names?.() ?? []);
    report(
      path,
      'dangling-ref',
      `no ${what} named "${name}" in the workspace or the registry${suggestion ? ` — did you mean "${suggestion}"?` : ''}`,
      suggestion ? `change the ref to ${suggestion}@${range}` : `create it: agentctl new ${what} ${name}`,
    );
    return;
  }
  if (
    bestMatch(
      ofKind.map((c) => c.version),
      range,
    ) === undefined
  ) {
    const available = ofKind.map((c) => `${c.version} (${c.source})`).join(', ');
    report(
      path,
      'unsatisfied-range',
      `no version of ${what} "${name}" satisfies ${range}; available: ${available}`,
      `change the range to match, e.g. ${name}@^${ofKind[0]?.version}`,
    );
  }
}

/** Patterns run on RE2 (linear time, see util/safe-regex.ts): what it cannot compile is refused here, not at run time. */
function checkRegex(path: PathSegment[], pattern: string, report: Report, flags = ''): void {
  const problem = regexProblem(pattern, flags);
  if (problem) report(path, 'invalid-regex', `regular expression /${pattern}/ cannot be used: ${problem}`, REGEX_FIX);
}

function isRegexLiteral(value: string): boolean {
  return value.length >= 2 && value.startsWith('/') && value.endsWith('/');
}

interface FileRefProblem {
  code: string;
  message: string;
  fix: string;
}

/**
 * Referenced files must be relative, stay inside the workspace, and be regular files (no FIFO, socket or
 * device, even through a link) no larger than the cap — all checked without opening them.
 */
export function checkFileRef(root: string, baseDir: string, ref: string, maxBytes = DEFAULT_REFERENCED_FILE_BYTES): FileRefProblem | undefined {
  if (isAbsolute(ref)) return { code: 'absolute-path', message: 'absolute paths are not allowed', fix: 'use a path relative to the spec file' };
  const target = resolve(baseDir, ref);
  const rel = relative(root, target);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    return { code: 'path-escape', message: 'points outside the workspace', fix: 'keep referenced files inside the workspace' };
  }
  // lstat, not exists: a dangling link exists as a link, and is reported as one.
  const link = lstatIfAny(target);
  if (!link) return { code: 'missing-file', message: 'file not found', fix: `create ${rel} or fix the path` };
  if (link.isSymbolicLink() && !existsSync(target)) return { code: 'missing-file', message: 'is a symbolic link to nothing', fix: `point ${rel} at a file` };
  // A symbolic link inside the workspace may still lead out of it.
  const real = relative(realpathSync(root), realpathSync(target));
  if (real.startsWith('..') || isAbsolute(real)) {
    return {
      code: 'path-escape',
      message: 'leads outside the workspace through a symbolic link',
      fix: 'copy the file into the workspace instead of linking it',
    };
  }
  return checkUserFile(target, { maxBytes, raise: RAISE_REFERENCED_FILE_CAP });
}

function lstatIfAny(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function policyFiles(workspace: readonly LoadedSpec[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const spec of workspace) if (spec.document?.kind === 'Policy') files.set(spec.document.metadata.name, spec.file);
  return files;
}

/** Owner teams of the workspace's agents: agent.call rules may name a sub-agent as team/name. */
function agentOwners(workspace: readonly LoadedSpec[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const spec of workspace) if (spec.document?.kind === 'Agent') owners.set(spec.document.metadata.name, spec.document.metadata.owner);
  return owners;
}

const USES: Record<PolicyAction, string> = { 'tool.call': 'tool', 'model.use': 'model', 'agent.call': 'sub-agent' };

function lintPolicy(agent: AgentDocument, policies: PolicyDocument[], files: Map<string, string>, report: Report, owners: Map<string, string>): void {
  const check = (path: PathSegment[], action: PolicyAction, resource: string) => {
    const decision = decide(policies, action, resource);
    if (decision.allowed) return;
    const where = decision.policy ? ` (${files.get(decision.policy) ?? decision.policy})` : '';
    report(
      path,
      'policy-denied',
      `${USES[action]} "${resource}" is not allowed by policy ${decision.policy}${where}: ${decision.reason}`,
      `allow it in policy ${decision.policy} (a ${action} allow rule), or stop using it here`,
    );
  };
  check(['spec', 'model', 'ref'], 'model.use', agent.spec.model.ref);
  agent.spec.model.fallbacks?.forEach((m, i) => {
    check(['spec', 'model', 'fallbacks', i], 'model.use', m);
  });
  agent.spec.tools?.forEach((t, i) => {
    check(['spec', 'tools', i, 'ref'], 'tool.call', parseObjectRef(t.ref).name);
  });
  agent.spec.subAgents?.forEach((a, i) => {
    const name = parseObjectRef(a.ref).name;
    // A sub-agent outside the workspace has no known team here: only name patterns can match it.
    check(['spec', 'subAgents', i, 'ref'], 'agent.call', agentCallResource(owners.get(name) ?? '', name));
  });
}

/** A cycle among workspace agents' sub-agent refs, reported once, at each agent's ref that closes it. */
function findCycles(targets: readonly LoadedSpec[], workspace: readonly LoadedSpec[]): Diagnostic[] {
  const agents = new Map<string, LoadedSpec>();
  for (const spec of workspace) if (spec.document?.kind === 'Agent') agents.set(spec.document.metadata.name, spec);
  const edges = (name: string): string[] => {
    const doc = agents.get(name)?.document;
    return doc?.kind === 'Agent' ? (doc.spec.subAgents ?? []).map((a) => parseObjectRef(a.ref).name) : [];
  };
  const out: Diagnostic[] = [];
  const targetFiles = new Set(targets.map((t) => t.absolutePath));
  const reported = new Set<string>();
  for (const start of agents.keys()) {
    const stack: string[] = [];
    const visit = (name: string): string[] | undefined => {
      if (name === start && stack.length > 0) return [...stack, name];
      if (stack.includes(name) || !agents.has(name)) return undefined;
      stack.push(name);
      for (const next of edges(name)) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
      stack.pop();
      return undefined;
    };
    const cycle = visit(start);
    const spec = agents.get(start);
    if (!cycle || !spec?.parsed || !targetFiles.has(spec.absolutePath)) continue;
    const key = [...cycle.slice(0, -1)].sort().join(',');
    if (reported.has(key)) continue;
    reported.add(key);
    const index = edges(start).indexOf(cycle[1] ?? '');
    const path: PathSegment[] = ['spec', 'subAgents', index, 'ref'];
    out.push({
      file: spec.file,
      ...spec.parsed.locate(path),
      path: formatPath(path),
      code: 'subagent-cycle',
      message: `sub-agent cycle: ${cycle.join(' → ')}`,
      fix: 'remove one of the sub-agent refs in the cycle; a sub-agent must not route back to its callers',
      severity: 'error',
    });
  }
  return out;
}

/** A referenced YAML data file (a cassette, a sample set): safe-parsed and checked, errors at its own file:line:col. */
export function checkDataFile(root: string, spec: LoadedSpec, ref: string, schema: import('../util/zod.js').ZodType, maxBytes: number): Diagnostic[] {
  if (checkFileRef(root, dirname(spec.absolutePath), ref, maxBytes)) return [];
  const absolute = resolve(dirname(spec.absolutePath), ref);
  const file = displayPath(root, absolute);
  const read = readUserText(absolute, { maxBytes, raise: RAISE_REFERENCED_FILE_CAP });
  if (!read.ok) return [{ file, line: 1, col: 1, path: '', ...read.problem, severity: 'error' }];
  const parsed = parseYamlSafely(file, read.text, MAX_DATA_BYTES);
  if (!parsed.ok) return parsed.diagnostics;
  const checked = schema.safeParse(parsed.parsed.value);
  return checked.success ? [] : schemaDiagnostics(file, parsed.parsed, schema, checked.error.issues);
}

/** The names the gateway key may be read from: the default, and the workspace config's gateway.apiKeyEnv. */
function gatewayKeyEnvs(root: string): string[] {
  const configured = readConfigFile(join(root, '.agentctl', 'config.yaml')).gateway?.apiKeyEnv;
  return ['AGENTCTL_GATEWAY_KEY', ...(configured ? [configured] : [])];
}

/** Declared variables that would carry the gateway key: by name, or passed through from its variable. */
export function gatewayKeyTo(env: Record<string, string> | undefined, keyEnvs: readonly string[]): string[] {
  return Object.entries(env ?? {}).flatMap(([name, value]) => {
    const passed = ENV_PASS_THROUGH.exec(value)?.[1];
    return keyEnvs.includes(name) || (passed !== undefined && keyEnvs.includes(passed)) ? [name] : [];
  });
}
