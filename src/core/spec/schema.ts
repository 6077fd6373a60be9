/**
 * The one definition of the spec formats. The TypeScript types are inferred from it and the published
 * JSON Schema files (`agentctl schema <kind>`, schemas/*.json) are generated from it; a test keeps the
 * committed files in sync.
 */
import * as z from '../util/zod.js';

/**
 * 24 h: no run, call, check or mock delay should last longer, and it keeps every duration far below
 * 2^31-1 ms, above which setTimeout overflows and fires at once (a "budget" that would never hold).
 */
export const MAX_DURATION_MS = 24 * 60 * 60 * 1000;
const tooLong = `at most ${MAX_DURATION_MS} (24 hours)`;
/** A duration in milliseconds: a positive integer up to 24 hours. */
export const durationMs = () => z.int().positive().max(MAX_DURATION_MS, tooLong);

export const API_VERSION = 'agentctl/v1';
export const SPEC_KINDS = ['Agent', 'Tool', 'Policy'] as const;
export type SpecKind = (typeof SPEC_KINDS)[number];

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
// semver.org's recommended pattern, so editors check versions too.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
/** `name` or `name@<semver range>`; the range itself is checked by the reference checker. */
const OBJECT_REF = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(@\S+)?$/;

export const dnsLabel = z
  .string()
  .regex(DNS_LABEL, { error: 'a DNS label: lowercase letters, digits and "-", 1 to 63 characters' })
  .describe('A DNS label: lowercase letters, digits and "-", starting and ending with a letter or digit.');

const semverString = z.string().regex(SEMVER, { error: 'a semantic version such as 1.2.0' }).describe('A semantic version (semver.org), e.g. 1.2.0');

const relativePath = z.string().min(1).describe('A path relative to the folder of this spec file, with forward slashes.');

const objectRef = (what: string) =>
  z
    .string()
    .regex(OBJECT_REF, { error: `a ${what} reference: name or name@<semver range>, e.g. jira-search@^1.0.0` })
    .describe(`A ${what} reference: name, or name@<semver range> such as jira-search@^1.0.0.`);

export const metadataSchema = z.strictObject({
  name: dnsLabel,
  version: semverString,
  owner: dnsLabel.describe('The owner team. Only this team may change the object.'),
  description: z.string().max(1000).optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

const budgetSchema = z.strictObject({
  maxSteps: z.int().positive().optional().describe('Model calls per run.'),
  maxInputTokens: z.int().positive().optional().describe('Context size the optimizer keeps the prompt under.'),
  maxOutputTokens: z.int().positive().optional(),
  maxTokens: z.int().positive().optional().describe('Total tokens per run, input and output.'),
  maxCostUsd: z.number().nonnegative().optional(),
  timeoutMs: durationMs().optional().describe('Wall time per run (at most 24 hours).'),
});

const modelSchema = z.strictObject({
  ref: z.string().min(1).describe('Model name as the gateway knows it, e.g. gpt-4o-mini.'),
  params: z
    .strictObject({
      temperature: z.number().min(0).max(2).optional(),
      topP: z.number().min(0).max(1).optional(),
      maxTokens: z.int().positive().optional(),
      seed: z.int().optional(),
      toolChoice: z
        .union([z.enum(['auto', 'none', 'required']), z.strictObject({ name: z.string().min(1) })])
        .optional()
        .describe('auto, none, required, or {name} to force one tool (tool_choice).'),
      parallelToolCalls: z.boolean().optional().describe('parallel_tool_calls'),
      responseFormat: z
        .union([
          z.strictObject({ type: z.literal('text') }),
          z.strictObject({ type: z.literal('json_object') }),
          z.strictObject({
            type: z.literal('json_schema'),
            name: z.string().min(1),
            schema: z.record(z.string(), z.unknown()),
            strict: z.boolean().optional(),
          }),
        ])
        .optional()
        .describe('response_format: json_object, or json_schema with the schema the answer must match.'),
      reasoningEffort: z.enum(['minimal', 'low', 'medium', 'high']).optional().describe('reasoning_effort, for reasoning models.'),
      stop: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(4)]).optional(),
      maxCompletionTokens: z.int().positive().optional().describe('Sent as max_completion_tokens whatever the model.'),
    })
    .optional()
    .describe('Sampling and output parameters, in camelCase; sent to the gateway in its snake_case wire format.'),
  fallbacks: z.array(z.string().min(1)).optional().describe('Models tried in order when this one fails.'),
});

export const agentSpecSchema = z.strictObject({
  model: modelSchema,
  prompt: z.strictObject({ ref: relativePath.describe('The system prompt file (promptRef), never inline.') }),
  tools: z.array(z.strictObject({ ref: objectRef('tool') })).optional(),
  subAgents: z
    .array(
      z.strictObject({
        ref: objectRef('agent'),
        route: z
          .strictObject({
            when: z.string().optional().describe('A regular expression on the user input that routes here.'),
            description: z.string().optional().describe('Shown to the model when it chooses a sub-agent.'),
          })
          .optional(),
      }),
    )
    .optional(),
  knowledge: z.array(z.strictObject({ ref: relativePath })).optional(),
  budget: budgetSchema.optional(),
  fallback: z
    .strictObject({
      onError: z.array(z.enum(['model', 'rule', 'human'])).min(1),
      rule: z.strictObject({ reply: z.string().min(1) }).optional(),
    })
    .optional(),
  evals: z
    .strictObject({
      dataset: relativePath.describe('The sample set (YAML or JSONL).'),
      gate: z
        .strictObject({
          minPassRate: z.number().min(0).max(1).optional(),
          noRegressions: z.boolean().optional(),
          requireBaseline: z
            .boolean()
            .optional()
            .describe('Fail the gate when there is no baseline to compare with (default: say so and pass); in CI pass --baseline <remote>/<name>@prod.'),
        })
        .optional(),
    })
    .optional(),
  policy: dnsLabel.optional().describe('The Policy that governs this agent, in addition to the workspace default.'),
  cassette: relativePath.optional().describe('Recorded model responses for offline runs (default cassettes/).'),
});

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A live command tool is killed after at most this long, whatever its spec says. */
export const MAX_COMMAND_TIMEOUT_MS = 600_000;
/** `"${NAME}"`: pass NAME through from agentctl's environment. */
export const ENV_PASS_THROUGH = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

const jsonSchemaObject = z.record(z.string(), z.unknown()).describe('A JSON Schema (draft 2020-12) object.');

const envSchema = z
  .record(z.string().regex(ENV_NAME, { error: 'an environment variable name: letters, digits and "_", not starting with a digit' }), z.string().max(4096))
  .optional();

/**
 * A tool served by an MCP server: started from `command` (stdio) or reached at `url` (streamable HTTP),
 * never both — a refinement, since JSON Schema generation drops it, so `validate` is what enforces it.
 */
const mcpImplementationSchema = z
  .strictObject({
    type: z.literal('mcp'),
    command: z.array(z.string().min(1)).min(1).optional().describe('argv of an MCP server spoken to over stdio; not with url.'),
    url: z
      .string()
      .regex(/^https?:\/\/\S+$/, { error: 'an http:// or https:// URL' })
      .optional()
      .describe('The streamable HTTP endpoint of an MCP server, e.g. http://localhost:3001/mcp; not with command.'),
    tool: z.string().min(1).max(256).describe("The tool's name on the server (it may hold characters a DNS label does not)."),
    cwd: relativePath.optional().describe("For command: the working folder, relative to the tool's folder and inside it."),
    env: envSchema.describe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the spec's ${NAME} pass-through syntax, not a template
      'For command: the only environment variables the server gets (besides a minimal PATH and HOME): "${NAME}" passes NAME through, anything else is a literal.',
    ),
    timeoutMs: durationMs()
      .max(MAX_COMMAND_TIMEOUT_MS, { error: `at most ${MAX_COMMAND_TIMEOUT_MS} (10 minutes)` })
      .optional()
      .describe('The whole call (start, handshake, answer) is stopped after this long (default 30000, at most 10 minutes).'),
  })
  .superRefine((impl, ctx) => {
    if (impl.command === undefined && impl.url === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'an mcp tool needs command (a stdio server) or url (streamable HTTP)' });
    }
    if (impl.command !== undefined && impl.url !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'give command (stdio) or url (streamable HTTP), not both' });
    }
    if (impl.url !== undefined && (impl.env !== undefined || impl.cwd !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [impl.env !== undefined ? 'env' : 'cwd'],
        message: 'env and cwd apply to a server started by command, not to a url',
      });
    }
  });

const implementationSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('http'),
    url: z.string().url(),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
    headers: z.record(z.string(), z.string()).optional(),
    timeoutMs: durationMs().optional(),
  }),
  z.strictObject({
    type: z.literal('command'),
    command: z.array(z.string().min(1)).min(1).describe('argv; the tool input arrives as JSON on stdin.'),
    cwd: relativePath.optional().describe("The working folder, relative to the tool's folder and inside it (default: the tool's folder)."),
    env: z
      .record(z.string().regex(ENV_NAME, { error: 'an environment variable name: letters, digits and "_", not starting with a digit' }), z.string().max(4096))
      .optional()
      .describe(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the spec's ${NAME} pass-through syntax, not a template
        'The only environment variables the command gets (besides a minimal PATH): "${NAME}" passes NAME through from agentctl\'s environment, anything else is a literal value. Never the gateway key.',
      ),
    timeoutMs: durationMs()
      .max(MAX_COMMAND_TIMEOUT_MS, { error: `at most ${MAX_COMMAND_TIMEOUT_MS} (10 minutes)` })
      .optional()
      .describe('Killed after this long (default 30000, at most 10 minutes).'),
  }),
  mcpImplementationSchema,
  z.strictObject({
    type: z.literal('module'),
    path: relativePath,
    export: z.string().default('default'),
  }),
]);

const mockSchema = z.strictObject({
  when: z.record(z.string(), z.unknown()).optional().describe('Matches when every key here equals the input (a string "/re/" is a regular expression).'),
  output: z.unknown().optional(),
  error: z.string().optional().describe('Answer with this error instead of an output.'),
  latencyMs: z.int().nonnegative().max(MAX_DURATION_MS, tooLong).optional(),
});

export const toolSpecSchema = z.strictObject({
  description: z.string().optional().describe('What the model is told the tool does.'),
  input: jsonSchemaObject,
  output: jsonSchemaObject.optional(),
  sideEffects: z.enum(['none', 'read', 'write']),
  implementation: implementationSchema,
  mocks: z.array(mockSchema).optional().describe('Used in dry runs instead of the implementation.'),
});

const ruleSchema = z.strictObject({
  action: z.enum(['tool.call', 'model.use', 'agent.call']),
  effect: z.enum(['allow', 'deny']),
  resources: z
    .array(z.string().min(1))
    .min(1)
    .describe('Names or globs (* matches any run of characters); for agent.call, a sub-agent name, or team/name to match its owner team too.'),
  reason: z.string().optional(),
});

const stageGateSchema = z.strictObject({
  validated: z.boolean().optional(),
  eval: z
    .strictObject({
      minPassRate: z.number().min(0).max(1).optional(),
      noRegressions: z.boolean().optional(),
      requireBaseline: z
        .boolean()
        .optional()
        .describe('The eval must have been compared with a baseline (a version that held prod): "no regressions" with nothing to compare with does not count.'),
    })
    .optional(),
  approvals: z
    .strictObject({
      count: z.int().nonnegative(),
      fromTeams: z.array(dnsLabel).optional(),
    })
    .optional(),
  maxCostUsdPerRun: z.number().nonnegative().optional(),
  dependencyExceptions: z
    .array(z.string().min(1))
    .optional()
    .describe('Sub-agents and tools (names or globs) a version may depend on without their holding this stage: shown by gates as an exception.'),
});

export const policySpecSchema = z.strictObject({
  appliesTo: z
    .strictObject({ teams: z.array(dnsLabel).optional(), agents: z.array(dnsLabel).optional() })
    .optional()
    .describe('Agents this policy governs besides those that name it; empty means only those.'),
  rules: z.array(ruleSchema).optional(),
  onDeny: z.enum(['stop', 'continue']).optional().describe('What a run does after a denial (default stop).'),
  quotas: z
    .strictObject({
      maxTokensPerRun: z.int().positive().optional(),
      maxCostUsdPerRun: z.number().nonnegative().optional(),
      maxRunsPerDay: z.int().positive().optional().describe('Runs per agent per UTC day (replays and eval samples do not count).'),
      maxRunsPerDayPerTeam: z.int().positive().optional().describe("Runs of all the owner team's agents per UTC day."),
    })
    .optional(),
  redact: z
    .array(z.strictObject({ pattern: z.string().min(1), replacement: z.string().optional() }))
    .optional()
    .describe('Extra secret patterns (regular expressions) redacted before events are written.'),
  stages: z.strictObject({ dev: stageGateSchema.optional(), canary: stageGateSchema.optional(), prod: stageGateSchema.optional() }).optional(),
  allowSelfApproval: z.boolean().optional().describe('May the author of a version approve it (default false).'),
});

const documentSchema = <K extends SpecKind, S extends z.ZodType>(kind: K, spec: S) =>
  z.strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal(kind),
    metadata: metadataSchema,
    spec,
  });

export const agentDocumentSchema = documentSchema('Agent', agentSpecSchema);
export const toolDocumentSchema = documentSchema('Tool', toolSpecSchema);
export const policyDocumentSchema = documentSchema('Policy', policySpecSchema);

export const documentSchemas = {
  Agent: agentDocumentSchema,
  Tool: toolDocumentSchema,
  Policy: policyDocumentSchema,
} as const;

export type AgentDocument = z.infer<typeof agentDocumentSchema>;
export type ToolDocument = z.infer<typeof toolDocumentSchema>;
export type PolicyDocument = z.infer<typeof policyDocumentSchema>;
export type SpecDocument = AgentDocument | ToolDocument | PolicyDocument;
export type PolicyRule = z.infer<typeof ruleSchema>;
export type StageGate = z.infer<typeof stageGateSchema>;

export function isSpecKind(value: unknown): value is SpecKind {
  return typeof value === 'string' && (SPEC_KINDS as readonly string[]).includes(value);
}
