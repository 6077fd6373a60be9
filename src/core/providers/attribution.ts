/**
 * Cost attribution at the gateway: who is asking (agent, version, digest, team, run, session), put where an
 * OpenAI-compatible gateway can count spend by it. Only identifiers go out — never user content, never
 * secrets — and never into the cassette key (requestKey hashes what the model sees, not who asked).
 */
import { checkExhaustive } from '../errors.js';

/** What a request is attributed to; the runtime fills it from the run. */
export interface RequestAttribution {
  agent: string;
  version: string;
  digest: string;
  team: string | undefined;
  runId: string;
  sessionId: string;
}

export const ATTRIBUTION_MODES = ['openai', 'litellm', 'headers', 'off'] as const;
export type AttributionMode = (typeof ATTRIBUTION_MODES)[number];
export const ATTRIBUTION_FIELDS = ['agent', 'version', 'digest', 'team', 'runId', 'sessionId'] as const;
export type AttributionField = (typeof ATTRIBUTION_FIELDS)[number];

export interface AttributionSettings {
  mode: AttributionMode;
  /** Header name → which value (mode `headers`); the defaults below when none are configured. */
  headers: Record<string, AttributionField>;
}

/**
 * The default: headers. Every HTTP server ignores headers it does not know, so they are safe against a
 * plain OpenAI endpoint (which answers 400 to `metadata` without `store: true`), vLLM or Ollama, and a
 * gateway that logs or routes on headers (LiteLLM, Portkey, a proxy) can attribute by them.
 */
export const DEFAULT_ATTRIBUTION_MODE: AttributionMode = 'headers';
export const DEFAULT_ATTRIBUTION_HEADERS: Record<string, AttributionField> = {
  'x-agentctl-agent': 'agent',
  'x-agentctl-version': 'version',
  'x-agentctl-digest': 'digest',
  'x-agentctl-team': 'team',
  'x-agentctl-run-id': 'runId',
  'x-agentctl-session-id': 'sessionId',
};

/** OpenAI's limits on `metadata`: at most 16 keys, keys up to 64 characters, values up to 512. */
export const OPENAI_METADATA = { maxKeys: 16, maxKeyLength: 64, maxValueLength: 512 } as const;

const METADATA_KEYS: Record<AttributionField, string> = {
  agent: 'agentctl_agent',
  version: 'agentctl_version',
  digest: 'agentctl_digest',
  team: 'agentctl_team',
  runId: 'agentctl_run_id',
  sessionId: 'agentctl_session_id',
};

export interface AttributionWire {
  /** Fields added to the request body (after the cassette key is computed). */
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

const NONE: AttributionWire = { body: {}, headers: {} };

/** Identifiers only, but a header value must still be visible ASCII, and metadata values within OpenAI's cap. */
const clean = (value: string) => value.replace(/[^\x20-\x7e]/g, '').slice(0, OPENAI_METADATA.maxValueLength);

function present(values: RequestAttribution): [AttributionField, string][] {
  return ATTRIBUTION_FIELDS.flatMap((field) => {
    const value = values[field];
    return value ? [[field, clean(value)] as [AttributionField, string]] : [];
  });
}

/** `team/agent`: the end user OpenAI and LiteLLM count spend by (the agent is the caller, not a person). */
const userOf = (values: RequestAttribution) => clean(values.team ? `${values.team}/${values.agent}` : values.agent);

export function attributionWire(settings: AttributionSettings | undefined, values: RequestAttribution | undefined): AttributionWire {
  if (!settings || !values) return NONE;
  const fields = present(values);
  switch (settings.mode) {
    case 'off':
      return NONE;
    case 'headers': {
      const headers: Record<string, string> = {};
      for (const [name, field] of Object.entries(settings.headers)) {
        const value = fields.find(([f]) => f === field)?.[1];
        if (value) headers[name] = value;
      }
      return { body: {}, headers };
    }
    case 'openai': {
      const metadata = Object.fromEntries(fields.slice(0, OPENAI_METADATA.maxKeys).map(([f, v]) => [METADATA_KEYS[f], v]));
      // OpenAI accepts `metadata` only on stored completions ("The 'metadata' parameter is only allowed when
      // 'store' is enabled"); choosing this mode is choosing to store them, where its dashboard filters by it.
      return { body: { user: userOf(values), store: true, metadata }, headers: {} };
    }
    case 'litellm': {
      // LiteLLM counts spend per tag (`metadata.tags`) and per end user (`user`); its own user_api_key_* keys
      // are left for the proxy to set.
      const tags = fields.map(([f, v]) => `${f === 'runId' ? 'run' : f === 'sessionId' ? 'session' : f}:${v}`);
      const metadata = { tags, ...Object.fromEntries(fields.map(([f, v]) => [METADATA_KEYS[f], v])) };
      return { body: { user: userOf(values), metadata }, headers: {} };
    }
    default:
      return checkExhaustive(settings.mode);
  }
}
