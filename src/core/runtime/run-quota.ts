/**
 * Daily run quotas (`quotas.maxRunsPerDay` per agent, `maxRunsPerDayPerTeam` for all agents of the owner
 * team), counted from the event log before a run starts. The day is the UTC calendar day. Replays and the
 * runs of eval samples do not count: they re-check or measure a version, they do not serve requests.
 */
import { CheckFailedError } from '../errors.js';
import type { Registry } from '../registry/registry.js';
import type { AgentSnapshot } from './snapshot.js';

const DAY_MS = 86_400_000;

/** Throws a CheckFailedError naming the quota, the count and when it resets, if `agent` may not run now. */
export function assertRunQuota(registry: Registry, agent: AgentSnapshot, now = Date.now()): void {
  const quotas = agent.policies.flatMap((p) => (p.spec.quotas ? [{ policy: p.metadata.name, ...p.spec.quotas }] : []));
  if (!quotas.some((q) => q.maxRunsPerDay !== undefined || q.maxRunsPerDayPerTeam !== undefined)) return;
  const since = Math.floor(now / DAY_MS) * DAY_MS;
  const resets = new Date(since + DAY_MS).toISOString();
  const exceptRunIds = registry.evals.sampleRunIdsSince(since);
  let agentRuns: number | undefined;
  let teamRuns: number | undefined;
  for (const q of quotas) {
    if (q.maxRunsPerDay !== undefined) {
      agentRuns ??= registry.runs.countRunsSince({ agent: agent.name, since, exceptRunIds });
      if (agentRuns >= q.maxRunsPerDay) throw refusal(q.policy, 'maxRunsPerDay', `${agent.name} has run`, agentRuns, q.maxRunsPerDay, resets);
    }
    if (q.maxRunsPerDayPerTeam !== undefined) {
      teamRuns ??= registry.runs.countRunsSince({ owner: agent.owner, since, exceptRunIds });
      const who = `the agents of team ${agent.owner} have run`;
      if (teamRuns >= q.maxRunsPerDayPerTeam) throw refusal(q.policy, 'maxRunsPerDayPerTeam', who, teamRuns, q.maxRunsPerDayPerTeam, resets);
    }
  }
}

function refusal(policy: string, quota: string, who: string, count: number, max: number, resets: string): CheckFailedError {
  return new CheckFailedError(`quota exceeded: ${who} ${count} time(s) today, policy ${policy} allows ${quota} ${max}; it resets at ${resets}`, {
    where: `policy ${policy} (spec.quotas.${quota})`,
    fix: `wait until ${resets}, or raise spec.quotas.${quota} in policy ${policy} and register it`,
    code: 'quota-exceeded',
  });
}
