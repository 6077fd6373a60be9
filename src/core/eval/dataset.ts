/**
 * Sample sets: YAML (`samples: [...]`) or JSONL (one sample a line). Each sample has an id, an input
 * (one turn or a conversation), an optional expected output, per-sample tool mocks, assertions and tags.
 * Errors point at file:line:col like spec errors do.
 */
import { dirname, resolve } from 'node:path';
import { type Diagnostic, didYouMean, formatPath, type PathSegment } from '../spec/diagnostics.js';
import { durationMs } from '../spec/schema.js';
import { schemaDiagnostics } from '../spec/schema-issues.js';
import { MAX_DATA_BYTES, type ParsedYaml, parseYamlSafely } from '../spec/yaml.js';
import { textDigest } from '../util/canonical.js';
import { checkUserFile, DEFAULT_REFERENCED_FILE_BYTES, readUserText } from '../util/read-file.js';
import { REGEX_FIX, regexProblem } from '../util/safe-regex.js';
import * as z from '../util/zod.js';
import { quickSampleCheck } from './sample-quick-check.js';

const common = {
  not: z.boolean().optional().describe('Pass when the check fails.'),
  weight: z.number().positive().optional().describe('Weight in the sample score (default 1).'),
  threshold: z.number().min(0).max(1).optional().describe('Minimum score to pass (default 1; judges and contains-any score between 0 and 1).'),
};
const mockSchema = z.strictObject({ when: z.record(z.string(), z.unknown()).optional(), output: z.unknown().optional(), error: z.string().optional() });

export const assertionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('equals'), value: z.string(), ...common }),
  z.strictObject({ type: z.literal('contains'), value: z.string(), ...common }),
  z.strictObject({ type: z.literal('icontains'), value: z.string(), ...common }),
  z.strictObject({ type: z.literal('not-contains'), value: z.string(), ...common }),
  z.strictObject({ type: z.literal('starts-with'), value: z.string(), ...common }),
  z.strictObject({ type: z.literal('contains-any'), values: z.array(z.string()).min(1), ...common }),
  z.strictObject({ type: z.literal('contains-all'), values: z.array(z.string()).min(1), ...common }),
  z.strictObject({ type: z.literal('regex'), pattern: z.string(), flags: z.string().optional(), ...common }),
  z.strictObject({ type: z.literal('is-json'), ...common }),
  z.strictObject({ type: z.literal('json-schema'), schema: z.record(z.string(), z.unknown()), ...common }),
  z.strictObject({
    type: z.literal('tool-called'),
    name: z.string(),
    args: z.record(z.string(), z.unknown()).optional(),
    match: z.enum(['exact', 'subset', 'regex']).optional().describe('How args match the call (default subset; regex: each value a pattern).'),
    ...common,
  }),
  z.strictObject({ type: z.literal('tool-sequence'), names: z.array(z.string()).min(1), order: z.enum(['in-order', 'any-order']).optional(), ...common }),
  z.strictObject({ type: z.literal('not-tool-called'), name: z.string(), ...common }),
  z.strictObject({ type: z.literal('routed-to'), agent: z.string(), ...common }),
  z.strictObject({
    type: z.literal('fell-back'),
    to: z.enum(['model', 'rule', 'human']).optional().describe('Which fallback the run must have taken (default: any).'),
    ...common,
  }),
  z.strictObject({ type: z.literal('max-steps'), value: z.int().nonnegative(), ...common }),
  z.strictObject({ type: z.literal('max-latency'), ms: z.number().nonnegative(), ...common }),
  z.strictObject({ type: z.literal('max-cost'), usd: z.number().nonnegative(), ...common }),
  z.strictObject({ type: z.literal('max-tokens'), value: z.int().nonnegative(), ...common }),
  z.strictObject({ type: z.literal('judge'), rubric: z.string().min(1), model: z.string().optional(), ...common }),
  z.strictObject({
    type: z.literal('javascript'),
    file: z.string().min(1).describe('A .js/.mjs file next to the sample set; its function gets (output, context).'),
    export: z.string().optional(),
    timeoutMs: durationMs().optional(),
    ...common,
  }),
]);
export type Assertion = z.infer<typeof assertionSchema>;
export const ASSERTION_TYPES = assertionSchema.options.map((o) => o.shape.type.value);

// A change here may need one in sample-quick-check.ts, which says yes early to the common samples: its test
// checks it never accepts what this schema refuses, on random samples.
export const sampleSchema = z.strictObject({
  id: z.string().min(1),
  input: z.union([z.string().min(1), z.array(z.strictObject({ role: z.enum(['user', 'assistant']), content: z.string() })).min(1)]),
  expected: z.string().optional(),
  mocks: z.record(z.string(), z.array(mockSchema)).optional().describe("Tool mocks for this sample only, tried before the tool's own."),
  assert: z.array(assertionSchema).min(1),
  tags: z.array(z.string()).optional(),
  timeoutMs: durationMs().optional(),
});
export type Sample = z.infer<typeof sampleSchema>;

export const datasetSchema = z.strictObject({ samples: z.array(sampleSchema).min(1) });

export interface LoadedDataset {
  file: string;
  absolutePath: string;
  digest: string;
  samples: SampleSet;
  diagnostics: Diagnostic[];
}

/**
 * A sample set's samples, by index or in order. An array for YAML; for JSONL, the checked lines read
 * again when a sample is asked for: 100,000 samples cost their text and two numbers each, not 100,000
 * parsed objects held for the whole eval.
 */
export interface SampleSet extends Iterable<Sample> {
  readonly length: number;
  at(index: number): Sample | undefined;
}

/** JSONL samples kept as the [start, end) offsets of their lines in the (already checked) text. */
class JsonlSamples implements SampleSet {
  constructor(
    private readonly source: string,
    private readonly bounds: Uint32Array,
  ) {}

  get length(): number {
    return this.bounds.length / 2;
  }

  at(index: number): Sample | undefined {
    const i = index < 0 ? index + this.length : index;
    if (i < 0 || i >= this.length) return undefined;
    const line = this.source.slice(this.bounds[2 * i], this.bounds[2 * i + 1]);
    // The line passed sampleSchema (or the quick check, which passes only what the schema takes unchanged) when
    // the set was loaded, and the schema only checks (no defaults, no transforms: see the test "reads each
    // sample back as sampleSchema gives it"), so the JSON is the sample;
    // checking it again cost ~30 µs a sample, ~1 s of a 100,000-sample eval. Except for one thing the schema
    // changes: a record (mocks, when, args, schema) drops a "__proto__" key, which JSON.parse keeps. Such a key is
    // written out, or with a \u escape: a line with either is parsed by the schema, as at load time.
    const value = JSON.parse(line);
    return (line.includes('__proto__') || line.includes('\\u') ? sampleSchema.parse(value) : value) as Sample;
  }

  *[Symbol.iterator](): Iterator<Sample> {
    for (let i = 0; i < this.length; i++) yield this.at(i) as Sample;
  }

  /** The same samples read from `source`, a text equal to this one's (another copy of it). */
  over(source: string): JsonlSamples {
    return new JsonlSamples(source, this.bounds);
  }
}

/** Reads and checks a sample set; never throws for bad input, it reports diagnostics. */
export function loadDataset(absolutePath: string, displayPath: string, maxBytes = DEFAULT_REFERENCED_FILE_BYTES): LoadedDataset {
  const base = { file: displayPath, absolutePath, digest: '', samples: [] as Sample[] };
  const read = readUserText(absolutePath, { maxBytes, raise: 'make the sample set smaller, or raise limits.referencedFileBytes in .agentctl/config.yaml' });
  if (!read.ok) {
    const { code, message, fix } = read.problem;
    const missing = code === 'missing-file';
    const diagnostic: Diagnostic = {
      file: displayPath,
      line: 1,
      col: 1,
      path: '',
      code,
      message: missing ? 'sample set not found' : `the sample set ${message}`,
      fix: missing ? 'create it or fix evals.dataset' : fix,
      severity: 'error',
    };
    return { ...base, diagnostics: [diagnostic] };
  }
  return parseDataset(read.text, absolutePath, displayPath);
}

/**
 * Sample sets parsed lately, by shown path: an eval reads its set when the specs are checked and again
 * when it runs (from the version's bytes, the same text), and 100,000 samples took a second each time.
 * A set is parsed again if its text differs; one whose checks read files (javascript assertions) is not
 * kept, as the files may have changed in between.
 */
const recent = new Map<string, { source: string; parsed: LoadedDataset }>();
const RECENT_SETS = 4;

/** Parses a sample set's text (from disk, or from a registered version's bundle). */
export function parseDataset(source: string, absolutePath: string, displayPath: string): LoadedDataset {
  const dir = dirname(absolutePath);
  const jsonl = absolutePath.endsWith('.jsonl');
  const key = `${jsonl ? 'jsonl' : 'yaml'}\0${displayPath}`;
  const hit = recent.get(key);
  if (hit && hit.source === source) {
    // The caller holds this text (a version's bundle keeps its files); the set reads from it from now on, so
    // the copy parsed earlier (from disk) can be collected: 10 MB of a 100,000-sample eval's heap.
    if (hit.parsed.samples instanceof JsonlSamples) {
      hit.parsed = { ...hit.parsed, samples: hit.parsed.samples.over(source) };
      hit.source = source;
    }
    return { ...hit.parsed, absolutePath };
  }
  const digest = textDigest(source);
  const checks = semanticChecks(displayPath, dir);
  const result = jsonl ? parseJsonl(displayPath, source, checks) : parseYamlDataset(displayPath, source, checks);
  const parsed = { file: displayPath, absolutePath, digest, samples: result.diagnostics.length ? [] : result.samples, diagnostics: result.diagnostics };
  recent.delete(key);
  if (checks.readsFiles()) return parsed;
  if (recent.size >= RECENT_SETS) recent.delete(recent.keys().next().value as string);
  recent.set(key, { source, parsed });
  return parsed;
}

type Locate = (path: PathSegment[]) => { line: number; col: number };

type Parsed = { samples: SampleSet; diagnostics: Diagnostic[] };

function parseYamlDataset(file: string, source: string, check: SampleCheck): Parsed {
  const parsed = parseYamlSafely(file, source, MAX_DATA_BYTES);
  if (!parsed.ok) return { samples: [], diagnostics: parsed.diagnostics };
  const unknown = unknownAssertionTypes(file, (parsed.parsed.value as { samples?: unknown } | null)?.samples, (p) => parsed.parsed.locate(['samples', ...p]));
  if (unknown.length) return { samples: [], diagnostics: unknown };
  const checked = datasetSchema.safeParse(parsed.parsed.value);
  if (!checked.success) return { samples: [], diagnostics: schemaDiagnostics(file, parsed.parsed, datasetSchema, checked.error.issues) };
  const diagnostics = checked.data.samples.flatMap((sample, i) => check(sample, i, parsed.parsed.locate));
  return { samples: checked.data.samples, diagnostics };
}

function parseJsonl(file: string, source: string, check: SampleCheck): Parsed {
  const bounds: number[] = [];
  const diagnostics: Diagnostic[] = [];
  let count = 0;
  let line = 0;
  for (let start = 0; start <= source.length; ) {
    const newline = source.indexOf('\n', start);
    const end = newline < 0 ? source.length : newline;
    const text = source.slice(start, end);
    const from = start;
    start = end + 1;
    line++;
    if (!text.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const position = /position (\d+)/.exec((error as Error).message)?.[1];
      diagnostics.push({
        file,
        line,
        col: position ? Number(position) + 1 : 1,
        path: '',
        code: 'json-syntax',
        message: (error as Error).message,
        fix: 'each line must be one JSON object',
        severity: 'error',
      });
      continue;
    }
    const at = () => ({ line, col: 1 });
    const unknown = unknownAssertionTypes(file, [value], () => at());
    if (unknown.length) {
      diagnostics.push(...unknown);
      continue;
    }
    const checked = quickSampleCheck(value) ? { success: true as const, data: value as Sample } : sampleSchema.safeParse(value);
    if (!checked.success) {
      const parsed: ParsedYaml = { value, locate: at, locateKey: at };
      diagnostics.push(...schemaDiagnostics(file, parsed, sampleSchema, checked.error.issues));
      continue;
    }
    diagnostics.push(...check(checked.data, count++, at));
    bounds.push(from, end);
  }
  if (count === 0 && diagnostics.length === 0)
    diagnostics.push({
      file,
      line: 1,
      col: 1,
      path: '',
      code: 'empty',
      message: 'the sample set has no samples',
      fix: 'add one JSON object a line',
      severity: 'error',
    });
  return { samples: new JsonlSamples(source, Uint32Array.from(bounds)), diagnostics };
}

/** An unknown assertion type gets its own message with a suggestion, instead of a union error. */
function unknownAssertionTypes(file: string, samples: unknown, locate: Locate): Diagnostic[] {
  if (!Array.isArray(samples)) return [];
  const out: Diagnostic[] = [];
  samples.forEach((sample, i) => {
    const asserts = (sample as { assert?: unknown } | null)?.assert;
    if (!Array.isArray(asserts)) return;
    asserts.forEach((assertion, j) => {
      const type = (assertion as { type?: unknown } | null)?.type;
      if (typeof type === 'string' && !(ASSERTION_TYPES as string[]).includes(type)) {
        const suggestion = didYouMean(type, ASSERTION_TYPES);
        const path = [i, 'assert', j, 'type'];
        out.push({
          file,
          ...locate(path),
          path: formatPath(['samples', ...path]),
          code: 'unknown-assertion',
          message: `unknown assertion type "${type}"${suggestion ? ` — did you mean "${suggestion}"?` : ''}`,
          fix: `use one of: ${ASSERTION_TYPES.join(', ')}`,
          severity: 'error',
        });
      }
    });
  });
  return out;
}

/**
 * Assertion code is evidence: it must be part of the version (so its digest covers it), so it can only
 * come from inside the agent's folder — a relative path without "..", never an absolute one.
 */
export function isInsideFolder(path: string): boolean {
  if (path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:/.test(path)) return false;
  return !path.split(/[\\/]/).includes('..');
}

/** Checks one schema-valid sample beyond its shape; `locate` finds a path of the sample in the file. */
type SampleCheck = ((sample: Sample, index: number, locate: Locate) => Diagnostic[]) & {
  /** Whether a check looked at a file (a javascript assertion's), so the result depends on the folder. */
  readsFiles(): boolean;
};

/** Checks beyond the schema, sample by sample as they are read (duplicate ids across the whole set). */
function semanticChecks(file: string, dir: string): SampleCheck {
  const seen = new Set<string>();
  let readsFiles = false;
  const check = (sample: Sample, i: number, locate: Locate): Diagnostic[] => {
    const out: Diagnostic[] = [];
    const report = (path: PathSegment[], code: string, message: string, fix: string) =>
      out.push({ file, ...locate(['samples', i, ...path]), path: formatPath(['samples', i, ...path]), code, message, fix, severity: 'error' });
    if (seen.has(sample.id)) report(['id'], 'duplicate-id', `sample id "${sample.id}" is used twice`, 'give every sample its own id');
    seen.add(sample.id);
    for (const [tool, mocks] of Object.entries(sample.mocks ?? {})) {
      mocks.forEach((mock, m) => {
        for (const [key, value] of Object.entries(mock.when ?? {})) {
          if (typeof value !== 'string' || value.length < 2 || !value.startsWith('/') || !value.endsWith('/')) continue;
          const problem = regexProblem(value.slice(1, -1), 'i');
          if (problem) report(['mocks', tool, m, 'when', key], 'invalid-regex', `regular expression ${value} cannot be used: ${problem}`, REGEX_FIX);
        }
      });
    }
    sample.assert.forEach((assertion, j) => {
      // Patterns run on RE2 (linear time): what it cannot compile is refused here, with the reason.
      const regex = (path: PathSegment[], pattern: string, flags?: string) => {
        const problem = regexProblem(pattern, flags);
        if (problem) report(path, 'invalid-regex', `regular expression /${pattern}/ cannot be used: ${problem}`, REGEX_FIX);
      };
      if (assertion.type === 'regex') regex(['assert', j, 'pattern'], assertion.pattern, assertion.flags);
      if (assertion.type === 'tool-called' && assertion.match === 'regex') {
        for (const [key, value] of Object.entries(assertion.args ?? {})) regex(['assert', j, 'args', key], String(value));
      }
      if (assertion.type === 'javascript' && !isInsideFolder(assertion.file)) {
        report(
          ['assert', j, 'file'],
          'path-outside-agent',
          `javascript assertion ${assertion.file}: the path must stay inside the agent folder (relative, no "..")`,
          'move the file next to the sample set (or below it) and write a relative path such as checks/refund.js',
        );
      } else if (assertion.type === 'javascript') {
        readsFiles = true;
        const problem = checkUserFile(resolve(dir, assertion.file), { maxBytes: DEFAULT_REFERENCED_FILE_BYTES });
        if (problem?.code === 'missing-file') {
          report(
            ['assert', j, 'file'],
            'missing-file',
            `javascript assertion ${assertion.file}: file not found`,
            'create it next to the sample set, or fix the path',
          );
        } else if (problem) report(['assert', j, 'file'], problem.code, `javascript assertion ${assertion.file} ${problem.message}`, problem.fix);
      }
    });
    return out;
  };
  return Object.assign(check, { readsFiles: () => readsFiles });
}
