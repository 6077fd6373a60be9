/** The built binary against a local OpenAI-compatible gateway: deadlines under forced GC, headers, truncation, estimated usage. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentctl, BIN } from '../support/cli.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';
import { tempDir, writeFile } from '../support/workspace.js';

let gateway: FakeOpenAI;
beforeAll(async () => {
  gateway = await startFakeOpenAI();
});
afterAll(() => gateway.close());

const TIMEOUT_MS = 1_500;

/** A basic workspace on the fake gateway, without the rule fallback (so a failed model call fails the run). */
async function workspace(gatewayYaml: string): Promise<string> {
  const cwd = tempDir();
  await agentctl(['init', '.', '--yes', '--template', 'basic', '--name', 'triage', '--owner', 'team-qa', '--gateway', gateway.url], { cwd });
  const config = readFileSync(join(cwd, '.agentctl/config.yaml'), 'utf8');
  writeFile(cwd, '.agentctl/config.yaml', config.replace('  apiKeyEnv: AGENTCTL_GATEWAY_KEY\n', `  apiKeyEnv: AGENTCTL_GATEWAY_KEY\n${gatewayYaml}`));
  const agent = readFileSync(join(cwd, 'agents/triage/agent.yaml'), 'utf8');
  writeFile(cwd, 'agents/triage/agent.yaml', agent.replace(/ {2}fallback:\n(?: {4}.*\n)+/, ''));
  return cwd;
}

describe('agentctl run against a gateway', () => {
  it('ends a run against a gateway that never answers within its attempt timeout, even with GC forced every 20 ms', async () => {
    const cwd = await workspace(`  timeoutMs: ${TIMEOUT_MS}\n  retries: 0\n`);
    gateway.script({ kind: 'hang' });
    const started = Date.now();
    const result = await execa(
      'node',
      ['--expose-gc', '--import', join(import.meta.dirname, '../support/force-gc.mjs'), BIN, 'run', 'triage', '-i', 'hello?', '--provider', 'openai'],
      { cwd, reject: false, timeout: 20_000, env: { XDG_CONFIG_HOME: join(cwd, '.x'), CI: 'true', NO_COLOR: '1', AGENTCTL_TEAM: '' } },
    );
    const elapsed = Date.now() - started;
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr).toContain(`no answer from ${gateway.url}/chat/completions in 1.5 s`);
    // The attempt deadline, plus process start-up and shutdown: never the run's 60 s budget.
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 2_500);
  });

  it('sends headers from the environment and keeps their values out of the event log', async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's ${NAME} syntax, not a template
    const cwd = await workspace('  retries: 0\n  headers:\n    x-portkey-provider: openai\n    x-portkey-api-key: ${PORTKEY_KEY}\n');
    gateway.script({ kind: 'status', status: 401, message: 'bad key pk-e2e-secret-value-42' });
    const result = await agentctl(['run', 'triage', '-i', 'hi', '--provider', 'openai'], { cwd, env: { PORTKEY_KEY: 'pk-e2e-secret-value-42' } });
    expect(result.exitCode).toBe(1);
    expect(gateway.requests.at(-1)?.headers).toMatchObject({ 'x-portkey-provider': 'openai', 'x-portkey-api-key': 'pk-e2e-secret-value-42' });
    expect(result.stderr).toContain('answered 401');
    expect(result.stderr).not.toContain('pk-e2e-secret-value-42');
    const exported = await agentctl(['export', '--format', 'jsonl'], { cwd });
    expect(exported.stdout).toContain('answered 401');
    expect(exported.stdout).not.toContain('pk-e2e-secret-value-42');
  });

  it('says when an answer was truncated and when usage is estimated, in the run, stats and OTLP', async () => {
    const cwd = await workspace('  stream: false\n');
    gateway.script({ kind: 'finish', text: 'The first half of', reason: 'length' });
    const truncated = await agentctl(['run', 'triage', '-i', 'long answer please', '--provider', 'openai'], { cwd });
    expect(truncated.exitCode, truncated.stderr).toBe(0);
    expect(truncated.stderr).toContain('(truncated: the model hit its token limit)');
    expect(gateway.requests.at(-1)?.body).toMatchObject({ stream: false });
    gateway.script({ kind: 'no-usage', text: 'fine' });
    const estimated = await agentctl(['run', 'triage', '-i', 'short', '--provider', 'openai'], { cwd });
    expect(estimated.stderr).toMatch(/\d+ in \/ \d+ out \(estimated\)/);
    const stats = await agentctl(['stats', '--json'], { cwd });
    expect(JSON.parse(stats.stdout).groups[0]).toMatchObject({ runs: 2, estimatedRuns: 1 });
    expect((await agentctl(['stats'], { cwd })).stderr).toContain('includes estimated tokens');
    const otlp = await agentctl(['export', '--format', 'otlp'], { cwd });
    expect(otlp.stdout).toContain('"key":"agentctl.usage.estimated","value":{"boolValue":true}');
    expect(otlp.stdout).toContain('"key":"agentctl.response.truncated","value":{"boolValue":true}');
  });
});
