import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { scaffoldWorkspace } from '../../../test/support/workspace.js';
import { compileJsonSchema } from '../runtime/json-schema-check.js';
import { jsonSchemaFor, SCHEMA_NAMES } from '../spec/json-schema.js';
import { packageRoot } from '../util/package-root.js';

const SCHEMA_LINE = /^# yaml-language-server: \$schema=(\S+)\n/;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

const kindOf = (path: string) => (/\/cassettes\/[^/]+\.yaml$/.test(path) ? 'cassette' : /\/evals\/[^/]+\.yaml$/.test(path) ? 'samples' : undefined);

describe('cassettes and sample sets have JSON Schemas of their own', () => {
  it.each(SCHEMA_NAMES)('the generated %s schema is itself valid draft 2020-12 (checked by ajv)', (name) => {
    const compiled = compileJsonSchema(jsonSchemaFor(name));
    expect(compiled.ok ? [] : compiled.defects).toEqual([]);
  });

  it('every cassette and sample set in scaffolds/ starts with the yaml-language-server line for its kind', () => {
    const data = files(join(packageRoot(), 'scaffolds')).filter((f) => kindOf(f) !== undefined);
    expect(data.length).toBeGreaterThanOrEqual(8);
    for (const file of data) {
      const line = SCHEMA_LINE.exec(readFileSync(file, 'utf8'));
      expect(line?.[1], relative(packageRoot(), file)).toMatch(new RegExp(`/\\.agentctl/schemas/${kindOf(file)}\\.schema\\.json$`));
    }
  });

  it.each(['basic', 'main-sub'])('in a %s workspace, each cassette and sample set points at a schema that exists and validates against it', (template) => {
    const root = scaffoldWorkspace(template);
    const data = files(join(root, 'agents')).filter((f) => kindOf(f) !== undefined);
    expect(data.length).toBeGreaterThanOrEqual(2);
    for (const file of data) {
      const text = readFileSync(file, 'utf8');
      const target = resolve(dirname(file), SCHEMA_LINE.exec(text)?.[1] ?? 'missing');
      expect(relative(root, target)).toBe(`.agentctl/schemas/${kindOf(file)}.schema.json`);
      const schema = JSON.parse(readFileSync(target, 'utf8'));
      const compiled = compileJsonSchema(schema);
      if (!compiled.ok) throw new Error(`${target}: ${JSON.stringify(compiled.defects)}`);
      expect(compiled.check(parse(text)), relative(root, file)).toEqual([]);
    }
  });

  it('the schemas reject what the parsers reject: a sample without assertions, a cassette of another version', () => {
    const samples = compileJsonSchema(jsonSchemaFor('samples'));
    const cassette = compileJsonSchema(jsonSchemaFor('cassette'));
    if (!samples.ok || !cassette.ok) throw new Error('schemas do not compile');
    expect(samples.check({ samples: [{ id: 'a', input: 'hi', assert: [{ type: 'contains', value: 'x' }] }] })).toEqual([]);
    expect(samples.check({ samples: [{ id: 'a', input: 'hi', assert: [] }] }).map((p) => p.path)).toContainEqual(['samples', 0, 'assert']);
    expect(cassette.check({ version: 2, interactions: [] }).map((p) => p.path)).toContainEqual(['version']);
  });
});
