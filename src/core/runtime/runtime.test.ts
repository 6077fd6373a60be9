import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaffoldWorkspace, writeFile } from '../../../test/support/workspace.js';
import { createCassetteProvider } from '../providers/cassette.js';
import { echoProvider } from '../providers/echo.js';
import type { ModelProvider } from '../providers/types.js';
import { openWorkspace } from '../workspace/open.js';
import { cassettesOf } from './cassettes.js';
import type { RuntimeEvent } from './events.js';
import { resolveAgent } from './resolve-agent.js';
import { type RunFinished, type RunOptions, runAgent } from './runtime.js';

function agentIn(root: string, name = 'triage') {
  const workspace = openWorkspace(root, {}, { XDG_CONFIG_HOME: join(root, 'none') });
  return resolveAgent(workspace, undefined, name, root);
}

async function collect(options: Omit<RunOptions, 'runId' | 'sessionId' | 'mode'> & Partial<RunOptions>) {
  const events: RuntimeEvent[] = [];
  const stream = runAgent({ runId: '01JXXXXXXXXXXXXXXXXXXXXXXX', sessionId: 's', mode: 'dry', ...options });
  for await (const event of stream) events.push(event);
  const finished = events.at(-1) as RunFinished;
  return { events, finished, types: events.map((e) => e.type) };
}

describe('runAgent', () => {
  it('answers from the cassette, calling the mocked tool in between', async () => {
    const agent = agentIn(scaffoldWorkspace('basic'));
    const { finished, events } = await collect({ agent, input: 'What is our refund policy?', provider: createCassetteProvider(cassettesOf(agent)) });
    expect(finished).toMatchObject({ status: 'succeeded', steps: 2 });
    expect(finished.output).toContain('full refund within 30 days');
    const result = events.find((e) => e.type === 'tool.result');
    expect(result).toMatchObject({ tool: 'triage-lookup', source: 'mock', output: { source: 'handbook#refunds' } });
    expect(events.filter((e) => e.type === 'policy.decision').map((e) => (e as { resource: string }).resource)).toEqual([
      'gpt-4o-mini',
      'triage-lookup',
      'gpt-4o-mini',
    ]);
    expect(finished.usage.inputTokens).toBeGreaterThan(0);
    expect(finished.costUsd).toBeGreaterThan(0);
  });

  it('routes by rule to a sub-agent before asking the model', async () => {
    const agent = agentIn(scaffoldWorkspace('main-sub'));
    const { finished, events } = await collect({ agent, input: 'Plan the login page release', provider: createCassetteProvider(cassettesOf(agent)) });
    expect(events.find((e) => e.type === 'subagent.routed')).toMatchObject({ from: 'triage', to: 'triage-planner', by: 'rule' });
    expect(finished).toMatchObject({ status: 'succeeded' });
    expect(finished.output).toContain('step');
    const spans = events.filter((e) => e.type === 'span.started').map((e) => (e as { kind: string; name: string }).kind);
    expect(spans).toEqual(['agent', 'sub-agent', 'context', 'model']);
  });

  it('a cassette miss fails the run with the request and how to record it', async () => {
    const agent = agentIn(scaffoldWorkspace('basic'));
    const { finished } = await collect({ agent, input: 'something never recorded', provider: createCassetteProvider(cassettesOf(agent)) });
    expect(finished).toMatchObject({ status: 'failed', errorClass: 'cassette-miss' });
    expect(finished.error).toContain('model call 1');
    expect(finished.error).toContain('--record');
  });

  it('falls back: next model, then the rule reply', async () => {
    const root = scaffoldWorkspace('main-sub');
    const agent = agentIn(root);
    const models: string[] = [];
    const failing: ModelProvider = {
      name: 'down',
      testDouble: false,
      async complete(request) {
        models.push(request.model);
        const { ModelError } = await import('../providers/types.js');
        throw new ModelError('503 from the gateway', 'server', true);
      },
    };
    const { finished, events } = await collect({ agent, input: 'What is the status of LOGIN-42?', provider: failing });
    expect(models).toEqual(['gpt-4o-mini', 'gpt-4o']);
    expect(events.filter((e) => e.type === 'fallback').map((e) => (e as { to: string }).to)).toEqual(['model', 'rule']);
    // A rule reply after model errors is an answer, never a success: the run failed and says why.
    expect(finished).toMatchObject({
      status: 'failed',
      fallback: 'rule',
      errorClass: 'server',
      output: "I can't route that right now; a person will pick it up.",
      modelErrors: [
        { model: 'gpt-4o-mini', errorClass: 'server' },
        { model: 'gpt-4o', errorClass: 'server' },
      ],
    });
  });

  it('a next model that answers is a success with the errors before it kept', async () => {
    const root = scaffoldWorkspace('main-sub');
    const agent = agentIn(root);
    const flaky: ModelProvider = {
      name: 'flaky',
      testDouble: false,
      async complete(request) {
        const { ModelError } = await import('../providers/types.js');
        if (request.model === 'gpt-4o-mini') throw new ModelError('401 invalid api key', 'auth', false);
        return { content: 'from the fallback model', toolCalls: [], usage: { inputTokens: 1, outputTokens: 1 }, model: request.model };
      },
    };
    const { finished } = await collect({ agent, input: 'What is the status of LOGIN-42?', provider: flaky });
    expect(finished).toMatchObject({ status: 'succeeded', fallback: 'model', output: 'from the fallback model' });
    expect(finished.modelErrors).toEqual([{ model: 'gpt-4o-mini', errorClass: 'auth', error: '401 invalid api key' }]);
  });

  it('stops at the step budget and marks the run needs-human when no rule reply is set', async () => {
    const root = scaffoldWorkspace('basic');
    const spec = join(root, 'agents/triage/agent.yaml');
    const { readFileSync, writeFileSync } = await import('node:fs');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('maxSteps: 6', 'maxSteps: 2').replace('onError: [model, rule, human]', 'onError: [human]'));
    const agent = agentIn(root);
    const loops: ModelProvider = {
      name: 'loop',
      testDouble: false,
      async complete(request) {
        return {
          content: null,
          toolCalls: [{ id: `c${request.step}`, name: 'triage-lookup', arguments: { query: 'refund' } }],
          usage: { inputTokens: 10, outputTokens: 5 },
          model: request.model,
        };
      },
    };
    const { finished, events } = await collect({ agent, input: 'loop forever', provider: loops });
    expect(events.find((e) => e.type === 'budget.exceeded')).toMatchObject({ limit: 'maxSteps', max: 2 });
    expect(finished).toMatchObject({ status: 'needs-human', errorClass: 'budget-exceeded', steps: 2 });
  });

  it('a policy denial of a tool stops the run (onDeny: stop) with the denial in the events', async () => {
    const root = scaffoldWorkspace('basic');
    writeFile(
      root,
      'policies/no-lookups.yaml',
      `apiVersion: agentctl/v1\nkind: Policy\nmetadata: { name: no-lookups, version: 0.1.0, owner: team-qa }\nspec:\n  appliesTo: { agents: [triage] }\n  rules:\n    - { action: tool.call, effect: deny, resources: [triage-lookup] }\n`,
    );
    const workspace = openWorkspace(root, {}, { XDG_CONFIG_HOME: join(root, 'none') });
    // Validation would refuse this agent (policy lint); the runtime enforces the policy on its own too.
    const { snapshotFromWorkspace } = await import('./snapshot.js');
    const { loadWorkspaceSpecs } = await import('../spec/validate.js');
    const specs = loadWorkspaceSpecs(workspace.root, root).workspace;
    const valid = new Map(specs.filter((s) => s.document).map((s) => [s.document?.metadata.name as string, s as never]));
    const policies = specs.flatMap((s) => (s.document?.kind === 'Policy' ? [s.document] : []));
    const agent = snapshotFromWorkspace('triage', { workspace: valid, registry: undefined, policies });
    const { finished, events } = await collect({ agent, input: 'What is our refund policy?', provider: createCassetteProvider(cassettesOf(agent)) });
    expect(events.find((e) => e.type === 'policy.decision' && !e.allowed)).toMatchObject({ resource: 'triage-lookup', policy: 'no-lookups' });
    expect(finished).toMatchObject({ status: 'failed', errorClass: 'policy-denied' });
  });

  it('a call to an unknown tool is an error the model sees, and cancellation ends the run cancelled', async () => {
    const agent = agentIn(scaffoldWorkspace('basic'));
    const controller = new AbortController();
    const confused: ModelProvider = {
      name: 'confused',
      testDouble: false,
      async complete(request) {
        if (request.step === 2) controller.abort();
        return {
          content: null,
          toolCalls: [{ id: 'x', name: 'drop-database', arguments: {} }],
          usage: { inputTokens: 1, outputTokens: 1 },
          model: request.model,
        };
      },
    };
    const { finished, events } = await collect({ agent, input: 'hi', provider: confused, signal: controller.signal });
    expect(events.find((e) => e.type === 'tool.error')).toMatchObject({ tool: 'drop-database', error: expect.stringContaining('does not have') });
    expect(finished.status).toBe('cancelled');
  });

  it('refuses a sub-agent that routes back to its caller, before and during a run', async () => {
    const root = scaffoldWorkspace('main-sub');
    writeFile(
      root,
      'agents/triage-planner/agent.yaml',
      `apiVersion: agentctl/v1\nkind: Agent\nmetadata: { name: triage-planner, version: 0.1.0, owner: team-qa }\nspec:\n  model: { ref: gpt-4o-mini }\n  prompt: { ref: prompts/v1/system.md }\n  subAgents:\n    - ref: triage@^0.1.0\n      route: { when: plan }\n`,
    );
    // resolveAgent validates first: the cycle is reported with its file:line:col.
    expect(() => agentIn(root)).toThrow(/do not validate/);
    const { snapshotFromWorkspace } = await import('./snapshot.js');
    const { loadWorkspaceSpecs } = await import('../spec/validate.js');
    const specs = loadWorkspaceSpecs(root, root).workspace;
    const valid = new Map(specs.filter((s) => s.document).map((s) => [s.document?.metadata.name as string, s as never]));
    // Built without validation, the snapshot refuses it too, naming the loop.
    expect(() => snapshotFromWorkspace('triage', { workspace: valid, registry: undefined, policies: [] })).toThrow(
      'sub-agent cycle: triage → triage-planner → triage',
    );
  });

  it('echo is a labelled test double', async () => {
    const agent = agentIn(scaffoldWorkspace('basic'));
    const { finished } = await collect({ agent, input: 'free text', provider: echoProvider });
    expect(finished.output).toBe('(echo test double) free text');
  });
});
