/**
 * Issue 13, part 3 through the built binary: a new user's first question works offline. Every template
 * and `new agent` scaffold a cassette and a sample set that pass at once; a question the cassette does not
 * know fails (exit 1) with what it does know and the commands that go on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { agentctl } from '../support/cli.js';
import { tempDir } from '../support/workspace.js';

async function init(template: string): Promise<string> {
  const cwd = tempDir();
  const result = await agentctl(['init', 'ws', '--template', template, '--name', 'helpdesk', '--owner', 'team-qa', '--yes'], { cwd });
  expect(result.exitCode, result.stderr).toBe(0);
  return join(cwd, 'ws');
}

describe('a first question offline', () => {
  it.each(['basic', 'main-sub', 'tool'])('%s: `new agent` then validate, run its sample and eval pass offline', async (template) => {
    const ws = await init(template);
    const created = await agentctl(['new', 'agent', 'foo'], { cwd: ws, env: { AGENTCTL_HINTS: '1' } });
    expect(created.exitCode, created.stderr).toBe(0);
    expect(created.stderr).toContain('created agents/foo/cassettes/default.yaml');
    expect(created.stderr).toContain('Next: agentctl run foo -i "Hello"');
    expect((await agentctl(['validate'], { cwd: ws })).exitCode).toBe(0);

    const samples = parse(readFileSync(join(ws, 'agents/foo/evals/samples.yaml'), 'utf8')) as { samples: { input: string }[] };
    const sample = samples.samples[0]?.input as string;
    // The user types it their own way: case and end punctuation do not matter to a hand-written entry.
    const run = await agentctl(['run', 'foo', '-i', `${sample.toLowerCase()}!`], { cwd: ws });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain('I am foo');

    const evalFoo = await agentctl(['eval', 'foo', '--json'], { cwd: ws });
    expect(evalFoo.exitCode, evalFoo.stdout).toBe(0);
    // The template's own agents pass their sample sets too.
    const evalAll = await agentctl(['eval', '--all'], { cwd: ws });
    expect(evalAll.exitCode, evalAll.stdout + evalAll.stderr).toBe(0);
  });

  it('a question the cassette does not know: exit 1, what it knows (closest first) and the two ways on', async () => {
    const ws = await init('basic');
    const miss = await agentctl(['run', 'helpdesk', '-i', 'how do refunds work'], { cwd: ws });
    expect(miss.exitCode).toBe(1);
    expect(miss.stderr).toContain('the cassette of helpdesk knows (closest first): "What is our refund policy?", "Hello!"');
    expect(miss.stderr).toContain('agentctl run helpdesk -i "how do refunds work" --provider echo');
    expect(miss.stderr).toContain('key in $AGENTCTL_GATEWAY_KEY: agentctl run helpdesk -i "how do refunds work" --record --provider openai');
    const json = JSON.parse((await agentctl(['run', 'helpdesk', '-i', 'how do refunds work', '--json'], { cwd: ws })).stdout);
    expect(json).toMatchObject({ status: 'failed', errorClass: 'cassette-miss' });

    // The way on it names works: the labelled echo double answers.
    const echo = await agentctl(['run', 'helpdesk', '-i', 'how do refunds work', '--provider', 'echo'], { cwd: ws });
    expect(echo.exitCode, echo.stderr).toBe(0);
    expect(echo.stdout).toContain('(echo test double) how do refunds work');
    // And the question it lists is answered as typed loosely.
    const known = await agentctl(['run', 'helpdesk', '-i', 'what is our refund policy'], { cwd: ws });
    expect(known.exitCode, known.stderr).toBe(0);
    expect(known.stdout).toContain('full refund within 30 days');
  });
});
