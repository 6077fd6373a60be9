/**
 * Scaffolding: plan every file first (paths resolved and checked to stay inside the target, no symlinks
 * on the way), then write only new files, or the existing ones the user confirmed. Never half a plan.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { UsageError } from '../errors.js';
import { jsonSchemaText, SCHEMA_NAMES } from '../spec/json-schema.js';
import { STATE_DIR } from '../workspace/workspace.js';
import { checkCiPackage, defaultCiPackage } from './ci-package.js';
import { RULES } from './rules.js';
import type { TemplateInfo } from './templates.js';

export interface ScaffoldVars {
  name: string;
  owner: string;
  model: string;
  provider: string;
  gatewayUrl: string;
  /** The environment variable the gateway key is read from (default AGENTCTL_GATEWAY_KEY). */
  apiKeyEnv?: string;
  /** The model every agent uses, written to the config's gateway.model (an OpenAI-compatible gateway only). */
  gatewayModel?: string;
  /** What scaffolded CI installs (default: this package at this version, see ci-package.ts). */
  ciPackage?: string;
}

export interface PlannedFile {
  /** Relative to the target, with forward slashes. */
  path: string;
  content: Buffer;
  exists: boolean;
}

export interface ScaffoldPlan {
  target: string;
  files: PlannedFile[];
}

/**
 * Refuses scaffold answers that break a rule (rules.ts), naming the flag that carries each. Only the
 * values given are checked (undefined means not answered yet).
 */
export function checkScaffoldVars(vars: Partial<Pick<ScaffoldVars, 'name' | 'owner' | 'gatewayUrl' | 'model' | 'apiKeyEnv'>>): void {
  for (const field of ['name', 'owner', 'gatewayUrl', 'model', 'apiKeyEnv'] as const) {
    const value = vars[field];
    if (value === undefined) continue;
    const { rule, what, flag, example, code } = RULES[field];
    const problem = rule(value);
    if (problem) {
      throw new UsageError(`invalid ${what} "${value}": ${problem}`, {
        fix: `e.g. ${flag} ${example}`,
        code,
      });
    }
  }
}

export function planScaffold(target: string, templates: readonly TemplateInfo[], vars: ScaffoldVars, options: { schemas?: boolean } = {}): ScaffoldPlan {
  checkScaffoldVars({ name: vars.name, owner: vars.owner });
  vars = { ...vars, ciPackage: checkCiPackage(vars.ciPackage ?? defaultCiPackage()) };
  const values: Record<string, string | undefined> = {
    ...vars,
    apiKeyEnv: vars.apiKeyEnv ?? 'AGENTCTL_GATEWAY_KEY',
    // The config's gateway.model overrides every agent's own model, so it is set only when a gateway was chosen.
    gatewayModelSetting: vars.gatewayModel
      ? `model: ${vars.gatewayModel}`
      : `# model: ${vars.model}   # uncomment to run every agent on one model, whatever its spec says`,
  };
  const root = resolve(target);
  const files = new Map<string, PlannedFile>();
  const add = (path: string, content: Buffer) => {
    const safe = safeRelativePath(root, path);
    files.set(safe, { path: safe, content, exists: existsOrLink(join(root, safe)) });
  };
  for (const template of templates) {
    for (const source of listFiles(join(template.dir, 'files'))) {
      const path = source
        .split('/')
        .map((segment) => segment.replaceAll('__name__', vars.name))
        .join('/');
      add(path, render(readFileSync(join(template.dir, 'files', source)), values));
    }
  }
  if (options.schemas) {
    for (const name of SCHEMA_NAMES) add(`${STATE_DIR}/schemas/${name}.schema.json`, Buffer.from(jsonSchemaText(name)));
  }
  return { target: root, files: [...files.values()].sort((a, b) => a.path.localeCompare(b.path)) };
}

export interface ApplyResult {
  written: string[];
  kept: string[];
}

/** Writes new files; an existing file is replaced only when `overwrite(path)` says so. */
export function applyScaffold(plan: ScaffoldPlan, overwrite: (path: string) => boolean = () => false): ApplyResult {
  const result: ApplyResult = { written: [], kept: [] };
  for (const file of plan.files) {
    const absolute = join(plan.target, file.path);
    assertNoSymlinks(plan.target, file.path);
    if (file.exists && !overwrite(file.path)) {
      result.kept.push(file.path);
      continue;
    }
    mkdirSync(join(absolute, '..'), { recursive: true });
    if (file.exists) {
      const temp = `${absolute}.agentctl-${process.pid}.tmp`;
      writeFileSync(temp, file.content, { flag: 'wx' });
      renameSync(temp, absolute);
    } else writeFileSync(absolute, file.content, { flag: 'wx', mode: file.path.endsWith('.mjs') ? 0o755 : 0o644 });
    result.written.push(file.path);
  }
  return result;
}

export function isEmptyDir(dir: string): boolean {
  checkScaffoldTarget(dir);
  return !existsSync(dir) || readdirSync(dir).length === 0;
}

/**
 * The target must be a folder or not exist yet, and the nearest existing folder above it must be a folder:
 * `init notes.txt` (or `init notes.txt/sub`) is a usage error, not an ENOTDIR from deep in mkdir.
 */
export function checkScaffoldTarget(target: string): void {
  for (let current = resolve(target); ; current = join(current, '..')) {
    let stat: ReturnType<typeof statSync> | undefined;
    try {
      stat = statSync(current);
    } catch {
      // Not there yet (or unreadable): look at the folder above.
    }
    if (stat && !stat.isDirectory()) {
      throw new UsageError(
        current === resolve(target) ? `${current} is a file, not a folder` : `${current} is a file, so ${resolve(target)} cannot be a folder`,
        { where: current, fix: 'choose a folder that does not exist yet or is empty, e.g. agentctl init my-agents', code: 'target-not-a-folder' },
      );
    }
    if (stat || current === join(current, '..')) return;
  }
}

/** A template path may not be absolute or climb out of the target. */
export function safeRelativePath(root: string, path: string): string {
  const normalized = normalize(path).split(sep).join('/');
  const absolute = resolve(root, normalized);
  const rel = relative(root, absolute);
  if (isAbsolute(path) || rel === '' || rel.startsWith('..') || isAbsolute(rel) || normalized.split('/').includes('..')) {
    throw new UsageError(`refusing to write "${path}": it resolves outside the target folder ${root}`, {
      where: path,
      fix: 'template paths and names must stay inside the target (no "..", no absolute paths)',
      code: 'path-escape',
    });
  }
  assertNoSymlinks(root, rel);
  return rel.split(sep).join('/');
}

/** Every existing component between the target and the file must be a real folder or file, not a link. */
function assertNoSymlinks(root: string, rel: string): void {
  let current = root;
  for (const segment of rel.split(/[\\/]/)) {
    current = join(current, segment);
    let stat: import('node:fs').Stats;
    try {
      stat = lstatSync(current);
    } catch {
      return;
    }
    if (stat.isSymbolicLink()) {
      throw new UsageError(`refusing to write through the symbolic link ${current}`, {
        where: current,
        fix: 'remove the link, or scaffold into a folder without links',
        code: 'symlink-in-target',
      });
    }
  }
}

function existsOrLink(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return existsSync(path);
  }
}

function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(join(dir, entry.name), rel));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

function render(bytes: Buffer, values: Record<string, string | undefined>): Buffer {
  if (bytes.includes(0)) return bytes;
  const text = bytes.toString('utf8').replace(/\{\{(\w+)\}\}/g, (match, key: string) => values[key] ?? match);
  return Buffer.from(text);
}
