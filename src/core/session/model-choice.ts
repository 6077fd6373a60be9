/**
 * Which model a run asks for — one rule for run, eval, the playground and replay:
 *
 *   --model  >  AGENTCTL_MODEL  >  gateway.model (workspace config, then user config)  >  the agent's spec.model.ref
 *
 * The choice replaces the top-level agent's primary model only: its fallbacks and its sub-agents keep
 * the models their specs name. A replay never chooses: it asks for exactly what the original run asked.
 */
import type { AgentSnapshot } from '../runtime/snapshot.js';
import type { ResolvedConfig } from '../workspace/config.js';

export type ModelSource = 'flag' | 'env' | 'workspace' | 'user' | 'agent';

export interface ModelChoice {
  model: string;
  source: ModelSource;
  /** What to pass the runtime as its override (undefined when the agent's own model stands). */
  override: string | undefined;
}

export function chooseModel(flag: string | undefined, config: Pick<ResolvedConfig, 'model' | 'sources'>, agent: AgentSnapshot): ModelChoice {
  if (flag) return { model: flag, source: 'flag', override: flag };
  if (config.model) {
    const source = config.sources.model;
    return { model: config.model, source: source === 'env' || source === 'workspace' || source === 'user' ? source : 'workspace', override: config.model };
  }
  return { model: agent.document.spec.model.ref, source: 'agent', override: undefined };
}
