/**
 * Secrets never reach the event log: provider API keys and tokens, bearer/basic credentials, private
 * keys, values under keys named like password/token/secret, literal secrets this process holds (the
 * gateway key), and the policy's own patterns. Redaction runs on the serialised payload in one pass,
 * because it sits on the hot path of every event.
 */

import { userRegex } from '../util/safe-regex.js';

export const REDACTED = '[REDACTED]';

const BUILT_IN = [
  // Inside JSON a private key's newlines are escaped, so the block never contains a quote.
  '-----BEGIN [A-Z ]*PRIVATE KEY-----[^"]*?-----END [A-Z ]*PRIVATE KEY-----',
  String.raw`\bsk-(?:ant-|proj-|svcacct-)?[A-Za-z0-9_-]{20,}`, // OpenAI, Anthropic
  String.raw`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`, // AWS access key ids
  String.raw`\bgh[pousr]_[A-Za-z0-9]{36,}\b`, // GitHub tokens
  String.raw`\bgithub_pat_[A-Za-z0-9_]{22,}`,
  String.raw`\bglpat-[A-Za-z0-9_-]{20,}`, // GitLab
  String.raw`\bxox[abposr]-[A-Za-z0-9-]{10,}`, // Slack
  String.raw`\bAIza[0-9A-Za-z_-]{35}\b`, // Google API keys
  String.raw`\b[rs]k_(?:live|test)_[0-9A-Za-z]{16,}`, // Stripe
  String.raw`\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`, // JWTs
];
const CREDENTIAL = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
// Matched against snake_cased keys, on the last word, so accessToken and db_password match but maxTokens does not.
const SECRET_KEY = /(^|_)(password|passwd|passphrase|secret|token|api_?key|authorization|credentials?|private_?key|cookie)$/;
const MAYBE_SECRET_KEY = /pass|secret|token|key|auth|credential|cookie/i;
const snakeCase = (key: string) =>
  key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toLowerCase();

export interface Redactor {
  /** The value as JSON, with secrets replaced. */
  json(value: unknown): string;
  text(value: string): string;
}

/** A redactor with the built-in patterns, extra regular expressions (from policies) and literal secrets (keys in env). */
export function createRedactor(options: { patterns?: readonly string[]; literals?: readonly string[] } = {}): Redactor {
  const literals = (options.literals ?? []).filter((l) => l.length >= 8).map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp([...literals, ...BUILT_IN].map((p) => `(?:${p})`).join('|'), 'g');
  // The built-in patterns are ours and stay on V8; a policy's patterns are user input and run on RE2
  // (linear time), in one extra pass that only exists when a policy declares some.
  const userPatterns = options.patterns ?? [];
  const user = userPatterns.length > 0 ? userRegex(userPatterns.map((p) => `(?:${p})`).join('|'), '', 'policy redact pattern') : undefined;
  const builtIn = (value: string) => value.replace(pattern, REDACTED).replace(CREDENTIAL, (_m, scheme: string) => `${scheme} ${REDACTED}`);
  const text = user ? (value: string) => user.replaceAll(builtIn(value), REDACTED) : builtIn;
  const replacer = (key: string, value: unknown) =>
    key !== '' && MAYBE_SECRET_KEY.test(key) && (typeof value === 'string' || typeof value === 'number') && value !== '' && SECRET_KEY.test(snakeCase(key))
      ? REDACTED
      : value;
  return { json: (value) => text(JSON.stringify(value, replacer) ?? 'null'), text };
}
