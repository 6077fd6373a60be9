/**
 * The one redactor. Secrets never reach the event log, the blob store, cassettes, exports, pushed
 * attestations or the terminal: provider API keys and tokens, AWS keys, bearer/basic credentials,
 * passwords in URLs, private keys, values under keys named like password/token/secret, literal secrets
 * this process holds (the gateway key, header values from the environment), and the policy's own
 * patterns. Redaction sits on the hot path of every event, so each string is scanned once by a cheap
 * precheck (the fixed heads every secret starts with); only from its first hit on does the combined
 * pattern run. `findSecrets` reuses the combined pattern to point at live-secret lookalikes in user files
 * (validate warns, register refuses).
 */

import { userRegex } from '../util/safe-regex.js';

export const REDACTED = '[REDACTED]';

/** A case-insensitive spelling of a word, for the combined pattern (which is case-sensitive as a whole). */
const ci = (word: string) => word.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);

/** Names of keys whose value is a secret, in `key: value`, `key=value` and JSON text. */
const SECRET_NAME = `(?:${['password', 'passwd', 'passphrase', 'secret', 'token', 'api[_-]?key', 'access[_-]?key', 'private[_-]?key'].map(ci).join('|')})`;

/** Each built-in kind: a named group in the combined pattern, and what it is called in a diagnostic. */
const KINDS: readonly { name: string; label: string; pattern: string }[] = [
  // With real newlines, or escaped ones inside JSON ([^"] spans both, and never leaves a JSON string);
  // a block cut off before its END line is still a key.
  {
    name: 'pem',
    label: 'a PEM private key',
    pattern: String.raw`-----BEGIN [A-Z ]*PRIVATE KEY-----(?:[^"]*?-----END [A-Z ]*PRIVATE KEY-----|[A-Za-z0-9+/=\s\\]*)`,
  },
  { name: 'anthropic', label: 'an Anthropic API key', pattern: String.raw`\bsk-ant-[A-Za-z0-9_-]{20,}` },
  { name: 'openai', label: 'an OpenAI API key', pattern: String.raw`\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}` },
  { name: 'awsid', label: 'an AWS access key id', pattern: String.raw`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b` },
  { name: 'github', label: 'a GitHub token', pattern: String.raw`\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})` },
  { name: 'gitlab', label: 'a GitLab token', pattern: String.raw`\bgl(?:pat|dt|ptt|rt)-[A-Za-z0-9_-]{20,}` },
  { name: 'slack', label: 'a Slack token', pattern: String.raw`\bxox[abposr]-[A-Za-z0-9-]{10,}` },
  { name: 'google', label: 'a Google API key', pattern: String.raw`\bAIza[0-9A-Za-z_-]{35}` },
  { name: 'stripe', label: 'a Stripe key', pattern: String.raw`\b[rs]k_(?:live|test)_[0-9A-Za-z]{16,}` },
  { name: 'jwt', label: 'a JSON Web Token', pattern: String.raw`\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}` },
  // The scheme and user stay (they say where a credential went), the password goes.
  { name: 'url', label: 'a password in a URL', pattern: String.raw`(?<urlHead>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/?#@"'\\]+:)[^\s/?#@"'\\]+(?=@)` },
  {
    name: 'cred',
    label: 'a bearer/basic credential',
    pattern: `(?<credHead>\\b(?:${ci('bearer')}|${ci('basic')}|${ci('token')})\\s+)[A-Za-z0-9._~+/=-]{8,}`,
  },
  {
    name: 'kv',
    label: 'a value under a secret-like key',
    pattern: String.raw`(?<kvHead>${SECRET_NAME}\\?["']?\s*[:=]\s*)(?:\\"[^"\\\n]{4,}\\"|"[^"\\\n]{4,}"|'[^'\n]{4,}'|[^\s"',;&}\])\\]{4,})`,
  },
  // Standalone AWS secret access keys: exactly 40 base64 characters, accepted only when they look random
  // (mixed case and digits, high entropy), so sha256 hex digests, git SHAs and ULIDs are never taken.
  { name: 'awssecret', label: 'an AWS secret access key', pattern: '(?<![A-Za-z0-9/+=_-])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=_-])' },
];

const BUILT_IN = KINDS.map((k) => `(?<${k.name}>${k.pattern})`).join('|');

/** Shannon entropy per character; random base64 is near 5, words and paths well under 4.2. */
function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / text.length) * Math.log2(n / text.length);
  return bits;
}

const LOWER = /[a-z]/;
const UPPER = /[A-Z]/;
const DIGIT = /[0-9]/;
function looksRandom(candidate: string): boolean {
  return LOWER.test(candidate) && UPPER.test(candidate) && DIGIT.test(candidate) && entropy(candidate) >= 4.2;
}

/**
 * A bearer/basic/token credential is only taken when it has a digit or a symbol, is long, or (Basic)
 * decodes to `user:password`: "token estimated" and "Basic information" are prose.
 */
const CRED_SYMBOL = /[0-9._~+/=-]/;
const BASIC = /^basic/i;
const credentialLike = (head: string, value: string) =>
  CRED_SYMBOL.test(value) || value.length >= 20 || (BASIC.test(head) && Buffer.from(value, 'base64').toString('latin1').includes(':'));
/** `${NAME}` and `$NAME` are references to the environment, the very fix we ask for — not secrets. */
const REFERENCE = /^\\?["']?\$/;
const isReference = (value: string) => REFERENCE.test(value);
const QUOTED = /^["']/;

type Groups = Record<string, string | undefined>;

/** What to put in place of a match, or undefined to keep it (a candidate that turned out not to be a secret). */
function replacement(match: string, groups: Groups): string | undefined {
  if (groups.awssecret !== undefined) return looksRandom(match) ? REDACTED : undefined;
  if (groups.url !== undefined) return `${groups.urlHead}${REDACTED}`;
  if (groups.cred !== undefined) {
    const head = groups.credHead ?? '';
    return credentialLike(head, match.slice(head.length)) ? `${head.trimEnd()} ${REDACTED}` : undefined;
  }
  if (groups.kv !== undefined) {
    const head = groups.kvHead ?? '';
    const value = match.slice(head.length);
    if (isReference(value) || value.includes(REDACTED)) return undefined;
    const quote = value.startsWith('\\"') ? '\\"' : QUOTED.test(value) ? value[0] : '';
    return `${head}${quote}${REDACTED}${quote}`;
  }
  return REDACTED;
}

// Matched against snake_cased JSON keys, on the last word, so accessToken and db_password match but maxTokens does not.
const SECRET_KEY = /(^|_)(password|passwd|passphrase|secret|token|api_?key|access_?key|secret_?key|authorization|credentials?|private_?key|cookie)$/;
const MAYBE_SECRET_KEY = /pass|secret|token|key|auth|credential|cookie/i;
const snakeCase = (key: string) =>
  key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toLowerCase();

export interface Redactor {
  /** The value as JSON (indented by `space`, as JSON.stringify), with secrets replaced. */
  json(value: unknown, space?: number): string;
  text(value: string): string;
}

/**
 * The precheck: a superset of where any match of the combined pattern can start, from the fixed head each
 * kind must contain. A string with none holds no secret and is returned as is (most event payloads).
 * Three cheap scans, not one regex: fixed heads (case-sensitive, like the kinds), secret-like words
 * (case-insensitive; the last alternative finds JSON keys the replacer would redact, `"…token":`, so
 * `json` stringifies without a replacer function unless one is there), and a linear scan for the 40-character
 * runs of AWS secrets (as a regex, that one alternative cost more than all the rest together).
 */
const FIXED_HEADS = [
  '-----BEGIN ',
  'sk-',
  'AKIA',
  'ASIA',
  'gh[pousr]_',
  'github_pat_',
  'gl(?:pat|dt|ptt|rt)-',
  'xox[abposr]-',
  'AIza',
  '[rs]k_(?:live|test)_',
  'eyJ',
  '://',
];
const WORD_HEADS = new RegExp(
  [
    String.raw`\b(?:bearer|basic|token)\s`,
    String.raw`(?:password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key)\\?["']?\s*[:=]`,
    String.raw`(?:password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key|secret[_-]?key|authorization|credentials?|private[_-]?key|cookie)"\s*:`,
  ].join('|'),
  'i',
);

/** 1: a character of an AWS secret ([A-Za-z0-9/+]); 2: one that may not touch it ([=_-]); 0: anything else. */
const AWS_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  AWS_CLASS[c] = /[A-Za-z0-9/+]/.test(ch) ? 1 : /[=_-]/.test(ch) ? 2 : 0;
}

const awsClass = (value: string, i: number): number => {
  const c = value.charCodeAt(i);
  return c < 128 ? (AWS_CLASS[c] as number) : 0;
};

/**
 * Where the first run of exactly 40 AWS-secret characters starts (the awssecret kind's bounds), or -1.
 * It probes every 40th character and looks closer only around one that could be inside such a run.
 */
function awsSecretRun(value: string): number {
  const n = value.length;
  for (let j = 39; j < n; ) {
    if (awsClass(value, j) !== 1) {
      j += 40;
      continue;
    }
    let start = j;
    while (start > 0 && awsClass(value, start - 1) === 1) start--;
    let end = j + 1;
    while (end < n && awsClass(value, end) === 1) end++;
    if (end - start === 40 && (start === 0 || awsClass(value, start - 1) === 0) && (end === n || awsClass(value, end) === 0)) return start;
    j = end + 40;
  }
  return -1;
}

/** Characters a URL scheme is made of: a url match can start this far before the `://` the precheck finds. */
const isSchemeChar = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 43 || c === 46 || c === 45;

export interface RedactorOptions {
  patterns?: readonly string[];
  literals?: readonly string[];
  /** Skip the precheck and always run the combined pattern: the reference tests hold the fast path to. */
  alwaysScan?: boolean;
}

/** A redactor with the built-in patterns, extra regular expressions (from policies) and literal secrets (keys in env). */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const literals = [...new Set(options.literals ?? [])]
    .filter((l) => l.length >= 8)
    // Longest first, so a header value `Bearer <token>` goes whole rather than leaving its prefix.
    .sort((a, b) => b.length - a.length)
    .map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const source = literals.length > 0 ? `(?<literal>${literals.join('|')})|${BUILT_IN}` : BUILT_IN;
  const pattern = new RegExp(source, 'g');
  const fixedHeads = new RegExp([...literals, ...FIXED_HEADS].join('|'));
  /** The first index a match may start at (a superset), or -1 when the value holds no secret. */
  const firstCandidate = (value: string): number => {
    let first = fixedHeads.exec(value)?.index ?? -1;
    const word = WORD_HEADS.exec(value)?.index ?? -1;
    if (word !== -1 && (first === -1 || word < first)) first = word;
    const aws = awsSecretRun(value);
    return aws !== -1 && (first === -1 || aws < first) ? aws : first;
  };
  /**
   * `firstCandidate(value) !== -1` without building match objects: `test` returns a boolean where `exec`
   * allocates a result array, and on the path every event takes that was a third of the precheck's cost.
   */
  const mayHoldSecret = (value: string): boolean => fixedHeads.test(value) || WORD_HEADS.test(value) || awsSecretRun(value) !== -1;
  // The built-in patterns are ours and stay on V8; a policy's patterns are user input and run on RE2
  // (linear time), in one extra pass that only exists when a policy declares some.
  const userPatterns = options.patterns ?? [];
  const user = userPatterns.length > 0 ? userRegex(userPatterns.map((p) => `(?:${p})`).join('|'), '', 'policy redact pattern') : undefined;
  const builtIn = (value: string): string => {
    let from = options.alwaysScan ? 0 : firstCandidate(value);
    if (from === -1) return value;
    // No match starts before the precheck's first hit, except a URL's scheme before its `://`.
    while (from > 0 && isSchemeChar(value.charCodeAt(from - 1))) from--;
    // lastIndex instead of slicing: \b and the lookbehinds must still see the characters before `from`.
    pattern.lastIndex = from;
    let out = '';
    let kept = 0;
    for (let m = pattern.exec(value); m !== null; m = pattern.exec(value)) {
      const match = m[0];
      if (match === '') {
        pattern.lastIndex++;
        continue;
      }
      const replaced = replacement(match, m.groups as Groups);
      if (replaced !== undefined) {
        out += value.slice(kept, m.index) + replaced;
        kept = m.index + match.length;
      }
    }
    return kept === 0 ? value : out + value.slice(kept);
  };
  const text = user ? (value: string) => user.replaceAll(builtIn(value), REDACTED) : builtIn;
  const replacer = (key: string, value: unknown) =>
    key !== '' && MAYBE_SECRET_KEY.test(key) && (typeof value === 'string' || typeof value === 'number') && value !== '' && SECRET_KEY.test(snakeCase(key))
      ? REDACTED
      : value;
  const json = (value: unknown, space?: number): string => {
    const plain = JSON.stringify(value, null, space) ?? 'null';
    // Only when a key the replacer would act on may be there: stringify again, as the replacer decides.
    if (!options.alwaysScan && !mayHoldSecret(plain)) return user ? user.replaceAll(plain, REDACTED) : plain;
    return text(JSON.stringify(value, replacer, space) ?? 'null');
  };
  return { json, text };
}

/** A secret-looking thing in a text: where it starts (UTF-16 offset), how long it is, and what it looks like. */
export interface SecretHit {
  index: number;
  length: number;
  label: string;
}

const FIND = new RegExp(BUILT_IN, 'g');

/** The built-in secret lookalikes in `text` (what `createRedactor` would replace), for diagnostics. */
export function findSecrets(text: string): SecretHit[] {
  const hits: SecretHit[] = [];
  for (const m of text.matchAll(FIND)) {
    const groups = (m.groups ?? {}) as Groups;
    if (replacement(m[0], groups) === undefined) continue;
    const kind = KINDS.find((k) => groups[k.name] !== undefined);
    const head = groups.urlHead ?? groups.credHead ?? groups.kvHead ?? '';
    const value = m[0].slice(head.length);
    // "token ghp_…" is a GitHub token before it is a credential after a keyword: say the specific kind.
    const specific = head ? KINDS.find((k) => k.name !== kind?.name && findSecrets(value).some((h) => h.label === k.label)) : undefined;
    hits.push({ index: (m.index ?? 0) + head.length, length: value.length, label: (specific ?? kind)?.label ?? 'a secret' });
  }
  return hits;
}
