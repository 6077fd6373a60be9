/**
 * Secrets never reach the event log: provider API keys and tokens, bearer/basic credentials, private
 * keys, values under keys named like password/token/secret, and the policy's own patterns.
 */

export const REDACTED = '[REDACTED]';

const BUILT_IN: RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /\bsk-(?:ant-|proj-|svcacct-)?[A-Za-z0-9_-]{20,}/g, // OpenAI, Anthropic
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, // AWS access key ids
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{22,}/g,
  /\bglpat-[A-Za-z0-9_-]{20,}/g, // GitLab
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API keys
  /\b[rs]k_(?:live|test)_[0-9A-Za-z]{16,}/g, // Stripe
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWTs
];
const CREDENTIAL = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
// Matched against snake_cased keys, on the last word, so accessToken and db_password match but maxTokens does not.
const SECRET_KEY = /(^|_)(password|passwd|passphrase|secret|token|api_?key|authorization|credentials?|private_?key|cookie)$/;
const snakeCase = (key: string) =>
  key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toLowerCase();

export type Redactor = (value: unknown) => unknown;

/** A redactor with the built-in patterns, extra regular expressions (from policies) and literal secrets (keys in env). */
export function createRedactor(options: { patterns?: readonly string[]; literals?: readonly string[] } = {}): Redactor {
  const extra = (options.patterns ?? []).map((p) => new RegExp(p, 'g'));
  const literals = (options.literals ?? []).filter((l) => l.length >= 8);
  const redactString = (text: string): string => {
    let out = text;
    for (const literal of literals) out = out.split(literal).join(REDACTED);
    for (const pattern of [...BUILT_IN, ...extra]) out = out.replace(pattern, REDACTED);
    return out.replace(CREDENTIAL, (_m, scheme: string) => `${scheme} ${REDACTED}`);
  };
  const walk = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return redactString(value);
    if (value === null || typeof value !== 'object' || depth > 32) return value;
    if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = SECRET_KEY.test(snakeCase(key)) && (typeof v === 'string' || typeof v === 'number') && v !== '' ? REDACTED : walk(v, depth + 1);
    }
    return out;
  };
  return (value) => walk(value, 0);
}
