/**
 * The built binary against a local OpenAI-compatible gateway: each request says which agent, version,
 * digest, team, run and session it is for, where the configured gateway can count spend by it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentctl } from '../support/cli.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';
import { tempDir, writeFile } from '../support/workspace.js';

let gateway: FakeOpenAI;
beforeAll(async () => {
  gateway = await startFakeOpenAI();
});
afterAll(() => gateway.close());

/** A basic workspace (team team-qa) on the fake gateway, with `gatewayYaml` added to its gateway section. */
async function workspace(gatewayYaml: string): Promise<string> {
  const cwd = tempDir();
  await agentctl(['init', '.', '--yes', '--template', 'basic', '--name', 'triage', '--owner', 'team-qa', '--gateway', gateway.url], { cwd });
  const config = readFileSync(join(cwd, '.agentctl/config.yaml'), 'utf8');
  writeFile(
    cwd,
    '.agentctl/config.yaml',
    config.replace('  apiKeyEnv: AGENTCTL_GATEWAY_KEY\n', `  apiKeyEnv: AGENTCTL_GATEWAY_KEY\n  retries: 0\n${gatewayYaml}`),
  );
  return cwd;
}

/** The run ids and session ids of the workspace's runs, newest first. */
async function runsOf(cwd: string): Promise<{ runId: string; sessionId: string; version: string; digest: string }[]> {
  return JSON.parse((await agentctl(['runs', '--json'], { cwd })).stdout);
}

/** One run through the gateway; the requests it made. */
async function runOnce(cwd: string, input = 'hi'): Promise<FakeOpenAI['requests']> {
  const before = gateway.requests.length;
  gateway.script({ kind: 'text', text: 'hello' });
  const result = await agentctl(['run', 'triage', '-i', input, '--provider', 'openai'], { cwd, env: { AGENTCTL_TEAM: '' } });
  expect(result.exitCode, result.stderr).toBe(0);
  return gateway.requests.slice(before);
}

const STANDARD_FIELDS = ['model', 'messages', 'stream', 'stream_options', 'tools', 'temperature'];

describe('cost attribution at the gateway', () => {
  it('openai: user is team/agent, metadata (with store) holds the ids within OpenAI limits', async () => {
    const cwd = await workspace('  attribution: openai\n');
    const [request] = await runOnce(cwd);
    const [run] = await runsOf(cwd);
    const body = request?.body as Record<string, unknown>;
    expect(body.user).toBe('team-qa/triage');
    expect(body.store).toBe(true);
    expect(body.metadata).toEqual({
      agentctl_agent: 'triage',
      agentctl_version: run?.version,
      agentctl_digest: run?.digest,
      agentctl_team: 'team-qa',
      agentctl_run_id: run?.runId,
      agentctl_session_id: run?.sessionId,
    });
    const metadata = body.metadata as Record<string, unknown>;
    expect(Object.keys(metadata).length).toBeLessThanOrEqual(16);
    for (const [key, value] of Object.entries(metadata)) {
      expect(key.length).toBeLessThanOrEqual(64);
      expect(typeof value).toBe('string');
      expect((value as string).length).toBeLessThanOrEqual(512);
    }
    expect(request?.headers['x-agentctl-run-id']).toBeUndefined();
  });

  it('litellm: metadata.tags and user, no store', async () => {
    const cwd = await workspace('  attribution: litellm\n');
    const [request] = await runOnce(cwd);
    const [run] = await runsOf(cwd);
    const body = request?.body as Record<string, unknown>;
    expect(body.user).toBe('team-qa/triage');
    expect(body.store).toBeUndefined();
    const metadata = body.metadata as { tags: string[] };
    expect(metadata.tags).toEqual(
      expect.arrayContaining(['agent:triage', 'team:team-qa', `version:${run?.version}`, `run:${run?.runId}`, `session:${run?.sessionId}`]),
    );
    expect(Object.keys(metadata).some((k) => k.startsWith('user_api_key'))).toBe(false);
  });

  it('headers: the configured headers only, the body without extra fields', async () => {
    const cwd = await workspace('  attribution: headers\n  attributionHeaders:\n    x-agent: agent\n    x-run: runId\n    x-team: team\n');
    const [request] = await runOnce(cwd);
    const [run] = await runsOf(cwd);
    expect(request?.headers).toMatchObject({ 'x-agent': 'triage', 'x-run': run?.runId, 'x-team': 'team-qa' });
    expect(request?.headers['x-agentctl-agent']).toBeUndefined();
    expect(Object.keys(request?.body ?? {}).filter((k) => !STANDARD_FIELDS.includes(k))).toEqual([]);
  });

  it('by default: x-agentctl-* headers, the body untouched (a plain OpenAI endpoint refuses metadata without store)', async () => {
    const cwd = await workspace('');
    const [request] = await runOnce(cwd);
    const [run] = await runsOf(cwd);
    expect(request?.headers).toMatchObject({
      'x-agentctl-agent': 'triage',
      'x-agentctl-team': 'team-qa',
      'x-agentctl-run-id': run?.runId,
      'x-agentctl-session-id': run?.sessionId,
      'x-agentctl-digest': run?.digest,
    });
    expect(Object.keys(request?.body ?? {}).filter((k) => !STANDARD_FIELDS.includes(k))).toEqual([]);
  });

  it('off: nothing in the body or the headers', async () => {
    const cwd = await workspace('  attribution: off\n');
    const [request] = await runOnce(cwd);
    expect(Object.keys(request?.body ?? {}).filter((k) => !STANDARD_FIELDS.includes(k))).toEqual([]);
    expect(Object.keys(request?.headers ?? {}).filter((h) => h.startsWith('x-'))).toEqual([]);
  });

  it('an eval attributes each sample to its own run', async () => {
    const cwd = await workspace('  attribution: litellm\n');
    const before = gateway.requests.length;
    gateway.script({ kind: 'text', text: 'refund: 30 days' });
    await agentctl(['eval', 'triage', '--provider', 'openai'], { cwd, env: { AGENTCTL_TEAM: '' } });
    const runTags = gateway.requests.slice(before).map((r) => (r.body.metadata as { tags: string[] }).tags.find((t) => t.startsWith('run:')));
    const runs = await runsOf(cwd);
    expect(runTags.length).toBeGreaterThanOrEqual(2);
    expect(new Set(runTags).size).toBe(runTags.length);
    for (const tag of runTags) expect(runs.map((r) => `run:${r.runId}`)).toContain(tag);
  });

  it('does not change the cassette key: the same request in two runs, attributed differently, has one key', async () => {
    const cwd = await workspace('  attribution: openai\n');
    await runOnce(cwd, 'same question');
    const config = readFileSync(join(cwd, '.agentctl/config.yaml'), 'utf8');
    writeFile(cwd, '.agentctl/config.yaml', config.replace('attribution: openai', 'attribution: off'));
    await runOnce(cwd, 'same question');
    const events = (await agentctl(['export', '--format', 'jsonl'], { cwd })).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; key?: string; runId: string });
    const keys = events.filter((e) => e.type === 'model.request');
    expect(new Set(keys.map((e) => e.runId)).size).toBe(2);
    expect(new Set(keys.map((e) => e.key)).size).toBe(1);
  });
});
