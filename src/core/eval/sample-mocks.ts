/** A sample's own tool answers, used by the eval runner and by `samples add` when it checks a new sample. */
import type { AgentSnapshot } from '../runtime/snapshot.js';
import type { Sample } from './dataset.js';

/** Per-sample mocks go first, so they win over the tool's own. */
export function withSampleMocks(agent: AgentSnapshot, sample: Sample): AgentSnapshot {
  if (!sample.mocks) return agent;
  const tools = { ...agent.tools };
  for (const [name, mocks] of Object.entries(sample.mocks)) {
    const tool = tools[name];
    if (tool) tools[name] = { ...tool, spec: { ...tool.spec, mocks: [...mocks, ...(tool.spec.mocks ?? [])] } };
  }
  return { ...agent, tools };
}
