/**
 * Configuration: flags > AGENTCTL_* env > workspace .agentctl/config.yaml > user config (XDG) > defaults.
 * Each resolved value remembers where it came from, so `agentctl doctor` can say why a value is what it is.
 */
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError } from '../errors.js';
import {
  ATTRIBUTION_FIELDS,
  ATTRIBUTION_MODES,
  type AttributionSettings,
  DEFAULT_ATTRIBUTION_HEADERS,
  DEFAULT_ATTRIBUTION_MODE,
} from '../providers/attribution.js';
import { dnsLabel, durationMs } from '../spec/schema.js';
import { schemaDiagnostics } from '../spec/schema-issues.js';
import { MAX_SPEC_BYTES, parseYamlSafely } from '../spec/yaml.js';
import { DEFAULT_REFERENCED_FILE_BYTES, readUserText } from '../util/read-file.js';
import * as z from '../util/zod.js';

/** Even a raised cap stays below what a 64-bit process can hold as one string. */
const MAX_REFERENCED_FILE_BYTES = 256 * 1024 * 1024;

export const PROVIDERS = ['cassette', 'echo', 'openai'] as const;

export const configFileSchema = z.strictObject({
  team: dnsLabel.optional().describe('Your team: the owner of what you create, the only team that may change it.'),
  user: z.string().min(1).optional().describe('Recorded as the actor of registrations and transitions.'),
  gateway: z
    .strictObject({
      provider: z.enum(PROVIDERS).optional(),
      baseUrl: z.string().url().optional().describe('OpenAI-compatible endpoint, e.g. http://localhost:4000/v1'),
      apiKeyEnv: z.string().optional().describe('Name of the environment variable holding the key (never the key).'),
      model: z.string().optional().describe('Default model when an agent does not force one.'),
      headers: z
        .record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'a header name'), z.string())
        .optional()
        // biome-ignore lint/suspicious/noTemplateCurlyInString: ${NAME} is the config's own syntax, documented here
        .describe('Extra headers on every model request; ${NAME} in a value is read from the environment and redacted everywhere.'),
      timeoutMs: durationMs().optional().describe('Per model call attempt, until the last byte of the answer (default 60000).'),
      retries: z.int().nonnegative().max(10).optional().describe('Retries after a failed attempt: 429, 5xx, cut streams, timeouts (default 3).'),
      stream: z.boolean().optional().describe('Stream answers (default true); false for gateways that cannot.'),
      maxTokensParam: z
        .enum(['auto', 'max_tokens', 'max_completion_tokens'])
        .optional()
        .describe('How maxTokens is sent; auto uses max_completion_tokens for o1/o3/o4/gpt-5 models.'),
      attribution: z
        .enum(ATTRIBUTION_MODES)
        .optional()
        .describe(
          'Where requests say which agent, version, digest, team, run and session they are for: openai (user, metadata and store), litellm (user, metadata.tags), headers (default; gateway.attributionHeaders), off.',
        ),
      attributionHeaders: z
        .record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'a header name'), z.enum(ATTRIBUTION_FIELDS))
        .optional()
        .describe(
          'With attribution: headers, header name → agent | version | digest | team | runId | sessionId (default x-agentctl-agent … x-agentctl-session-id).',
        ),
    })
    .optional(),
  remotes: z.record(dnsLabel, z.string()).optional().describe('name → oci://host/repo or file://path'),
  defaultRemote: dnsLabel.optional(),
  signingKey: z.string().optional().describe('Name of the signing key in the user config folder (default "default").'),
  trustedKeys: z.record(z.string(), z.string()).optional().describe('Public keys (PEM) whose signatures pull --verify accepts, by name.'),
  source: z.string().optional().describe('Recorded as org.opencontainers.image.source on pushed artifacts (e.g. the git URL).'),
  defaultPolicy: dnsLabel.optional().describe('The Policy every agent in the workspace is checked against.'),
  prices: z
    .record(z.string(), z.strictObject({ inputPerMTok: z.number().nonnegative(), outputPerMTok: z.number().nonnegative() }))
    .optional()
    .describe('USD per million tokens, per model.'),
  telemetry: z
    .strictObject({
      endpoint: z
        .string()
        .url()
        .optional()
        .describe('OTLP/HTTP base URL, e.g. http://localhost:4318 (/v1/traces is appended); OTEL_EXPORTER_OTLP_ENDPOINT wins.'),
      tracesEndpoint: z.string().url().optional().describe('The traces URL, used as is; OTEL_EXPORTER_OTLP_TRACES_ENDPOINT wins.'),
      headers: z
        .record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'a header name'), z.string())
        .optional()
        // biome-ignore lint/suspicious/noTemplateCurlyInString: ${NAME} is the config's own syntax, documented here
        .describe('Headers on every export request; ${NAME} in a value is read from the environment. Never printed.'),
      protocol: z.enum(['http/protobuf', 'http/json', 'grpc']).optional().describe('http/protobuf (default) or http/json; grpc is not supported.'),
      timeoutMs: z.int().positive().optional().describe('Per export request, and the longest a command waits for its last traces at exit (default 10000).'),
      serviceName: z.string().min(1).optional().describe('The resource service.name (default agentctl); OTEL_SERVICE_NAME wins.'),
      disabled: z.boolean().optional().describe('Send no traces (OTEL_SDK_DISABLED=true does the same).'),
      captureMessageContent: z
        .boolean()
        .optional()
        .describe('Message contents and tool arguments/results on spans (redacted); OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT wins.'),
    })
    .optional()
    .describe('Traces of every run to an OpenTelemetry collector (OTLP/HTTP); the OTEL_* environment variables win.'),
  limits: z
    .strictObject({
      referencedFileBytes: z
        .int()
        .positive()
        .max(MAX_REFERENCED_FILE_BYTES)
        .optional()
        .describe(`Cap on each file a spec references: prompt, knowledge, cassette, sample set, assertion code (default ${DEFAULT_REFERENCED_FILE_BYTES}).`),
    })
    .optional()
    .describe('Size caps on what validate, register and run read (specs themselves are capped at 1 MiB).'),
});
export type ConfigFile = z.infer<typeof configFileSchema>;

export type ConfigSource = 'flag' | 'env' | 'workspace' | 'user' | 'default';

export interface ResolvedConfig {
  team: string;
  user: string;
  provider: (typeof PROVIDERS)[number];
  baseUrl: string | undefined;
  apiKeyEnv: string;
  model: string | undefined;
  defaultPolicy: string | undefined;
  defaultRemote: string | undefined;
  remotes: Record<string, string>;
  signingKey: string;
  trustedKeys: Record<string, string>;
  source: string | undefined;
  prices: NonNullable<ConfigFile['prices']>;
  /** How the openai provider talks to the gateway (the workspace's settings over the user's). */
  gateway: GatewaySettings;
  /** Where traces go (workspace over user); core/telemetry applies the OTEL_* variables over it. */
  telemetry: NonNullable<ConfigFile['telemetry']>;
  /** Where each scalar setting came from. */
  sources: Record<string, ConfigSource>;
}

export interface GatewaySettings {
  /** Header values as written: `${NAME}` is resolved when the provider is created. */
  headers: Record<string, string>;
  timeoutMs: number | undefined;
  retries: number | undefined;
  stream: boolean | undefined;
  maxTokensParam: 'auto' | 'max_tokens' | 'max_completion_tokens' | undefined;
  /** Cost attribution at the gateway (the workspace's mode and headers, else the user's, else headers by default). */
  attribution: AttributionSettings;
}

export interface ConfigFlags {
  team?: string | undefined;
  user?: string | undefined;
  provider?: string | undefined;
}

export { userConfigPath } from './user-config.js';

/**
 * Configs parsed in this process, by path, with the text they were parsed from: the file is read each
 * time (an edit is always seen) but parsed once per content. Registering 1,000 specs reads the cap on
 * referenced files three times a spec; parsing it 3,000 times was a tenth of the command.
 */
const parsedConfigs = new Map<string, { source: string; config: ConfigFile }>();

/** Reads and checks a config file; a missing file is an empty config, a broken one an error with file:line:col. */
export function readConfigFile(path: string, displayPath = path): ConfigFile {
  const read = readUserText(path, { maxBytes: MAX_SPEC_BYTES });
  if (!read.ok) {
    if (read.problem.code === 'missing-file') return {};
    throw new EnvironmentError(`cannot read ${displayPath}: it ${read.problem.message}`, { where: displayPath, fix: read.problem.fix, code: 'invalid-config' });
  }
  const source = read.text;
  const known = parsedConfigs.get(path);
  if (known?.source === source) return structuredClone(known.config);
  const config = parseConfigSource(source, displayPath);
  parsedConfigs.set(path, { source, config });
  return structuredClone(config);
}

function parseConfigSource(source: string, displayPath: string): ConfigFile {
  const result = parseYamlSafely(displayPath, source);
  const diagnostics = result.ok
    ? (() => {
        const checked = configFileSchema.safeParse(result.parsed.value ?? {});
        return checked.success ? [] : schemaDiagnostics(displayPath, result.parsed, configFileSchema, checked.error.issues);
      })()
    : result.diagnostics;
  const first = diagnostics[0];
  if (first) {
    throw new EnvironmentError(`invalid config: ${first.message}`, {
      where: `${first.file}:${first.line}:${first.col}`,
      fix: first.fix ?? 'fix the config file',
      code: 'invalid-config',
    });
  }
  return configFileSchema.parse((result.ok ? result.parsed.value : undefined) ?? {});
}

export function resolveConfig(input: { flags?: ConfigFlags; env?: NodeJS.ProcessEnv; workspace?: ConfigFile; user?: ConfigFile }): ResolvedConfig {
  const env = input.env ?? process.env;
  const ws = input.workspace ?? {};
  const us = input.user ?? {};
  const sources: Record<string, ConfigSource> = {};
  const pick = <T>(key: string, layers: [ConfigSource, T | undefined][], fallback: T): T => {
    for (const [source, value] of layers) {
      if (value !== undefined && value !== '') {
        sources[key] = source;
        return value;
      }
    }
    sources[key] = 'default';
    return fallback;
  };
  const provider = pick<string>(
    'provider',
    [
      ['flag', input.flags?.provider],
      ['env', env.AGENTCTL_PROVIDER],
      ['workspace', ws.gateway?.provider],
      ['user', us.gateway?.provider],
    ],
    'cassette',
  );
  if (!(PROVIDERS as readonly string[]).includes(provider)) {
    throw new EnvironmentError(`unknown model provider "${provider}" (from ${sources.provider})`, {
      fix: `use one of: ${PROVIDERS.join(', ')}`,
      code: 'invalid-config',
    });
  }
  return {
    team: pick(
      'team',
      [
        ['flag', input.flags?.team],
        ['env', env.AGENTCTL_TEAM],
        ['workspace', ws.team],
        ['user', us.team],
      ],
      'default',
    ),
    user: pick(
      'user',
      [
        ['flag', input.flags?.user],
        ['env', env.AGENTCTL_USER],
        ['workspace', ws.user],
        ['user', us.user],
      ],
      osUser(),
    ),
    provider: provider as ResolvedConfig['provider'],
    baseUrl: pick<string | undefined>(
      'baseUrl',
      [
        ['env', env.AGENTCTL_GATEWAY_URL],
        ['workspace', ws.gateway?.baseUrl],
        ['user', us.gateway?.baseUrl],
      ],
      undefined,
    ),
    apiKeyEnv: pick(
      'apiKeyEnv',
      [
        ['workspace', ws.gateway?.apiKeyEnv],
        ['user', us.gateway?.apiKeyEnv],
      ],
      'AGENTCTL_GATEWAY_KEY',
    ),
    model: pick<string | undefined>(
      'model',
      [
        ['env', env.AGENTCTL_MODEL],
        ['workspace', ws.gateway?.model],
        ['user', us.gateway?.model],
      ],
      undefined,
    ),
    defaultPolicy: pick<string | undefined>(
      'defaultPolicy',
      [
        ['env', env.AGENTCTL_DEFAULT_POLICY],
        ['workspace', ws.defaultPolicy],
        ['user', us.defaultPolicy],
      ],
      undefined,
    ),
    defaultRemote: pick<string | undefined>(
      'defaultRemote',
      [
        ['env', env.AGENTCTL_REMOTE],
        ['workspace', ws.defaultRemote],
        ['user', us.defaultRemote],
      ],
      undefined,
    ),
    remotes: { ...us.remotes, ...ws.remotes },
    signingKey: pick(
      'signingKey',
      [
        ['env', env.AGENTCTL_SIGNING_KEY],
        ['workspace', ws.signingKey],
        ['user', us.signingKey],
      ],
      'default',
    ),
    trustedKeys: { ...us.trustedKeys, ...ws.trustedKeys },
    source: ws.source ?? us.source,
    prices: { ...us.prices, ...ws.prices },
    gateway: {
      headers: { ...us.gateway?.headers, ...ws.gateway?.headers },
      timeoutMs: ws.gateway?.timeoutMs ?? us.gateway?.timeoutMs,
      retries: ws.gateway?.retries ?? us.gateway?.retries,
      stream: ws.gateway?.stream ?? us.gateway?.stream,
      maxTokensParam: ws.gateway?.maxTokensParam ?? us.gateway?.maxTokensParam,
      attribution: {
        mode: ws.gateway?.attribution ?? us.gateway?.attribution ?? DEFAULT_ATTRIBUTION_MODE,
        headers: ws.gateway?.attributionHeaders ?? us.gateway?.attributionHeaders ?? DEFAULT_ATTRIBUTION_HEADERS,
      },
    },
    // A committed workspace file must not be able to send secrets or contents anywhere: only the user's own
    // config (and OTEL_* variables) may name environment variables in headers or opt in to contents.
    telemetry: {
      ...us.telemetry,
      ...ws.telemetry,
      headers: { ...expandEnv(us.telemetry?.headers, env), ...literalHeaders(ws.telemetry?.headers) },
      captureMessageContent: us.telemetry?.captureMessageContent,
    },
    sources,
  };
}

function osUser(): string {
  try {
    return process.env.USER || userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * The cap on each file a workspace's specs reference: `limits.referencedFileBytes` in its
 * .agentctl/config.yaml, else the default. Looked up from the workspace root so that validate, register
 * and run apply the same cap without every caller passing it along.
 */
export function referencedFileCap(root: string | undefined): number {
  if (root === undefined) return DEFAULT_REFERENCED_FILE_BYTES;
  return readConfigFile(join(root, '.agentctl', 'config.yaml')).limits?.referencedFileBytes ?? DEFAULT_REFERENCED_FILE_BYTES;
}

/** How to raise the referenced-file cap, for too-large diagnostics. */
export const RAISE_REFERENCED_FILE_CAP = 'make the file smaller, or raise limits.referencedFileBytes in .agentctl/config.yaml';

/** Header values of the user's config may name environment variables (`${NAME}`): no secret sits in the file. */
function expandEnv(headers: Record<string, string> | undefined, env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).map(([k, v]) => [k, v.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => env[name] ?? '')]),
  );
}

/** The workspace's header values as written; one that names a variable (`${NAME}`) is left out: a committed file reads no environment. */
function literalHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([, v]) => !/\$\{[A-Za-z_][A-Za-z0-9_]*\}/.test(v)));
}
