import { afterEach, describe, expect, it } from 'vitest';
import { sampleSchema } from '../eval/dataset.js';
import { cassetteSchema } from '../providers/cassette.js';
import { agentDocumentSchema, policyDocumentSchema, toolDocumentSchema } from '../spec/schema.js';
import { trustFileSchema } from '../trust/trust-file.js';
import { configFileSchema } from '../workspace/config.js';

const original = globalThis.Function;

afterEach(() => {
  globalThis.Function = original;
});

describe('zod, as agentctl imports it', () => {
  it('compiles no parser with new Function on a first parse: its JIT is off before any schema is built', () => {
    // zod's JIT builds each object schema's parser with `new Function` on its first parse; count those.
    let compiled = 0;
    globalThis.Function = new Proxy(original, {
      construct(target, args) {
        compiled++;
        return Reflect.construct(target, args);
      },
    });
    const schemas = [agentDocumentSchema, toolDocumentSchema, policyDocumentSchema, configFileSchema, cassetteSchema, trustFileSchema, sampleSchema];
    for (const schema of schemas) schema.safeParse({ unexpected: true });
    // Parsing still checks what it did: a valid config passes, a wrong type is refused at its path.
    const valid = configFileSchema.safeParse({ team: 'team-a' });
    const invalid = configFileSchema.safeParse({ team: 42 });
    globalThis.Function = original;
    expect(valid.success).toBe(true);
    expect(invalid.success ? [] : invalid.error.issues.map((i) => i.path.join('.'))).toEqual(['team']);
    expect(compiled).toBe(0);
  });
});
