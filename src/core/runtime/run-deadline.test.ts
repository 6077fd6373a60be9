import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { scaffoldWorkspace } from '../../../test/support/workspace.js';
import { echoProvider } from '../providers/echo.js';
import type { ModelProvider } from '../providers/types.js';
import { deadline } from '../util/deadline.js';
import { openWorkspace } from '../workspace/open.js';
import { resolveAgent } from './resolve-agent.js';
import { type RunFinished, type RunOptions, runAgent } from './runtime.js';
import type { AgentSnapshot } from './snapshot.js';

function agentWithBudget(timeoutMs?: number): AgentSnapshot {
  const root = scaffoldWorkspace('basic');
  const agent = resolveAgent(openWorkspace(root, {}, { XDG_CONFIG_HOME: join(root, 'none') }), undefined, 'triage', root);
  const spec = agent.document.spec;
  return { ...agent, document: { ...agent.document, spec: { ...spec, budget: { ...spec.budget, timeoutMs } } } };
}

async function finish(options: Omit<RunOptions, 'runId' | 'sessionId' | 'mode' | 'input'>): Promise<RunFinished> {
  let last: unknown;
  for await (const event of runAgent({ runId: '01JXXXXXXXXXXXXXXXXXXXXXXX', sessionId: 's', mode: 'dry', input: 'hi', ...options })) last = event;
  return last as RunFinished;
}

const hanging: ModelProvider = { name: 'hang', testDouble: true, complete: () => new Promise(() => {}) };

afterEach(() => vi.restoreAllMocks());

describe('the run deadline', () => {
  it('sets no timer of its own when the caller’s deadline ends first, or there is no budget', async () => {
    const caller = deadline([], 60_000);
    const timers = vi.spyOn(globalThis, 'setTimeout');
    await finish({ agent: agentWithBudget(120_000), provider: echoProvider, signal: caller.signal, signalDeadlineAt: Date.now() + 60_000 });
    await finish({ agent: agentWithBudget(undefined), provider: echoProvider, signal: caller.signal });
    expect(timers).not.toHaveBeenCalled();
    // A budget that ends sooner still has its timer.
    await finish({ agent: agentWithBudget(30_000), provider: echoProvider, signal: caller.signal, signalDeadlineAt: Date.now() + 60_000 });
    expect(timers).toHaveBeenCalledTimes(1);
    caller.dispose();
  });

  it('still fires: the caller’s deadline when it ends first, the budget when it does', async () => {
    const caller = deadline([], 80, () => "the sample's timeout (80 ms) ran out");
    const bySample = await finish({ agent: agentWithBudget(60_000), provider: hanging, signal: caller.signal, signalDeadlineAt: Date.now() + 80 });
    expect(bySample).toMatchObject({ status: 'failed', errorClass: 'timeout' });
    expect(bySample.error).toContain("the sample's timeout (80 ms) ran out");
    const long = deadline([], 60_000);
    const byBudget = await finish({ agent: agentWithBudget(80), provider: hanging, signal: long.signal, signalDeadlineAt: Date.now() + 60_000 });
    expect(byBudget).toMatchObject({ status: 'failed', errorClass: 'timeout' });
    expect(byBudget.error).toContain("the run's wall-time budget");
    long.dispose();
  });
});
