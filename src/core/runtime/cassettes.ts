/** The cassettes of an agent and its sub-agents, read from the snapshot (so replays use the same ones). */
import { dirname, join } from 'node:path';
import { createRedactor, type Redactor } from '../events/redact.js';
import { appendToCassette, type Cassette, type CassetteSource, cassetteSchema } from '../providers/cassette.js';
import type { ModelRequest, ModelResponse } from '../providers/types.js';
import { loadWorkspaceSpecs } from '../spec/validate.js';
import { MAX_DATA_BYTES, parseYamlSafely } from '../spec/yaml.js';
import type { AgentSnapshot } from './snapshot.js';

export function cassettesOf(root: AgentSnapshot): CassetteSource {
  const byAgent = new Map<string, Cassette>();
  const visit = (agent: AgentSnapshot) => {
    const ref = agent.document.spec.cassette;
    const text = ref ? agent.files[ref] : undefined;
    if (text !== undefined && !byAgent.has(agent.name)) {
      const parsed = parseYamlSafely(ref as string, text, MAX_DATA_BYTES);
      const checked = parsed.ok ? cassetteSchema.safeParse(parsed.parsed.value) : undefined;
      if (checked?.success) byAgent.set(agent.name, checked.data);
    }
    for (const sub of Object.values(agent.subAgents)) visit(sub);
  };
  visit(root);
  return { cassetteFor: (agent) => byAgent.get(agent) };
}

/** Where each workspace agent's cassette file is (for --record): its spec's `cassette`, else cassettes/default.yaml. */
export function cassetteFiles(root: string, cwd: string): (agent: string) => string | undefined {
  const paths = new Map<string, string>();
  for (const spec of loadWorkspaceSpecs(root, cwd).workspace) {
    const doc = spec.document;
    if (doc?.kind === 'Agent') paths.set(doc.metadata.name, join(dirname(spec.absolutePath), doc.spec.cassette ?? 'cassettes/default.yaml'));
  }
  return (agent) => paths.get(agent);
}

/**
 * Adds recorded responses to the cassette of the agent that made each request, redacted with `redactor`
 * (the run's: its policies' patterns and the gateway key), since cassettes are committed and pushed.
 */
export function saveRecordings(
  recorded: readonly { request: ModelRequest; response: ModelResponse }[],
  pathOf: (agent: string) => string | undefined,
  redactor: Redactor = createRedactor(),
): void {
  const byFile = new Map<string, { request: ModelRequest; response: ModelResponse }[]>();
  for (const entry of recorded) {
    const path = pathOf(entry.request.agent);
    if (path) byFile.set(path, [...(byFile.get(path) ?? []), entry]);
  }
  for (const [path, entries] of byFile) appendToCassette(path, entries, redactor);
}
