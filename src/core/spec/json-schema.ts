/** JSON Schema files generated from the zod definitions of our own files (specs, config, cassettes, sample sets): for editors and `agentctl schema <kind>`. */
import { datasetSchema } from '../eval/dataset.js';
import { cassetteSchema } from '../providers/cassette.js';
import * as z from '../util/zod.js';
import { configFileSchema } from '../workspace/config.js';
import { agentDocumentSchema, policyDocumentSchema, toolDocumentSchema } from './schema.js';

export const SCHEMA_NAMES = ['agent', 'tool', 'policy', 'config', 'cassette', 'samples'] as const;
export type SchemaName = (typeof SCHEMA_NAMES)[number];

const sources: Record<SchemaName, { schema: z.ZodType; title: string }> = {
  agent: { schema: agentDocumentSchema, title: 'agentctl Agent spec' },
  tool: { schema: toolDocumentSchema, title: 'agentctl Tool spec' },
  policy: { schema: policyDocumentSchema, title: 'agentctl Policy spec' },
  config: { schema: configFileSchema, title: 'agentctl workspace configuration (.agentctl/config.yaml)' },
  cassette: { schema: cassetteSchema, title: 'agentctl cassette (recorded model responses)' },
  samples: { schema: datasetSchema, title: 'agentctl sample set (YAML; a JSONL line is one item of samples)' },
};

export function jsonSchemaFor(name: SchemaName): Record<string, unknown> {
  const { schema, title } = sources[name];
  const generated = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { $id: `https://agentctl.dev/schemas/v1/${name}.schema.json`, title, ...generated };
}

/** The file text written to schemas/ and .agentctl/schemas/: stable, so a test can compare it. */
export function jsonSchemaText(name: SchemaName): string {
  return `${JSON.stringify(jsonSchemaFor(name), null, 2)}\n`;
}
