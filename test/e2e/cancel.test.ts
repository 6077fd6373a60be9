/**
 * Cancellation through the real binary (issue 8): Ctrl-C and SIGTERM stop an offline eval of 1,000
 * samples and a run against a gateway that hangs, within about a second, keeping what finished;
 * kill -9 leaves nothing `running` once any command has looked at the registry.
 */
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentctl, BIN } from '../support/cli.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';
import { basicWorkspace, cliEnv, query, stderrShows, storeShows, withFallback, writeSamples } from '../support/honest.js';

let gateway: FakeOpenAI;
beforeAll(async () => {
  gateway = await startFakeOpenAI();
});
afterAll(() => gateway.close());

const SAMPLES = 1_000;
/** From the signal to the process's exit: the work stops, what finished is written, the process ends. */
const STOP_WITHIN_MS = 1_200;

async function evalWorkspace(): Promise<string> {
  const cwd = await basicWorkspace(gateway.url);
  // The echo double answers offline at once: without turns of the event loop a signal would wait for all 1,000.
  writeSamples(
    cwd,
    Array.from(
      { length: SAMPLES },
      (_, i) => `  - id: s${String(i).padStart(4, '0')}\n    input: question ${i}\n    assert: [{ type: contains, value: question }]\n`,
    ).join(''),
  );
  return cwd;
}

function spawn(cwd: string, args: string[], env: Record<string, string> = {}) {
  return execa('node', [BIN, ...args], { cwd, reject: false, timeout: 30_000, env: cliEnv(cwd, env) });
}

async function stop(child: ReturnType<typeof spawn>, signal: 'SIGINT' | 'SIGTERM') {
  const sent = Date.now();
  child.kill(signal);
  const result = await child;
  return { result, stoppedInMs: Date.now() - sent };
}

describe('Ctrl-C and SIGTERM', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} stops an offline 1,000-sample eval within a second: exit ${code}, partial, finished results kept`, async () => {
      const cwd = await evalWorkspace();
      const child = spawn(cwd, ['eval', 'triage', '--provider', 'echo', '--concurrency', '2', ...(signal === 'SIGTERM' ? ['--json'] : [])]);
      // Under --json no line per sample is printed: wait for results in the store (committed every 250 ms).
      if (signal === 'SIGTERM') await storeShows(cwd, 'SELECT count(*) AS n FROM eval_results', 10);
      else await stderrShows(child, /\[\d{2,}\/1000\]/);
      const { result, stoppedInMs } = await stop(child, signal);
      expect(result.exitCode, String(result.stderr).slice(-500)).toBe(code);
      expect(stoppedInMs).toBeLessThan(STOP_WITHIN_MS);
      if (signal === 'SIGTERM') expect(JSON.parse(String(result.stdout))).toMatchObject({ status: 'partial' });
      else expect(String(result.stdout)).toContain('(partial: interrupted)');
      const [row] = query<{ status: string; executions: number; interrupted: number }>(cwd, 'SELECT status, executions, interrupted FROM evals');
      expect(row).toMatchObject({ status: 'partial', interrupted: 0 });
      const [{ n }] = query<{ n: number }>(cwd, 'SELECT count(*) AS n FROM eval_results') as [{ n: number }];
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThan(SAMPLES);
      expect(n).toBe(row?.executions);
      expect(query(cwd, "SELECT run_id FROM runs WHERE status = 'running'")).toEqual([]);
    });

    it(`${signal} stops a run waiting on a gateway that never answers: exit ${code}, the run row cancelled`, async () => {
      const cwd = await basicWorkspace(gateway.url, { gatewayYaml: '  timeoutMs: 60000\n  retries: 0\n', edit: withFallback('') });
      gateway.script({ kind: 'hang' });
      const child = spawn(cwd, ['run', 'triage', '-i', 'hello?', '--provider', 'openai'], { AGENTCTL_GATEWAY_URL: gateway.url });
      await stderrShows(child, /context \d+ tokens/);
      await new Promise((r) => setTimeout(r, 200)); // the request is on the wire
      const { result, stoppedInMs } = await stop(child, signal);
      expect(result.exitCode, String(result.stderr)).toBe(code);
      expect(stoppedInMs).toBeLessThan(STOP_WITHIN_MS);
      expect(query(cwd, 'SELECT status, error_class AS errorClass FROM runs')).toEqual([{ status: 'cancelled', errorClass: 'cancelled' }]);
    });
  }
});

describe('kill -9', () => {
  it('an eval killed mid-way is finished as partial + interrupted by the next command, nothing left running', async () => {
    const cwd = await evalWorkspace();
    const child = spawn(cwd, ['eval', 'triage', '--provider', 'echo', '--concurrency', '2']);
    await stderrShows(child, /\[\d{2,}\/1000\]/);
    child.kill('SIGKILL');
    await child;
    expect(query(cwd, 'SELECT status FROM evals')).toEqual([{ status: 'running' }]);
    const runs = await agentctl(['runs', '--json'], { cwd });
    expect(runs.exitCode, runs.stderr).toBe(0);
    const [row] = query<{ status: string; interrupted: number; finishedAt: number | null }>(
      cwd,
      'SELECT status, interrupted, finished_at AS finishedAt FROM evals',
    );
    expect(row).toMatchObject({ status: 'partial', interrupted: 1, finishedAt: expect.any(Number) });
    expect(query(cwd, "SELECT run_id FROM runs WHERE status = 'running'")).toEqual([]);
  });

  it('an eval killed while its runs wait on the gateway: those runs become interrupted, the eval partial', async () => {
    const cwd = await basicWorkspace(gateway.url, { gatewayYaml: '  timeoutMs: 60000\n  retries: 0\n', edit: withFallback('') });
    writeSamples(
      cwd,
      '  - id: a\n    input: one\n    assert: [{ type: contains, value: x }]\n  - id: b\n    input: two\n    assert: [{ type: contains, value: x }]\n',
    );
    gateway.script({ kind: 'hang' });
    const child = spawn(cwd, ['eval', 'triage', '--provider', 'openai', '--concurrency', '2'], { AGENTCTL_GATEWAY_URL: gateway.url });
    // The runs' rows are written (as running) with their first events, a few milliseconds after they start.
    const until = Date.now() + 10_000;
    const running = () => {
      try {
        return query(cwd, "SELECT run_id FROM runs WHERE status = 'running'").length;
      } catch {
        return 0; // the registry is not created yet
      }
    };
    while (running() < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(running()).toBe(2);
    child.kill('SIGKILL');
    await child;
    await agentctl(['runs'], { cwd });
    expect(query(cwd, 'SELECT status, interrupted FROM evals')).toEqual([{ status: 'partial', interrupted: 1 }]);
    expect(query(cwd, 'SELECT status, error_class AS errorClass FROM runs')).toEqual([
      { status: 'interrupted', errorClass: 'interrupted' },
      { status: 'interrupted', errorClass: 'interrupted' },
    ]);
  });

  it('Ctrl-C while a judge waits on the gateway: the half-judged sample is not stored as an error', async () => {
    const cwd = await basicWorkspace(gateway.url, { gatewayYaml: '  timeoutMs: 60000\n  retries: 0\n', edit: withFallback('') });
    writeSamples(cwd, '  - id: judged\n    input: hello?\n    assert: [{ type: judge, rubric: polite }]\n');
    gateway.script({ kind: 'text', text: 'Hello there.' }, { kind: 'hang' });
    const before = gateway.requests.length;
    const child = spawn(cwd, ['eval', 'triage', '--provider', 'openai', '--json'], { AGENTCTL_GATEWAY_URL: gateway.url });
    const until = Date.now() + 10_000;
    while (gateway.requests.length < before + 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const { result, stoppedInMs } = await stop(child, 'SIGINT');
    expect(result.exitCode, String(result.stderr)).toBe(130);
    expect(stoppedInMs).toBeLessThan(STOP_WITHIN_MS);
    expect(JSON.parse(String(result.stdout))).toMatchObject({ status: 'partial', results: [] });
    expect(query(cwd, 'SELECT count(*) AS n FROM eval_results')).toEqual([{ n: 0 }]);
  });
});
