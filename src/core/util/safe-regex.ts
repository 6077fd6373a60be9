/**
 * Regular expressions users write (route.when, mock "/re/" values, regex assertions, tool-called regex
 * args, policy redact patterns) run on RE2, a linear-time engine: `^(a+)+$` against a long input takes
 * microseconds instead of hours. A heuristic "catastrophic pattern" checker would have to be right about
 * every pattern; RE2 is safe by construction. The price: no lookaround and no backreferences, which
 * `validate` reports at the pattern's file:line:col.
 *
 * re2-wasm is loaded lazily (it costs ~60 ms to instantiate) and only by code that meets a user pattern.
 */
import { createRequire } from 'node:module';
import { CheckFailedError } from '../errors.js';

interface Re2 {
  test(input: string): boolean;
  exec(input: string): unknown;
  replace(input: string, replacer: string | ((substring: string, ...args: unknown[]) => string)): string;
  lastIndex: number;
}
type Re2Constructor = new (pattern: string, flags?: string) => Re2;

let engine: Re2Constructor | undefined;
function re2(): Re2Constructor {
  engine ??= (createRequire(import.meta.url)('re2-wasm') as { RE2: Re2Constructor }).RE2;
  return engine;
}

/** Flags RE2 understands; `u` is always added (re2-wasm requires it), `g` and `y` only where asked for. */
const ALLOWED_FLAGS = new Set(['i', 'm', 's', 'g', 'y', 'u']);
const CACHE_LIMIT = 512;
const cache = new Map<string, Re2>();

export interface UserRegex {
  /** Whether the pattern matches anywhere in the input (stateless: no lastIndex carried between calls). */
  test(input: string): boolean;
  /** Every match replaced (the pattern compiled with `g`). */
  replaceAll(input: string, replacement: string): string;
}

function compiled(pattern: string, flags: string): Re2 {
  const key = `${flags}\u0000${pattern}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const unknown = [...flags].filter((f) => !ALLOWED_FLAGS.has(f));
  if (unknown.length > 0) throw new SyntaxError(`unsupported flag${unknown.length > 1 ? 's' : ''} "${unknown.join('')}" (use i, m, s)`);
  const regex = new (re2())(pattern, [...new Set(`${flags}u`)].join(''));
  // A bounded cache: patterns come from specs, so few, but a long-lived process must not grow without end.
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, regex);
  return regex;
}

/**
 * Why RE2 cannot compile the pattern (lookaround, backreferences, bad syntax, a flag it lacks), or
 * undefined when it can. For `validate`: the message is shown at the pattern's file:line:col.
 */
export function regexProblem(pattern: string, flags = ''): string | undefined {
  try {
    compiled(pattern, flags);
    return undefined;
  } catch (error) {
    return reason(error);
  }
}

/** The fix shown with a pattern RE2 rejects. */
export const REGEX_FIX =
  'rewrite the pattern without lookaround ((?=…), (?!…), (?<=…), (?<!…)) or backreferences (\\1): user patterns run on RE2, a linear-time engine';

/**
 * A user pattern compiled on RE2. Throws CheckFailedError (exit 1) when it does not compile — `validate`
 * reports those first, so this only fires for inputs that skipped it (an old registered version).
 */
export function userRegex(pattern: string, flags = '', what = 'regular expression'): UserRegex {
  const plain = flags.replace(/[gy]/g, '');
  let regex: Re2;
  let global: Re2;
  try {
    regex = compiled(pattern, plain);
    global = compiled(pattern, `${plain}g`);
  } catch (error) {
    throw new CheckFailedError(`${what} /${pattern}/ cannot run: ${reason(error)}`, { fix: REGEX_FIX, code: 'invalid-regex' });
  }
  return {
    test: (input) => {
      regex.lastIndex = 0;
      return regex.test(input);
    },
    replaceAll: (input, replacement) => {
      global.lastIndex = 0;
      // A function replacer keeps "$&"-style sequences in the replacement literal.
      return global.replace(input, () => replacement);
    },
  };
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // "Invalid regular expression: /x/u: invalid perl operator: (?=" → "invalid perl operator: (?=".
  const match = /^Invalid regular expression: \/.*\/[a-z]*: (.*)$/s.exec(message);
  return match?.[1] ?? message;
}
