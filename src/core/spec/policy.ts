/**
 * Policy decisions (tool.call, model.use, agent.call): shared by `validate` (policy lint) and the runtime.
 * A resource is allowed when no applicable policy denies it, and every policy that lists allow rules
 * for the action allows it. Deny always wins.
 */
import type { AgentDocument, PolicyDocument, PolicyRule } from './schema.js';

export type PolicyAction = PolicyRule['action'];

export interface PolicyDecision {
  allowed: boolean;
  /** The policy that decided a denial. */
  policy?: string;
  rule?: PolicyRule;
  reason: string;
}

export function globMatch(pattern: string, value: string): boolean {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`).test(value);
}

/** The policies that govern an agent: the one it names, the workspace default, and those that target it. */
export function policiesFor(agent: AgentDocument, all: readonly PolicyDocument[], defaultPolicy?: string): PolicyDocument[] {
  return all.filter((policy) => {
    const name = policy.metadata.name;
    if (name === agent.spec.policy || name === defaultPolicy) return true;
    const target = policy.spec.appliesTo;
    return Boolean(target?.agents?.includes(agent.metadata.name) || target?.teams?.includes(agent.metadata.owner));
  });
}

/**
 * The resource of an `agent.call`: `team/name` (the sub-agent's owner team and name). A pattern without a
 * `/` matches the name alone, whatever the team; `team-x/*` matches every agent of team-x.
 */
export function agentCallResource(owner: string, name: string): string {
  return `${owner}/${name}`;
}

function matches(action: PolicyAction, pattern: string, resource: string): boolean {
  if (action === 'agent.call' && !pattern.includes('/')) return globMatch(pattern, resource.slice(resource.indexOf('/') + 1));
  return globMatch(pattern, resource);
}

export function decide(policies: readonly PolicyDocument[], action: PolicyAction, resource: string): PolicyDecision {
  for (const policy of policies) {
    const rules = (policy.spec.rules ?? []).filter((rule) => rule.action === action);
    const deny = rules.find((rule) => rule.effect === 'deny' && rule.resources.some((p) => matches(action, p, resource)));
    if (deny) {
      return { allowed: false, policy: policy.metadata.name, rule: deny, reason: deny.reason ?? `denied by a ${action} deny rule` };
    }
    const allows = rules.filter((rule) => rule.effect === 'allow');
    if (allows.length > 0 && !allows.some((rule) => rule.resources.some((p) => matches(action, p, resource)))) {
      return { allowed: false, policy: policy.metadata.name, reason: `not in the ${action} allow list` };
    }
  }
  return { allowed: true, reason: policies.length === 0 ? 'no policy applies' : 'allowed' };
}
