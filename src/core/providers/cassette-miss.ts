/**
 * What a cassette miss tells a new user: which inputs the cassette does know (closest to theirs first)
 * and the two ways on — the labelled echo test double, or recording a live answer. Also the loose
 * comparison hand-written entries are matched with, so `Hello!`, ` hello ` and `HELLO?` find `hello`.
 */
import type { Cassette } from './cassette.js';
import { ModelError, type ModelRequest } from './types.js';

/** How many known inputs a miss lists; the rest are counted. */
const SHOWN = 5;

/** Where the provider's config says a live answer would come from, for the `--record` advice. */
export interface MissAdvice {
  /** The environment variable the gateway key is read from (config gateway.apiKeyEnv). */
  apiKeyEnv?: string | undefined;
  /** The configured gateway (config gateway.baseUrl), if any. */
  gatewayUrl?: string | undefined;
}

/**
 * A hand-written input as matched loosely: case, surrounding (and repeated) whitespace and trailing
 * punctuation do not matter, because people type `hello`, `Hello!` and `HELLO?` for the same question.
 */
export function looseInput(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[\p{P}\s]+$/u, '')
    .trim();
}

/** The inputs a cassette answers: hand-written `match.input`s and the user text recorded entries were made from. */
export function knownInputs(cassette: Cassette | undefined): string[] {
  const seen = new Set<string>();
  const inputs: string[] = [];
  for (const entry of cassette?.interactions ?? []) {
    // A recorded entry's `last` is the user's text only at the first model call; later it is a tool result.
    const text = 'match' in entry ? entry.match.input : entry.request?.step === 1 ? entry.request.last : null;
    if (!text?.trim() || seen.has(looseInput(text))) continue;
    seen.add(looseInput(text));
    inputs.push(text.trim());
  }
  return inputs;
}

/** `known` ordered closest to `input` first (shared words, then shared letter pairs); ties keep file order. */
export function closestFirst(input: string, known: readonly string[]): string[] {
  const words = (text: string) =>
    new Set(
      looseInput(text)
        .split(/[^\p{L}\p{N}]+/u)
        .filter(Boolean),
    );
  const pairs = (text: string) => {
    const flat = looseInput(text).replace(/\s+/g, ' ');
    const out = new Set<string>();
    for (let i = 0; i < flat.length - 1; i++) out.add(flat.slice(i, i + 2));
    return out;
  };
  const dice = (a: Set<string>, b: Set<string>) => {
    if (a.size + b.size === 0) return 0;
    let shared = 0;
    for (const item of a) if (b.has(item)) shared++;
    return (2 * shared) / (a.size + b.size);
  };
  const target = { words: words(input), pairs: pairs(input) };
  return known
    .map((text, index) => ({ text, index, score: 0.6 * dice(target.words, words(text)) + 0.4 * dice(target.pairs, pairs(text)) }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map((scored) => scored.text);
}

/** The error a miss raises: still a `cassette-miss` ModelError (runs fail with it, the playground falls back to echo). */
export function cassetteMiss(request: ModelRequest, key: string, cassette: Cassette | undefined, advice: MissAdvice = {}): ModelError {
  const last = [...request.messages].reverse().find((m) => m.role !== 'system');
  const lastText = last?.content ?? (last?.toolCalls ? `tool calls ${last.toolCalls.map((c) => c.name).join(', ')}` : '');
  const known = closestFirst(request.input, knownInputs(cassette));
  const shown = known.slice(0, SHOWN).map((text) => `"${truncate(text, 80)}"`);
  const more = known.length > SHOWN ? ` and ${known.length - SHOWN} more` : '';
  const knows = !cassette
    ? `; ${request.agent} has no cassette (its spec names none: add \`cassette: cassettes/default.yaml\`)`
    : known.length === 0
      ? `; the cassette of ${request.agent} has no entries yet`
      : `; the cassette of ${request.agent} knows (closest first): ${shown.join(', ')}${more}`;
  const input = shellArg(truncate(request.input.trim(), 200));
  const run = `agentctl run ${request.agent} -i ${input}`;
  const keyEnv = advice.apiKeyEnv ?? 'AGENTCTL_GATEWAY_KEY';
  const gateway = advice.gatewayUrl ? `the gateway at ${advice.gatewayUrl}` : 'your gateway (set gateway.baseUrl in .agentctl/config.yaml)';
  const ways = [
    ...(known.length > 0 ? [`ask one of those (case and end punctuation do not matter)`] : []),
    `answer anything with the labelled echo test double: ${run} --provider echo`,
    `record a live answer from ${gateway}, key in $${keyEnv}: ${run} --record --provider openai`,
  ];
  return new ModelError(
    `no recorded response for ${request.agent}, model call ${request.step} (${request.model}, ${key.slice(0, 19)}…), after ${last?.role ?? 'nothing'}: "${truncate(lastText ?? '', 60)}"${knows}`,
    'cassette-miss',
    false,
    ways.join('; or '),
  );
}

/** The input as one shell word a user can paste: double quotes unless it holds characters the shell expands there. */
export function shellArg(text: string): string {
  return /["$`\\!]/.test(text) ? `'${text.replaceAll("'", `'\\''`)}'` : `"${text}"`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
