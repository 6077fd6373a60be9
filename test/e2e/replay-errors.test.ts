/** `replay --verify` of runs whose model call errored: the replay fails (or falls back) the same way. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentctl } from '../support/cli.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';
import { tempDir } from '../support/workspace.js';

let gateway: FakeOpenAI;
beforeAll(async () => {
  gateway = await startFakeOpenAI();
});
afterAll(() => gateway.close());

async function workspace(template: string) {
  const cwd = tempDir();
  const init = await agentctl(['init', '.', '--yes', '--template', template, '--name', 'triage', '--owner', 'team-qa'], { cwd });
  expect(init.exitCode, init.stderr).toBe(0);
  return cwd;
}

async function verify(cwd: string, runId: string) {
  const replay = await agentctl(['replay', runId, '--verify', '--json'], { cwd });
  return { exitCode: replay.exitCode, stderr: replay.stderr, comparison: replay.stdout ? JSON.parse(replay.stdout) : undefined };
}

describe('replay --verify of a run whose model errored', () => {
  it.each([
    // A rule reply after model errors is a failed run (with the rule's answer), never a success.
    ['a gateway that is down, answered by the fallback rule', 'main-sub', 'http://127.0.0.1:9/v1', 'failed', 'network', true],
    ['a 500 from the gateway, no fallback', 'basic', undefined, 'failed', 'server', false],
    ['a 500 from the gateway, answered by the fallback rule', 'main-sub', undefined, 'failed', 'server', true],
  ])('%s: same outcome, no divergence', async (_, template, url, status, errorClass, fallback) => {
    const cwd = await workspace(template);
    if (!fallback) {
      const spec = join(cwd, 'agents/triage/agent.yaml');
      writeFileSync(spec, readFileSync(spec, 'utf8').replace(/ {2}fallback:\n(?: {4}.*\n)+/, ''));
    }
    gateway.script({ kind: 'status', status: 500, message: 'upstream exploded' });
    const run = await agentctl(['run', 'triage', '-i', 'What is the status of LOGIN-42?', '--provider', 'openai', '--json'], {
      cwd,
      env: { AGENTCTL_GATEWAY_URL: url ?? gateway.url },
    });
    const record = JSON.parse(run.stdout);
    expect(record).toMatchObject({ status, errorClass });
    const { exitCode, comparison, stderr } = await verify(cwd, record.runId);
    expect(comparison, stderr).toMatchObject({ same: true, differences: [] });
    expect(exitCode).toBe(0);
    const replayed = JSON.parse((await agentctl(['runs', '--json', '--limit', '1'], { cwd })).stdout)[0];
    expect(replayed).toMatchObject({ replayOf: record.runId, status, errorClass });
  });

  it('a cassette miss: same outcome, and the replay fails with the original error', async () => {
    const cwd = await workspace('basic');
    const run = JSON.parse((await agentctl(['run', 'triage', '-i', 'nothing recorded for this', '--json'], { cwd })).stdout);
    expect(run).toMatchObject({ status: 'failed', errorClass: 'cassette-miss' });
    const { exitCode, comparison } = await verify(cwd, run.runId);
    expect(comparison).toMatchObject({ same: true });
    expect(exitCode).toBe(0);
    const replayed = JSON.parse((await agentctl(['runs', '--json', '--limit', '1'], { cwd })).stdout)[0];
    expect(replayed.error).toBe(run.error);
  });
});
