/** The cassettes of an agent and its sub-agents, read from the snapshot (so replays use the same ones). */
import { type Cassette, type CassetteSource, cassetteSchema } from '../providers/cassette.js';
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
