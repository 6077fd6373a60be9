/**
 * The process-wide redactor for everything the CLI prints (stdout, stderr, the --json error line):
 * the built-in patterns plus every secret this process can see in its environment — the gateway key
 * (the variable named by gateway.apiKeyEnv), gateway header values read from `${NAME}`,
 * AGENTCTL_REMOTE_*_PASSWORD/_TOKEN, AGENTCTL_SIGNING_KEY_PEM, and any variable named like a secret.
 * Built once, on first print, because reading the config costs a file read or two.
 */
import { createRequire } from 'node:module';
import { createRedactor, type Redactor } from '../../core/events/redact.js';
import { parsePlainYaml } from '../../core/spec/yaml-plain.js';
import { readUserText } from '../../core/util/read-file.js';
import { MAX_CONFIG_BYTES, userConfigPath } from '../../core/workspace/user-config.js';
import { findWorkspaceRoot, workspacePaths } from '../../core/workspace/workspace.js';

/** Variables whose value is a secret by their name alone (OPENAI_API_KEY, GITHUB_TOKEN, AGENTCTL_REMOTE_X_PASSWORD, …). */
const SECRET_VARIABLE = /(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|PEM|CREDENTIALS?)$/i;
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The secrets in `env`: by name, and those the workspace and user config point at (never failing: a broken config is reported elsewhere). */
export function environmentSecrets(env: NodeJS.ProcessEnv, cwd: string): string[] {
  const names = new Set(['AGENTCTL_GATEWAY_KEY', 'AGENTCTL_SIGNING_KEY_PEM']);
  for (const name of Object.keys(env)) if (SECRET_VARIABLE.test(name)) names.add(name);
  const configs: GatewaySecrets[] = [];
  const tryRead = (path: string) => {
    const read = readUserText(path, { maxBytes: MAX_CONFIG_BYTES });
    // Unreadable or invalid: the command itself says so.
    const gateway = read.ok ? gatewayOf(read.text) : undefined;
    if (gateway) configs.push(gateway);
  };
  const root = findWorkspaceRoot(cwd);
  if (root) tryRead(workspacePaths(root).configPath);
  tryRead(userConfigPath(env));
  const values: string[] = [];
  for (const gateway of configs) {
    if (gateway.apiKeyEnv) names.add(gateway.apiKeyEnv);
    for (const template of Object.values(gateway.headers)) {
      const resolved = template.replace(REFERENCE, (_, name: string) => {
        names.add(name);
        return env[name] ?? '';
      });
      if (resolved !== template) values.push(resolved);
    }
  }
  for (const name of names) {
    const value = env[name];
    if (value) values.push(value, ...value.split(/\r?\n/).filter((line) => line.length >= 16));
  }
  return values;
}

interface GatewaySecrets {
  apiKeyEnv?: string;
  headers: Record<string, string>;
}

/**
 * The two settings of a config that name secrets (gateway.apiKeyEnv, gateway.headers), read loosely: a
 * value of the wrong type is skipped, never the whole file, so this redacts at least what the checked config
 * names. A text that never says `gateway` (nor escapes a character that could spell it) has neither, and is
 * not parsed: `list` and the other read commands then load no YAML library at all.
 */
function gatewayOf(text: string): GatewaySecrets | undefined {
  if (!text.includes('gateway') && !text.includes('\\')) return undefined;
  // A plain config (nearly all are) is read by the same fast path as the checked config, which gives what the
  // library gives (yaml-plain.test.ts). Only other texts load the library here: a second copy of it, from
  // node_modules, was ~50 ms of every printing command's start-up.
  let value: unknown = parsePlainYaml(text);
  if (value === undefined) {
    try {
      // Loaded on demand, synchronously: the redactor is built on the first print, which cannot wait.
      const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml');
      // No aliases (maxAliasCount 0 throws on one): the checked config refuses them too.
      value = yaml.parseDocument(text, { uniqueKeys: true, strict: true }).toJS({ maxAliasCount: 0 });
    } catch {
      return undefined;
    }
  }
  const gateway = (value as { gateway?: unknown } | null)?.gateway;
  if (gateway === null || typeof gateway !== 'object') return undefined;
  const { apiKeyEnv, headers } = gateway as { apiKeyEnv?: unknown; headers?: unknown };
  const strings = Object.entries(headers !== null && typeof headers === 'object' ? headers : {}).filter((e): e is [string, string] => typeof e[1] === 'string');
  return { apiKeyEnv: typeof apiKeyEnv === 'string' ? apiKeyEnv : undefined, headers: Object.fromEntries(strings) };
}

let shared: { redactor: Redactor; literals: readonly string[] } | undefined;

function output(argv: readonly string[], env: NodeJS.ProcessEnv): { redactor: Redactor; literals: readonly string[] } {
  if (!shared) {
    const at = argv.findIndex((a) => a === '--cwd' || a === '-C' || a.startsWith('--cwd='));
    const flag = at < 0 ? undefined : argv[at]?.startsWith('--cwd=') ? argv[at]?.slice(6) : argv[at + 1];
    const literals = environmentSecrets(env, flag ?? process.cwd());
    shared = { redactor: createRedactor({ literals }), literals };
  }
  return shared;
}

/** The redactor for this process's output; `--cwd` in argv picks the workspace whose config is read. */
export function outputRedactor(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): Redactor {
  return output(argv, env).redactor;
}

/**
 * The literal secrets that redactor replaces (its only patterns besides the built-in ones), for output that
 * can prove where a secret could sit in it and scan only there (list --json).
 */
export function outputSecrets(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): readonly string[] {
  return output(argv, env).literals;
}
