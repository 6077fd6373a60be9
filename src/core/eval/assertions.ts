/**
 * Assertions: each gives a score in [0, 1] and passes when the score reaches its threshold (default 1);
 * `not` inverts it; `weight` counts in the sample score. Problems of the check itself (a JS file that
 * throws or hangs, a judge that answers no verdict) are errors, kept apart from failures.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkJsonSchema, compileJsonSchema } from '../runtime/json-schema-check.js';
import { userRegex } from '../util/safe-regex.js';
import type { Assertion } from './dataset.js';
import { JsSandbox, type SandboxResult } from './sandbox.js';

export interface Observation {
  input: string;
  output: string;
  expected: string | undefined;
  status: string;
  toolCalls: { name: string; args: Record<string, unknown> }[];
  routes: string[];
  steps: number;
  latencyMs: number;
  tokens: number;
  costUsd: number;
  /** The fallback the run took, if any: a sample may assert it (fell-back) when it tests the fallback itself. */
  fallback: 'model' | 'rule' | 'human' | null;
}

export interface AssertionResult {
  type: Assertion['type'];
  pass: boolean;
  score: number;
  weight: number;
  reason: string;
  /** The check could not be made (not a failure of the agent). */
  error?: boolean;
}

export interface Verdict {
  pass: boolean;
  score: number;
  reason: string;
}

export interface AssertionContext {
  /** Grades a rubric through the model provider (cached in the cassette). */
  judge(rubric: string, model: string | undefined, observation: Observation): Promise<Verdict>;
  /** Folder javascript assertion files are relative to. */
  dir: string;
  /** The eval's sandbox for javascript assertions (one process for the whole eval); a one-shot one otherwise. */
  sandbox?: JsSandbox;
}

export class AssertionError extends Error {}

export async function evaluateAssertion(assertion: Assertion, obs: Observation, context: AssertionContext): Promise<AssertionResult> {
  const weight = assertion.weight ?? 1;
  let raw: { score: number; reason: string };
  try {
    raw = await check(assertion, obs, context);
  } catch (error) {
    return { type: assertion.type, pass: false, score: 0, weight, reason: (error as Error).message, error: true };
  }
  const score = assertion.not ? 1 - raw.score : raw.score;
  const pass = score >= (assertion.threshold ?? 1) - 1e-9;
  return { type: assertion.type, pass, score, weight, reason: `${assertion.not ? 'not: ' : ''}${raw.reason}` };
}

const yes = (ok: boolean, reason: string) => ({ score: ok ? 1 : 0, reason });

async function check(a: Assertion, obs: Observation, context: AssertionContext): Promise<{ score: number; reason: string }> {
  const out = obs.output;
  const quote = (text: string) => JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
  switch (a.type) {
    case 'equals':
      return yes(out.trim() === a.value.trim(), `output ${out.trim() === a.value.trim() ? 'equals' : 'differs from'} ${quote(a.value)}`);
    case 'contains':
      return yes(out.includes(a.value), `output ${out.includes(a.value) ? 'contains' : 'lacks'} ${quote(a.value)}`);
    case 'icontains': {
      const ok = out.toLowerCase().includes(a.value.toLowerCase());
      return yes(ok, `output ${ok ? 'contains' : 'lacks'} ${quote(a.value)} (any case)`);
    }
    case 'not-contains':
      return yes(!out.includes(a.value), `output ${out.includes(a.value) ? 'contains' : 'does not contain'} ${quote(a.value)}`);
    case 'starts-with':
      return yes(out.startsWith(a.value), `output ${out.startsWith(a.value) ? 'starts' : 'does not start'} with ${quote(a.value)}`);
    case 'contains-any': {
      const found = a.values.filter((v) => out.includes(v));
      return yes(found.length > 0, found.length ? `output contains ${quote(found[0] as string)}` : `output contains none of ${JSON.stringify(a.values)}`);
    }
    case 'contains-all': {
      const missing = a.values.filter((v) => !out.includes(v));
      return {
        score: (a.values.length - missing.length) / a.values.length,
        reason: missing.length ? `output lacks ${JSON.stringify(missing)}` : 'output contains all',
      };
    }
    case 'regex': {
      const ok = userRegex(a.pattern, a.flags, 'regex assertion').test(out);
      return yes(ok, `output ${ok ? 'matches' : 'does not match'} /${a.pattern}/${a.flags ?? ''}`);
    }
    case 'is-json':
      return yes(parseJson(out) !== undefined, parseJson(out) !== undefined ? 'output is JSON' : 'output is not JSON');
    case 'json-schema': {
      const value = parseJson(out);
      if (value === undefined) return yes(false, 'output is not JSON');
      const compiled = compileJsonSchema(a.schema);
      // A schema that does not compile checks nothing: an error to fix in the sample set, never a pass.
      if (!compiled.ok) {
        const d = compiled.defects[0];
        throw new AssertionError(`json-schema assertion: the schema is not valid JSON Schema at #/${d?.path.join('/')}: ${d?.message} (${d?.fix})`);
      }
      const problems = checkJsonSchema(a.schema, value);
      return yes(problems.length === 0, problems.length ? `schema: ${problems.slice(0, 3).join('; ')}` : 'output matches the schema');
    }
    case 'tool-called': {
      const calls = obs.toolCalls.filter((c) => c.name === a.name);
      if (calls.length === 0) return yes(false, `${a.name} was not called (calls: ${obs.toolCalls.map((c) => c.name).join(', ') || 'none'})`);
      if (!a.args) return yes(true, `${a.name} was called`);
      const match = calls.some((c) => argsMatch(a.args as Record<string, unknown>, c.args, a.match ?? 'subset'));
      return yes(
        match,
        match
          ? `${a.name} was called with matching arguments`
          : `${a.name} was called, but with ${JSON.stringify(calls[0]?.args)} not ${a.match ?? 'subset'} ${JSON.stringify(a.args)}`,
      );
    }
    case 'tool-sequence': {
      const names = obs.toolCalls.map((c) => c.name);
      const ok = (a.order ?? 'in-order') === 'in-order' ? isSubsequence(a.names, names) : a.names.every((n) => names.includes(n));
      return yes(ok, `tool calls ${JSON.stringify(names)} ${ok ? 'include' : 'do not include'} ${JSON.stringify(a.names)} ${a.order ?? 'in-order'}`);
    }
    case 'not-tool-called':
      return yes(!obs.toolCalls.some((c) => c.name === a.name), `${a.name} was ${obs.toolCalls.some((c) => c.name === a.name) ? '' : 'not '}called`);
    case 'routed-to':
      return yes(obs.routes.includes(a.agent), `routed to ${obs.routes.join(', ') || 'no sub-agent'}`);
    case 'fell-back':
      return yes(
        obs.fallback !== null && (a.to === undefined || obs.fallback === a.to),
        obs.fallback === null ? 'the run did not fall back' : `the run fell back to ${obs.fallback === 'human' ? 'a human' : `the ${obs.fallback}`}`,
      );
    case 'max-steps':
      return yes(obs.steps <= a.value, `${obs.steps} step(s), at most ${a.value}`);
    case 'max-latency':
      return yes(obs.latencyMs <= a.ms, `${obs.latencyMs} ms, at most ${a.ms}`);
    case 'max-cost':
      return yes(obs.costUsd <= a.usd, `$${obs.costUsd.toFixed(6)}, at most $${a.usd}`);
    case 'max-tokens':
      return yes(obs.tokens <= a.value, `${obs.tokens} tokens, at most ${a.value}`);
    case 'judge': {
      const verdict = await context.judge(a.rubric, a.model, obs);
      // Without a threshold the judge's pass decides; with one, its score does.
      return {
        score: a.threshold === undefined ? Number(verdict.pass) : verdict.score,
        reason: `judge (score ${verdict.score.toFixed(2)}): ${verdict.reason}`,
      };
    }
    case 'javascript':
      return runJavascript(resolve(context.dir, a.file), a.export ?? 'default', a.timeoutMs ?? 5_000, obs, context.sandbox, context.dir);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function argsMatch(expected: Record<string, unknown>, actual: Record<string, unknown>, mode: 'exact' | 'subset' | 'regex'): boolean {
  if (mode === 'exact') return JSON.stringify(sortKeys(expected)) === JSON.stringify(sortKeys(actual));
  return Object.entries(expected).every(([key, value]) =>
    mode === 'regex'
      ? userRegex(String(value), '', `tool-called ${key}`).test(typeof actual[key] === 'string' ? (actual[key] as string) : JSON.stringify(actual[key]))
      : JSON.stringify(actual[key]) === JSON.stringify(value),
  );
}

function sortKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));
}

function isSubsequence(wanted: string[], seen: string[]): boolean {
  let i = 0;
  for (const name of seen) if (name === wanted[i]) i++;
  return i === wanted.length;
}

/**
 * A user's check function runs in the sandbox (sandbox.ts): a separate process under Node's permission
 * model, so one that throws is an error, one that never returns is stopped at its timeout, and one that
 * reads files outside its version, writes, spawns or reads the environment is refused.
 */
async function runJavascript(
  file: string,
  exportName: string,
  timeoutMs: number,
  obs: Observation,
  sandbox: JsSandbox | undefined,
  dir: string,
): Promise<{ score: number; reason: string }> {
  const own = sandbox ?? new JsSandbox({ readDir: dir });
  let message: SandboxResult;
  try {
    message = await own.call(pathToFileURL(file).href, exportName, obs.output, { ...obs }, timeoutMs);
  } catch (error) {
    throw new AssertionError(`javascript assertion ${file} ${(error as Error).message}`);
  } finally {
    if (!sandbox) own.close();
  }
  if (!message.ok) throw new AssertionError(`javascript assertion ${file} threw: ${message.error}`);
  const result = message.result;
  if (typeof result === 'boolean') return { score: result ? 1 : 0, reason: `javascript: ${result ? 'passed' : 'failed'}` };
  if (typeof result === 'number') return { score: Math.max(0, Math.min(1, result)), reason: `javascript: score ${result}` };
  if (result && typeof result === 'object' && 'pass' in result) {
    const r = result as { pass: boolean; score?: number; reason?: string };
    return { score: r.score ?? (r.pass ? 1 : 0), reason: `javascript: ${r.reason ?? (r.pass ? 'passed' : 'failed')}` };
  }
  throw new AssertionError(`javascript assertion ${file} returned ${JSON.stringify(result)}; return a boolean, a number, or { pass, score?, reason? }`);
}

/** Reads the judge's answer: a JSON object with pass (boolean) and/or score (0..1), and a reason. */
export function parseVerdict(content: string | null): Verdict {
  const text = content ?? '';
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  const value = start !== -1 && end > start ? parseJson(text.slice(start, end + 1)) : undefined;
  const v = value as { pass?: unknown; score?: unknown; reason?: unknown } | undefined;
  const hasPass = typeof v?.pass === 'boolean';
  const hasScore = typeof v?.score === 'number' && (v.score as number) >= 0 && (v.score as number) <= 1;
  if (!v || (!hasPass && !hasScore)) {
    throw new AssertionError(`the judge's answer is not a verdict (expected JSON with "pass" and/or "score" 0..1): ${JSON.stringify(text.slice(0, 120))}`);
  }
  const score = hasScore ? (v.score as number) : v.pass ? 1 : 0;
  return { pass: hasPass ? (v.pass as boolean) : score >= 0.5, score, reason: typeof v.reason === 'string' ? v.reason : '' };
}
