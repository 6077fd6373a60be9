import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../util/package-root.js';
import { jsonSchemaFor, jsonSchemaText, SCHEMA_NAMES } from './json-schema.js';

describe('published JSON Schemas', () => {
  it.each(SCHEMA_NAMES)('schemas/%s.schema.json matches the zod definition (run `npm run schemas` after a change)', (name) => {
    const committed = readFileSync(join(packageRoot(), 'schemas', `${name}.schema.json`), 'utf8');
    expect(committed).toBe(jsonSchemaText(name));
  });

  it('carries what editors need: enums, patterns and no extra keys', () => {
    const tool = jsonSchemaFor('tool') as { properties: { spec: { properties: { sideEffects: { enum: string[] } }; additionalProperties: boolean } } };
    expect(tool.properties.spec.properties.sideEffects.enum).toEqual(['none', 'read', 'write']);
    expect(tool.properties.spec.additionalProperties).toBe(false);
  });
});
