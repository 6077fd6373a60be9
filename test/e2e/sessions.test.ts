/** `run --session` through the real binary (issue 8): history in the request, runs/trace/replay of a session, trimming, ownership. */
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { agentctl } from '../support/cli.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';
import { basicWorkspace, query, withBudget } from '../support/honest.js';
import { writeFile } from '../support/workspace.js';

let gateway: FakeOpenAI;
beforeAll(async () => {
  gateway = await startFakeOpenAI();
});
afterAll(() => gateway.close());
beforeEach(() => {
  gateway.requests.length = 0;
});

type Message = { role: string; content: string | null };

async function workspace(): Promise<{ cwd: string; run: (args: string[]) => ReturnType<typeof agentctl> }> {
  const cwd = await basicWorkspace(gateway.url);
  writeFile(cwd, 'agents/triage/prompts/v1/system.md', 'You help.'); // 3 tokens: the budget arithmetic below stays readable
  const run = (args: string[]) => agentctl(['run', ...args, '--provider', 'openai'], { cwd, env: { AGENTCTL_GATEWAY_URL: gateway.url } });
  return { cwd, run };
}

const messagesOf = (i: number) => (gateway.requests[i]?.body.messages ?? []) as Message[];

describe('run --session', () => {
  it('the second turn sends the first (question and answer) before its input; runs, trace and replay know the session', async () => {
    const { cwd, run } = await workspace();
    gateway.script({ kind: 'text', text: 'The first answer.' }, { kind: 'text', text: 'The second answer.' });
    const first = await run(['triage', '--session', 's1', '-i', 'first']);
    expect(first.exitCode, first.stderr).toBe(0);
    const second = await run(['triage', '--session', 's1', '-i', 'and the second one?', '--json']);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(messagesOf(1).map((m) => [m.role, m.content])).toEqual([
      ['system', 'You help.'],
      ['user', 'first'],
      ['assistant', 'The first answer.'],
      ['user', 'and the second one?'],
    ]);
    // Another run outside the session, so that the listing below has something to leave out.
    await run(['triage', '-i', 'unrelated']);
    const listed = JSON.parse((await agentctl(['runs', '--session', 's1', '--json'], { cwd })).stdout) as { runId: string; input: string }[];
    expect(listed.map((r) => r.input).sort()).toEqual(['and the second one?', 'first']);
    const { runId } = JSON.parse(second.stdout);
    const trace = await agentctl(['trace', runId], { cwd });
    expect(trace.stdout).toContain('session s1');
    const before = gateway.requests.length;
    const replay = await agentctl(['replay', runId, '--verify'], { cwd });
    expect(replay.exitCode, replay.stdout + replay.stderr).toBe(0);
    expect(replay.stdout).toContain('same outcome');
    expect(gateway.requests.length).toBe(before); // answered from the recording, not the gateway
  });

  it('a short maxInputTokens trims the oldest whole turn first, and context.assembled says so', async () => {
    const { cwd, run } = await workspace();
    gateway.script({ kind: 'text', text: 'answer one' }, { kind: 'text', text: 'answer two' }, { kind: 'text', text: 'answer three' });
    await run(['triage', '--session', 's2', '-i', 'A'.repeat(400)]); // 100 tokens
    await run(['triage', '--session', 's2', '-i', 'B'.repeat(40)]); // 10 tokens
    // system 3 + turn 1 (100 + 3) + turn 2 (10 + 3) + input 10 = 129; 40 holds everything but turn 1 —
    // and would also hold turn 1's answer alone, which must go with its question.
    const agentYaml = join(cwd, 'agents/triage/agent.yaml');
    writeFile(cwd, 'agents/triage/agent.yaml', withBudget('{ maxSteps: 6, maxInputTokens: 40 }')(readFileSync(agentYaml, 'utf8')));
    const third = await run(['triage', '--session', 's2', '-i', 'C'.repeat(40), '--json']);
    expect(third.exitCode, third.stderr).toBe(0);
    expect(messagesOf(2).map((m) => [m.role, m.content])).toEqual([
      ['system', 'You help.'],
      ['user', 'B'.repeat(40)],
      ['assistant', 'answer two'],
      ['user', 'C'.repeat(40)],
    ]);
    const [assembled] = query<{ payload: string }>(
      cwd,
      "SELECT payload FROM events WHERE type = 'context.assembled' AND run_id = ?",
      JSON.parse(third.stdout).runId,
    );
    expect(JSON.parse(assembled?.payload ?? '{}')).toMatchObject({ budget: 40, tokens: 26, trimmed: ['history turn 1'] });
  });

  it("--session with another agent's session is a usage error (exit 2)", async () => {
    const { cwd, run } = await workspace();
    gateway.script({ kind: 'text', text: 'ok' });
    cpSync(join(cwd, 'agents/triage'), join(cwd, 'agents/other'), { recursive: true });
    const other = join(cwd, 'agents/other/agent.yaml');
    writeFile(cwd, 'agents/other/agent.yaml', readFileSync(other, 'utf8').replace('name: triage', 'name: other'));
    expect((await run(['triage', '--session', 's3', '-i', 'hello'])).exitCode).toBe(0);
    const refused = await run(['other', '--session', 's3', '-i', 'hello']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('session s3 is a conversation with triage, not other');
    expect(gateway.requests).toHaveLength(1);
  });
});
