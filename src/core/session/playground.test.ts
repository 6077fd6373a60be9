import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaffoldWorkspace } from '../../../test/support/workspace.js';
import { echoProvider } from '../providers/echo.js';
import { applyScaffold, planScaffold } from '../scaffold/scaffold.js';
import { findTemplate } from '../scaffold/templates.js';
import { createPlaygroundController, startingAgent } from './playground.js';
import { answeredByTestDouble, TEST_DOUBLE_MODEL } from './playground-types.js';
import { AgentSession } from './session.js';

const open = (root: string) => AgentSession.open({ cwd: root, env: { XDG_CONFIG_HOME: join(root, 'none') } });

/** A second agent, as `agentctl new agent` writes it. */
function addAgent(root: string, name: string): void {
  applyScaffold(
    planScaffold(
      root,
      [findTemplate('_new/agent', { includeHidden: true })],
      { name, owner: 'team-qa', model: 'gpt-4o-mini', provider: 'cassette', gatewayUrl: 'http://localhost:4000/v1' },
      {},
    ),
  );
}

async function turn(session: AgentSession, agent: string, input: string): Promise<boolean> {
  const { controller } = createPlaygroundController(session, session.resolve(agent));
  let double = false;
  for await (const event of controller.run(input, { mode: 'dry', signal: new AbortController().signal })) double ||= answeredByTestDouble(event);
  session.log.flush();
  return double;
}

describe('the playground session', () => {
  it('opens the agent of the latest run that still exists, else the first agent by name', async () => {
    const root = scaffoldWorkspace('basic', 'triage');
    addAgent(root, 'zeta');
    let session = open(root);
    try {
      expect(startingAgent(session)).toBe('triage'); // no runs yet: first by name
      await turn(session, 'zeta', 'hello');
      expect(startingAgent(session)).toBe('zeta');
      await turn(session, 'triage', 'hello');
      expect(startingAgent(session)).toBe('triage');
      await turn(session, 'zeta', 'hello again');
    } finally {
      session.close();
    }
    rmSync(join(root, 'agents', 'zeta'), { recursive: true });
    session = open(root);
    try {
      // zeta ran last but is gone from the workspace (and was never registered): the latest run before it counts.
      expect(startingAgent(session)).toBe('triage');
    } finally {
      session.close();
    }
  });

  it('marks a turn as answered by the test double only when the cassette missed', async () => {
    const root = scaffoldWorkspace('basic', 'triage');
    const session = open(root);
    try {
      expect(await turn(session, 'triage', 'What is our refund policy?')).toBe(false);
      expect(await turn(session, 'triage', 'something the cassette has never heard')).toBe(true);
    } finally {
      session.close();
    }
  });

  it('names the echo double the way the echo provider answers', async () => {
    const response = await echoProvider.complete(
      { model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [], params: {}, agent: 'a', input: 'x', step: 1 },
      { signal: new AbortController().signal },
    );
    expect(response.model).toBe(TEST_DOUBLE_MODEL);
  });
});

describe('the playground session: ^F and ^S', () => {
  it('rates a turn and saves it as a sample that eval then passes offline', async () => {
    const root = scaffoldWorkspace('basic', 'triage');
    const session = open(root);
    try {
      const { controller } = createPlaygroundController(session, session.resolve('triage'));
      let runId = '';
      for await (const event of controller.run('Is there a refund after 45 days?', { mode: 'dry', signal: new AbortController().signal }))
        if (event.type === 'run.started') runId = event.runId;
      expect(controller.rate(runId, 'bad', 'too vague')).toEqual({ runId, rating: 'bad' });
      expect(session.registry.db.prepare('SELECT rating, note FROM feedback WHERE run_id = ?').all(runId)).toEqual([{ rating: 'bad', note: 'too vague' }]);

      const choices = controller.suggestSample(runId);
      expect(choices.filter((c) => c.chosen).map((c) => c.kind)).toEqual(['contains']); // the echo answer called no tool
      expect(choices.map((c) => c.kind)).toEqual(['contains', 'equals']);
      const saved = await controller.saveSample(runId, ['equals']);
      expect(saved).toMatchObject({ agent: 'triage', assertions: ['equals'], datasetFile: 'agents/triage/evals/samples.yaml' });
      expect(readFileSync(join(root, saved.datasetFile), 'utf8')).toContain(saved.sampleId);
      const verdict = await controller.evaluate({ signal: new AbortController().signal, onProgress: () => {} });
      expect(verdict.passed).toBe(true);
    } finally {
      session.close();
    }
  });
});
