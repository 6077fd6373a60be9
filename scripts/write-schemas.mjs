// Regenerates the committed JSON Schema files in schemas/ from the zod definitions (test/schemas.test.ts
// fails when they drift).
import { mkdirSync, writeFileSync } from 'node:fs';
import { jsonSchemaText, SCHEMA_NAMES } from '../dist/core/index.js';

mkdirSync(new URL('../schemas/', import.meta.url), { recursive: true });
for (const name of SCHEMA_NAMES) {
  writeFileSync(new URL(`../schemas/${name}.schema.json`, import.meta.url), jsonSchemaText(name));
  console.log(`schemas/${name}.schema.json`);
}
