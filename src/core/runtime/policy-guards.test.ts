/** agent.call rules and per-run quotas, through the real runtime on scaffolded workspaces. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaffoldWorkspace } from '../../../test/support/workspace.js';
import { createCassetteProvider } from '../providers/cassette.js';
import type { ModelProvider, ModelResponse } from '../providers/types.js';
import type { PolicyRule } from '../spec/schema.js';
import { openWorkspace } from '../workspace/open.js';
import { cassettesOf } from './cassettes.js';
import type { RuntimeEvent } from './events.js';
import { resolveAgent } from './resolve-agent.js';
import { type RunFinished, runAgent } from './runtime.js';

function agentIn(root: string) {
  return resolveAgent(openWorkspace(root, {}, { XDG_CONFIG_HOME: join(root, 'none') }), undefined, 'triage', root);
}

/** Adds a rule to the policies the resolved agent runs under (validate would refuse the spec on disk: see references). */
function withRule(agent: ReturnType<typeof agentIn>, rule: PolicyRule): ReturnType<typeof agentIn> {
  agent.policies = agent.policies.map((p) => ({ ...p, spec: { ...p.spec, rules: [...(p.spec.rules ?? []), rule] } }));
  return agent;
}

async function run(agent: ReturnType<typeof agentIn>, input: string, provider: ModelProvider) {
  const events: RuntimeEvent[] = [];
  for await (const event of runAgent({ runId: '01JXXXXXXXXXXXXXXXXXXXXXXX', sessionId: 's', mode: 'dry', agent, input, provider })) events.push(event);
  return { events, finished: events.at(-1) as RunFinished };
}

/** Answers from a script, whatever the request, and reports the usage the script says. */
function scripted(responses: Omit<ModelResponse, 'model'>[]): ModelProvider & { calls: number } {
  const provider = {
    name: 'scripted',
    testDouble: true,
    calls: 0,
    async complete() {
      const next = responses[provider.calls++];
      if (!next) throw new Error('the script ran out');
      return { model: 'gpt-4o-mini', ...next };
    },
  };
  return provider;
}

describe('agent.call rules', () => {
  it('a denied sub-agent hop (rule route) is a policy.decision and the hop is refused', async () => {
    const agent = withRule(agentIn(scaffoldWorkspace('main-sub')), { action: 'agent.call', effect: 'deny', resources: ['team-qa/triage-planner'] });
    const { events, finished } = await run(agent, 'Plan the login page release', createCassetteProvider(cassettesOf(agent)));
    expect(events.find((e) => e.type === 'policy.decision' && e.action === 'agent.call')).toMatchObject({
      resource: 'team-qa/triage-planner',
      allowed: false,
      policy: 'default',
    });
    expect(finished).toMatchObject({ status: 'failed', errorClass: 'policy-denied' });
    expect(events.some((e) => e.type === 'span.started' && e.kind === 'sub-agent')).toBe(false);
  });

  it('a name pattern matches whatever the team; another team pattern does not', async () => {
    const agent = withRule(agentIn(scaffoldWorkspace('main-sub')), { action: 'agent.call', effect: 'deny', resources: ['team-other/*'] });
    const { finished } = await run(agent, 'Plan the login page release', createCassetteProvider(cassettesOf(agent)));
    expect(finished.status).toBe('succeeded');
  });
});

describe('per-run quotas', () => {
  const toolCall = { id: 'c1', name: 'triage-lookup', arguments: { query: 'refunds' } };

  it('maxTokensPerRun: the call that would cross 20,000 tokens is never made (20,031 passed before)', async () => {
    const agent = agentIn(scaffoldWorkspace('basic'));
    // The second call's input is the first call's input and output plus the tool result: 10,031 tokens.
    const provider = scripted([
      { content: null, toolCalls: [toolCall], usage: { inputTokens: 9000, outputTokens: 1000 } },
      { content: 'done', toolCalls: [], usage: { inputTokens: 10031, outputTokens: 0 } },
    ]);
    const { events, finished } = await run(agent, 'What is our refund policy?', provider);
    expect(provider.calls).toBe(1);
    expect(finished.usage.inputTokens + finished.usage.outputTokens).toBeLessThanOrEqual(20000);
    expect(finished).toMatchObject({ status: 'failed', errorClass: 'quota-exceeded' });
    expect(finished.error).toContain('policy default');
    expect(events.find((e) => e.type === 'budget.exceeded')).toMatchObject({ limit: 'maxTokensPerRun', max: 20000, policy: 'default' });
  });

  it('maxCostUsdPerRun: a run past the cost quota stops before the next call, naming the policy', async () => {
    const agent = agentIn(scaffoldWorkspace('basic'));
    // A cost quota below the agent's own budget, and no token quota: 400,000 output tokens cost far more.
    agent.policies = agent.policies.map((p) => ({ ...p, spec: { ...p.spec, quotas: { maxCostUsdPerRun: 0.001 } } }));
    const provider = scripted([
      { content: null, toolCalls: [toolCall], usage: { inputTokens: 10, outputTokens: 400000 } },
      { content: 'done', toolCalls: [], usage: { inputTokens: 10, outputTokens: 10 } },
    ]);
    const { events, finished } = await run(agent, 'What is our refund policy?', provider);
    expect(provider.calls).toBe(1);
    expect(finished).toMatchObject({ status: 'failed', errorClass: 'quota-exceeded' });
    expect(events.find((e) => e.type === 'budget.exceeded')).toMatchObject({ limit: 'maxCostUsdPerRun', policy: 'default' });
  });

  it('run.started records the policy versions and digests the run ran under', async () => {
    const agent = agentIn(scaffoldWorkspace('basic'));
    const { events } = await run(agent, 'What is our refund policy?', createCassetteProvider(cassettesOf(agent)));
    const started = events[0] as Extract<RuntimeEvent, { type: 'run.started' }>;
    expect(started.policies).toEqual([{ name: 'default', version: '0.1.0', digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), source: 'workspace' }]);
  });
});
