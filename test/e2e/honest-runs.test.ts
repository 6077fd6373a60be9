/**
 * Honest runs (issue 8): the same request through run, eval and the playground; deadlines that hold
 * under forced GC; a failed model is never a success.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPlaygroundController } from '../../src/core/session/playground.js';
import { AgentSession } from '../../src/core/session/session.js';
import { agentctl } from '../support/cli.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';
import { basicWorkspace, cliEnv, query, registryBytes, spawnUnderGc, withBudget, withFallback, writeSamples } from '../support/honest.js';
import { writeFile } from '../support/workspace.js';

let gateway: FakeOpenAI;
beforeAll(async () => {
  gateway = await startFakeOpenAI();
});
afterAll(() => gateway.close());
beforeEach(() => {
  gateway.requests.length = 0;
});

const KEY = 'sk-honest-e2e-0123456789abcdefghij';
const INPUT = 'How long does shipping take?';

/** One turn of the playground, in process, through the controller the TUI uses. */
async function playgroundRequest(cwd: string, env: Record<string, string>, model?: string): Promise<void> {
  const session = AgentSession.open({ cwd, provider: 'openai', model, env: { ...process.env, ...cliEnv(cwd, env) } });
  try {
    const { controller } = createPlaygroundController(session, session.resolve('triage'));
    for await (const _event of controller.run(INPUT, { mode: 'dry', signal: new AbortController().signal })) {
      // drained: the turn runs to its end and is logged
    }
  } finally {
    session.close();
  }
}

/** The model, params, tools and messages each surface sent, in order: run, eval, playground. */
async function sameRequestThroughAll(cwd: string, env: Record<string, string>, flags: string[], model?: string) {
  gateway.requests.length = 0;
  const run = await agentctl(['run', 'triage', '-i', INPUT, '--provider', 'openai', ...flags], { cwd, env });
  expect(run.exitCode, run.stderr).toBe(0);
  const evaluated = await agentctl(['eval', 'triage', '--provider', 'openai', '--no-cache', ...flags], { cwd, env });
  expect(evaluated.stderr).not.toContain('internal error');
  await playgroundRequest(cwd, env, model);
  expect(gateway.requests).toHaveLength(3);
  return gateway.requests.map((r) => r.body);
}

describe('the same request through run, eval and the playground', () => {
  it('sends identical bodies, with the key only in the Authorization header and never in the event log', async () => {
    const cwd = await basicWorkspace(gateway.url);
    writeSamples(cwd, `  - id: only\n    input: ${INPUT}\n    assert: [{ type: contains, value: hello }]\n`);
    gateway.script({ kind: 'text', text: 'hello' });
    const env = { AGENTCTL_GATEWAY_URL: gateway.url, AGENTCTL_GATEWAY_KEY: KEY };
    const [run, evaluated, playground] = await sameRequestThroughAll(cwd, env, []);
    expect(run).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.2 });
    expect((run?.messages as { role: string; content: string }[] | undefined)?.at(-1)).toEqual({ role: 'user', content: INPUT });
    expect(run?.tools as unknown[] | undefined).toHaveLength(1);
    expect(evaluated).toEqual(run);
    expect(playground).toEqual(run);
    for (const r of gateway.requests) expect(r.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(JSON.stringify(gateway.requests.map((r) => r.body))).not.toContain(KEY);
    // Three runs were logged (run, eval's sample, the playground's turn), and no byte on disk holds the key.
    expect(query(cwd, 'SELECT run_id FROM runs')).toHaveLength(3);
    expect(registryBytes(cwd)).not.toContain(KEY);
    expect(registryBytes(cwd)).not.toContain(KEY.slice(3, 20));
  });

  it('AGENTCTL_MODEL and --model choose the model the same way in all three', async () => {
    const cwd = await basicWorkspace(gateway.url);
    writeSamples(cwd, `  - id: only\n    input: ${INPUT}\n    assert: [{ type: contains, value: hello }]\n`);
    gateway.script({ kind: 'text', text: 'hello' });
    const env = { AGENTCTL_GATEWAY_URL: gateway.url, AGENTCTL_GATEWAY_KEY: KEY, AGENTCTL_MODEL: 'gpt-4o' };
    const byEnv = await sameRequestThroughAll(cwd, env, []);
    expect(byEnv.map((b) => b.model)).toEqual(['gpt-4o', 'gpt-4o', 'gpt-4o']);
    expect(byEnv[1]).toEqual(byEnv[0]);
    expect(byEnv[2]).toEqual(byEnv[0]);
    // The flag wins over the environment.
    const byFlag = await sameRequestThroughAll(cwd, env, ['--model', 'claude-flag-2'], 'claude-flag-2');
    expect(byFlag.map((b) => b.model)).toEqual(['claude-flag-2', 'claude-flag-2', 'claude-flag-2']);
    expect(byFlag[1]).toEqual(byFlag[0]);
    expect(byFlag[2]).toEqual(byFlag[0]);
  });
});

const BUDGET_MS = 1_500;
const noFallback = withFallback('');

describe('deadlines hold under forced GC', () => {
  it('budget.timeoutMs ends a run against a gateway that never answers, naming the URL', async () => {
    const cwd = await basicWorkspace(gateway.url, {
      gatewayYaml: '  timeoutMs: 60000\n  retries: 0\n',
      edit: (y) => noFallback(withBudget(`{ maxSteps: 6, timeoutMs: ${BUDGET_MS} }`)(y)),
    });
    gateway.script({ kind: 'hang' });
    const started = Date.now();
    const result = await spawnUnderGc(cwd, ['run', 'triage', '-i', 'hello?', '--provider', 'openai'], { AGENTCTL_GATEWAY_URL: gateway.url });
    const elapsed = Date.now() - started;
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr).toContain(`no answer from ${gateway.url}/chat/completions`);
    expect(elapsed).toBeGreaterThanOrEqual(BUDGET_MS);
    expect(elapsed).toBeLessThan(BUDGET_MS + 1_000 + 1_000); // budget + 1 s, plus node's start-up
    expect(query(cwd, 'SELECT status, error_class AS errorClass FROM runs')).toEqual([{ status: 'failed', errorClass: 'timeout' }]);
  });

  it('eval --timeout bounds each sample: the sample is an error, the eval completes, nothing is left running', async () => {
    const cwd = await basicWorkspace(gateway.url, { gatewayYaml: '  timeoutMs: 60000\n  retries: 0\n', edit: noFallback });
    writeSamples(cwd, '  - id: hangs\n    input: hello?\n    assert: [{ type: contains, value: x }]\n');
    gateway.script({ kind: 'hang' });
    const started = Date.now();
    const result = await spawnUnderGc(cwd, ['eval', 'triage', '--provider', 'openai', '--timeout', String(BUDGET_MS), '--json'], {
      AGENTCTL_GATEWAY_URL: gateway.url,
    });
    expect(Date.now() - started).toBeLessThan(BUDGET_MS + 2_500);
    expect(result.exitCode, result.stderr).toBe(1);
    const report = JSON.parse(String(result.stdout));
    expect(report.status).toBe('complete');
    // A timeout is not a cancel: the sample's run failed on a timeout, and the error names what did not answer.
    expect(report.results[0]).toMatchObject({
      sampleId: 'hangs',
      status: 'error',
      // How long the call waited is measured (1.5 s, or a little more on a loaded machine); the deadline is exact.
      error: expect.stringMatching(
        new RegExp(
          `^gpt-4o-mini → no answer from ${gateway.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/chat/completions in 1\\.\\d s: the sample's timeout \\(1\\.5 s\\) ran out$`,
        ),
      ),
    });
    expect(query(cwd, 'SELECT status, error_class AS errorClass FROM runs')).toEqual([{ status: 'failed', errorClass: 'timeout' }]);
    expect(query(cwd, 'SELECT status FROM evals')).toEqual([{ status: 'complete' }]);
  });

  it('a tool slower than the budget fails the run with a timeout naming the tool', async () => {
    const cwd = await basicWorkspace(gateway.url, { edit: (y) => noFallback(withBudget(`{ maxSteps: 6, timeoutMs: ${BUDGET_MS} }`)(y)) });
    const tool = readFileSync(join(cwd, 'tools/triage-lookup/tool.yaml'), 'utf8');
    writeFile(
      cwd,
      'tools/triage-lookup/tool.yaml',
      tool.replace('    - output: { passage: "No matching', '    - latencyMs: 30000\n      output: { passage: "No matching'),
    );
    gateway.script({ kind: 'tool', name: 'triage-lookup', args: { query: 'shipping' } }, { kind: 'text', text: 'never asked' });
    const started = Date.now();
    const result = await spawnUnderGc(cwd, ['run', 'triage', '-i', 'shipping?', '--provider', 'openai', '--json'], { AGENTCTL_GATEWAY_URL: gateway.url });
    expect(Date.now() - started).toBeLessThan(BUDGET_MS + 2_500);
    expect(result.exitCode, result.stderr).toBe(1);
    expect(JSON.parse(String(result.stdout))).toMatchObject({ status: 'failed', errorClass: 'timeout', error: expect.stringContaining('tool triage-lookup') });
    expect(query(cwd, 'SELECT status, error_class AS errorClass FROM runs')).toEqual([{ status: 'failed', errorClass: 'timeout' }]);
  });

  it('a judge against a hanging gateway ends within the sample timeout and errors that sample', async () => {
    const cwd = await basicWorkspace(gateway.url, { gatewayYaml: '  timeoutMs: 60000\n  retries: 0\n', edit: noFallback });
    writeSamples(cwd, '  - id: judged\n    input: hello?\n    assert: [{ type: judge, rubric: polite }]\n');
    gateway.script({ kind: 'text', text: 'Hello there.' }, { kind: 'hang' });
    const started = Date.now();
    const result = await spawnUnderGc(cwd, ['eval', 'triage', '--provider', 'openai', '--timeout', String(BUDGET_MS), '--json'], {
      AGENTCTL_GATEWAY_URL: gateway.url,
    });
    expect(Date.now() - started).toBeLessThan(BUDGET_MS + 2_500);
    expect(result.exitCode, result.stderr).toBe(1);
    const report = JSON.parse(String(result.stdout));
    expect(report.status).toBe('complete');
    expect(report.results[0]).toMatchObject({ sampleId: 'judged', status: 'error', error: expect.stringContaining('the judge did not answer in 1.5 s') });
    expect(gateway.requests).toHaveLength(2);
  });
});

describe('a failed model is never a success', () => {
  const fallbackToRule = withFallback('  fallback:\n    onError: [model, rule]\n    rule: { reply: "A person will follow up." }\n');

  it('a 401 answered by the rule: run exits 1 and says so; eval makes it an error (JUnit <error>) unless it asserts fell-back', async () => {
    const cwd = await basicWorkspace(gateway.url, { gatewayYaml: '  retries: 0\n', edit: fallbackToRule });
    gateway.script({ kind: 'status', status: 401, message: 'invalid api key' });
    const env = { AGENTCTL_GATEWAY_URL: gateway.url };
    const run = await agentctl(['run', 'triage', '-i', 'hello?', '--provider', 'openai'], { cwd, env });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/answered by the rule fallback: gpt-4o-mini → .*401/);
    expect(run.stdout.trim()).toBe('A person will follow up.');
    const json = await agentctl(['run', 'triage', '-i', 'hello?', '--provider', 'openai', '--json'], { cwd, env });
    expect(json.exitCode).toBe(1);
    const record = JSON.parse(json.stdout);
    expect(record).toMatchObject({ status: 'failed', fallback: 'rule', output: 'A person will follow up.' });
    expect(record.modelErrors).toEqual([expect.objectContaining({ model: 'gpt-4o-mini', errorClass: 'auth', error: expect.stringContaining('401') })]);

    writeSamples(
      cwd,
      '  - id: plain\n    input: hello?\n    assert: [{ type: contains, value: person }]\n' +
        '  - id: expects-rule\n    input: hi there\n    assert: [{ type: fell-back, to: rule }]\n',
    );
    const evaluated = await agentctl(['eval', 'triage', '--provider', 'openai', '--junit', 'f.xml', '--json'], { cwd, env });
    expect(evaluated.exitCode).toBe(1);
    const byId = Object.fromEntries(JSON.parse(evaluated.stdout).results.map((r: { sampleId: string }) => [r.sampleId, r]));
    expect(byId.plain).toMatchObject({ status: 'error', error: expect.stringMatching(/answered by the rule fallback: gpt-4o-mini → .*401/) });
    expect(byId['expects-rule']).toMatchObject({ status: 'pass' });
    const junit = readFileSync(join(cwd, 'f.xml'), 'utf8');
    const plainCase = junit.match(/<testcase [^>]*name="plain[^"]*"[^>]*>[\s\S]*?<\/testcase>/)?.[0] ?? '';
    expect(plainCase).toContain('<error ');
    expect(plainCase).not.toContain('<failure');
    const ruleCase = junit.match(/<testcase [^>]*name="expects-rule[^"]*"[^>]*>[\s\S]*?<\/testcase>/)?.[0] ?? '';
    expect(ruleCase).toContain('name="expects-rule"');
    expect(ruleCase).not.toMatch(/<error|<failure/);

    const stats = JSON.parse((await agentctl(['stats', '--json'], { cwd })).stdout);
    expect(JSON.stringify(stats)).toMatch(/"fallbacks":\{[^}]*"rule":[1-9]/);
  });
});
