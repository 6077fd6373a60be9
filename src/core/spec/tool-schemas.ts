/**
 * `validate` for a Tool's JSON Schemas: input and output must be valid draft 2020-12, and every mock
 * must agree with them — its output with the output schema, its `when` with the input schema — so a
 * dry run cannot feed the model data the live tool would never return.
 */
import { compileJsonSchema, type SchemaDefect } from '../runtime/json-schema-check.js';
import type { Diagnostic, PathSegment } from './diagnostics.js';
import { formatPath } from './diagnostics.js';
import type { LoadedSpec } from './load.js';
import type { ToolDocument } from './schema.js';

type Report = (path: PathSegment[], code: string, message: string, fix: string) => void;

export function checkToolSchemas(spec: LoadedSpec, doc: ToolDocument): Diagnostic[] {
  const parsed = spec.parsed;
  if (!parsed) return [];
  const out: Diagnostic[] = [];
  const report: Report = (path, code, message, fix) =>
    void out.push({ file: spec.file, ...parsed.locate(path), path: formatPath(path), code, message, fix, severity: 'error' });
  const defect = (at: PathSegment[], d: SchemaDefect) =>
    report([...at, ...d.path], 'invalid-json-schema', `${formatPath(at)} is not a valid JSON Schema: ${d.message}`, d.fix);

  const input = compileJsonSchema(doc.spec.input);
  if (!input.ok) for (const d of input.defects) defect(['spec', 'input'], d);
  const output = doc.spec.output === undefined ? undefined : compileJsonSchema(doc.spec.output);
  if (output && !output.ok) for (const d of output.defects) defect(['spec', 'output'], d);

  doc.spec.mocks?.forEach((mock, i) => {
    const at: PathSegment[] = ['spec', 'mocks', i];
    // The runtime answers a mock without output or error with null: check what the model would get.
    if (output?.ok && mock.error === undefined) {
      for (const problem of output.check(mock.output ?? null)) {
        report(
          [...at, ...(mock.output === undefined ? [] : ['output']), ...problem.path],
          'mock-output-mismatch',
          `mock ${i}'s output does not match the tool's output schema: ${formatPath(['output', ...problem.path])} ${problem.message}`,
          `change the mock's output to match spec.output (or fix the schema if the tool really answers this)`,
        );
      }
    }
    if (input.ok && mock.when) {
      // `when` is a partial match: it names only some input keys, and a "/re/" string is a pattern, not a
      // value. So check the literal values it names; a required key it leaves out is not a mistake.
      const literal = Object.fromEntries(
        Object.entries(mock.when).filter(([, v]) => !(typeof v === 'string' && v.length >= 2 && v.startsWith('/') && v.endsWith('/'))),
      );
      for (const problem of input.check(literal)) {
        if (problem.keyword === 'required' && problem.path.length === 0) continue;
        report(
          [...at, 'when', ...problem.path],
          'mock-input-mismatch',
          `mock ${i} can never match: its when ${formatPath(['when', ...problem.path])} ${problem.message} per the input schema`,
          'change the mock\'s when to a value the input schema allows (or use a "/regex/")',
        );
      }
    }
  });
  return out;
}
