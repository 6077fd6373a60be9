import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaffoldWorkspace } from '../../../test/support/workspace.js';
import type { RuntimeEvent } from '../runtime/events.js';
import type { RunFinished } from '../runtime/runtime.js';
import { evalExitCode, runExitCode } from './exit-codes.js';
import { createPlaygroundController } from './playground.js';
import { AgentSession } from './session.js';

const QUESTION = 'What is our refund policy?';

function open(root: string, options: { model?: string; env?: Record<string, string> } = {}): AgentSession {
  return AgentSession.open({ cwd: root, model: options.model, env: { XDG_CONFIG_HOME: join(root, 'none'), ...options.env } });
}

async function drain(stream: AsyncGenerator<RuntimeEvent, RunFinished>, onEvent?: (e: RuntimeEvent) => void): Promise<RunFinished> {
  for (;;) {
    const next = await stream.next();
    if (next.done) return next.value;
    onEvent?.(next.value);
  }
}

describe('AgentSession', () => {
  it('a SIGTERM during a replay cancels it: the replay run is cancelled, the exit code 143', async () => {
    const root = scaffoldWorkspace('basic');
    let original: RunFinished;
    const first = open(root);
    try {
      original = await drain(first.run(first.bind(first.resolve('triage')), { input: QUESTION }));
    } finally {
      first.close();
    }
    expect(original.status).toBe('succeeded');

    const session = open(root);
    try {
      const { stream } = session.replay(original.runId);
      // The replay answers from its recording in microseconds: the signal lands after its first event.
      const finished = await drain(stream, (e) => e.type === 'run.started' && session.cancellation.cancel('SIGTERM'));
      expect(finished).toMatchObject({ status: 'cancelled', errorClass: 'cancelled' });
      expect(finished.runId).not.toBe(original.runId);
      expect(session.runExitCode(finished.status)).toBe(143);
      session.log.flush();
      expect(session.registry.runs.get(finished.runId).status).toBe('cancelled');
    } finally {
      session.close();
    }
  });

  it("the playground's own ^C cancels one turn; the session (and the next turn) go on", async () => {
    const root = scaffoldWorkspace('basic');
    const session = open(root);
    try {
      const { controller } = createPlaygroundController(session, session.resolve('triage'));
      const stop = new AbortController();
      let status: string | undefined;
      for await (const event of controller.run(QUESTION, { mode: 'dry', signal: stop.signal })) {
        if (event.type === 'run.started') stop.abort();
        if (event.type === 'run.finished') status = event.status;
      }
      expect(status).toBe('cancelled');
      expect(session.signal.aborted).toBe(false);
      let next: string | undefined;
      for await (const event of controller.run(QUESTION, { mode: 'dry', signal: new AbortController().signal })) {
        if (event.type === 'run.finished') next = event.status;
      }
      expect(next).toBe('succeeded');
    } finally {
      session.close();
    }
  });

  it('one model rule: --model > AGENTCTL_MODEL > gateway.model > the agent', () => {
    const root = scaffoldWorkspace('basic');
    const plain = scaffoldWorkspace('basic');
    const config = join(root, '.agentctl/config.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('gateway:\n', 'gateway:\n  model: claude-ws\n'));
    const cases: [AgentSession, string, string][] = [
      [open(plain), 'gpt-4o-mini', 'agent'],
      [open(root), 'claude-ws', 'workspace'],
      [open(root, { env: { AGENTCTL_MODEL: 'gpt-4o' } }), 'gpt-4o', 'env'],
      [open(root, { model: 'claude-x', env: { AGENTCTL_MODEL: 'gpt-4o' } }), 'claude-x', 'flag'],
    ];
    for (const [session, model, source] of cases) {
      try {
        expect(session.bind(session.resolve('triage'))).toMatchObject({ model, modelSource: source });
      } finally {
        session.close();
      }
    }
  });
});

describe('exit codes', () => {
  it('a signal wins over the outcome; a rule fallback (failed) is 1; partial evals are never 0', () => {
    expect(runExitCode('succeeded', undefined)).toBe(0);
    expect(runExitCode('failed', undefined)).toBe(1);
    expect(runExitCode('needs-human', undefined)).toBe(1);
    expect(runExitCode('cancelled', undefined)).toBe(130);
    expect(runExitCode('failed', 'SIGTERM')).toBe(143);
    expect(evalExitCode(true, true, undefined)).toBe(1);
    expect(evalExitCode(true, true, 'SIGINT')).toBe(130);
    expect(evalExitCode(true, false, undefined)).toBe(0);
  });
});
