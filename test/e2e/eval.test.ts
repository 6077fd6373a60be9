/** Evals through the real binary: reports, baselines, gates and approvals, and every bad input the issue names. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
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

async function workspace() {
  const cwd = tempDir();
  await agentctl(['init', '.', '--yes', '--template', 'main-sub', '--name', 'triage', '--owner', 'team-qa'], { cwd });
  return cwd;
}
const as = (user: string) => ({ AGENTCTL_USER: user });
const samples = (cwd: string, text: string) => writeFile(cwd, 'agents/triage/evals/samples.yaml', text);

describe('agentctl eval', () => {
  it('runs the sample set as logged runs and writes JSON, JUnit and Markdown reports', async () => {
    const cwd = await workspace();
    const result = await agentctl(['eval', 'triage', '--json', '--junit', 'out.xml', '--md', 'report.md'], { cwd });
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ agent: 'triage', status: 'complete', gate: { passed: true }, summary: { samples: 3, passed: 3, errors: 0, passRate: 1 } });
    // Under --json every result is in the JSON: no line per sample on stderr (the plain output has them).
    expect(result.stderr).not.toMatch(/routes-plans pass/);
    // Every sample is a real run in the event log.
    const runs = JSON.parse((await agentctl(['runs', '--json'], { cwd })).stdout);
    expect(runs.map((r: { runId: string }) => r.runId).sort()).toEqual(report.results.map((r: { runId: string }) => r.runId).sort());
    const junit = readFileSync(join(cwd, 'out.xml'), 'utf8');
    expect(junit).toContain('<testsuite name="triage@0.1.0" tests="3" failures="0" errors="0"');
    expect(junit.match(/<testcase /g)).toHaveLength(3);
    expect(readFileSync(join(cwd, 'report.md'), 'utf8')).toContain('Gate: **passed**');
  });

  it('exits 1 when the gate fails, listing what failed and why', async () => {
    const cwd = await workspace();
    samples(
      cwd,
      'samples:\n  - id: wrong\n    input: What is the status of LOGIN-42?\n    assert:\n      - { type: contains, value: closed }\n      - { type: tool-called, name: triage-tracker, args: { key: LOGIN-42 } }\n',
    );
    const result = await agentctl(['eval', 'triage'], { cwd });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('contains failed 1×');
    expect(result.stdout).toContain('✗ gate failed: pass rate 0.0% is below 90.0%');
    expect(result.stderr).toContain('output lacks "closed"');
  });

  it('takes a version to prod through its gates: eval, approval by someone else, then regressions block the next one', async () => {
    const cwd = await workspace();
    expect((await agentctl(['register', 'agents/triage'], { cwd, env: as('alice') })).exitCode).toBe(0);
    for (const stage of ['dev', 'canary'])
      expect((await agentctl(['promote', 'triage@0.1.0', '--to', stage, '--with-deps'], { cwd, env: as('alice') })).exitCode).toBe(0);
    const early = await agentctl(['promote', 'triage@0.1.0', '--to', 'prod'], { cwd, env: as('alice') });
    expect(early.exitCode).toBe(1);
    expect(early.stderr).toContain('needs an eval of');
    expect(early.stderr).toContain('0 of 1 approval(s)');
    expect((await agentctl(['eval', 'triage@0.1.0'], { cwd, env: as('alice') })).exitCode).toBe(0);
    // Dependencies follow their stage: the sub-agents need evidence of their own before prod.
    expect((await agentctl(['eval', 'triage-planner@0.1.0'], { cwd, env: as('alice') })).exitCode).toBe(0);
    expect((await agentctl(['eval', 'triage-writer@0.1.0'], { cwd, env: as('alice') })).exitCode).toBe(0);
    const self = await agentctl(['approve', 'triage@0.1.0'], { cwd, env: as('alice') });
    expect(self.exitCode).toBe(1);
    expect(self.stderr).toContain('alice registered triage@0.1.0 and cannot approve it');
    expect((await agentctl(['approve', 'triage@0.1.0', '--with-deps', '--note', 'reviewed'], { cwd, env: as('bob') })).exitCode).toBe(0);
    const twice = await agentctl(['approve', 'triage@0.1.0'], { cwd, env: as('bob') });
    expect(twice.exitCode).toBe(1);
    expect(twice.stderr).toContain('bob already approved triage@0.1.0');
    const gates = JSON.parse((await agentctl(['gates', 'triage@0.1.0', '--json'], { cwd })).stdout);
    // Everything of its own holds; what remains is its dependencies, which --with-deps promotes first.
    const prodChecks = gates.stages.find((s: { stage: string }) => s.stage === 'prod').checks as { gate: string; holds: boolean }[];
    expect(prodChecks.filter((c) => !c.holds).map((c) => c.gate)).toEqual(['dependencies', 'dependencies', 'dependencies']);
    expect((await agentctl(['promote', 'triage@0.1.0', '--to', 'prod', '--with-deps'], { cwd, env: as('alice') })).exitCode).toBe(0);

    // 0.2.0 breaks routing to the planner: against the prod baseline that is a regression.
    const spec = join(cwd, 'agents/triage/agent.yaml');
    writeFile(
      cwd,
      'agents/triage/agent.yaml',
      readFileSync(spec, 'utf8').replace('version: 0.1.0', 'version: 0.2.0').replace('when: "plan|schedule|计划"', 'when: "schedule"'),
    );
    const regressed = await agentctl(['eval', 'triage', '--json'], { cwd });
    expect(regressed.exitCode).toBe(1);
    const report = JSON.parse(regressed.stdout);
    expect(report.comparison).toMatchObject({
      baselineRef: 'triage@0.1.0',
      regressions: 1,
      newlyFailing: [expect.objectContaining({ sampleId: 'routes-plans' })],
    });
    expect(report.gate.reasons.join(' ')).toContain('1 regression(s) against triage@0.1.0');
  });

  it('stale evidence: an eval of other content does not count for the registered digest', async () => {
    const cwd = await workspace();
    expect((await agentctl(['eval', 'triage'], { cwd })).exitCode).toBe(0);
    writeFile(cwd, 'agents/triage/prompts/v1/system.md', 'A prompt changed after the eval.\n');
    await agentctl(['register', 'agents/triage'], { cwd, env: as('alice') });
    const gates = await agentctl(['gates', 'triage@0.1.0'], { cwd });
    expect(gates.stdout).toContain('evidence is bound to the digest');
  });

  it('--repeat reports a flaky sample as flaky, with its pass rate', async () => {
    const cwd = await workspace();
    samples(cwd, 'samples:\n  - id: coin\n    input: Flip a coin\n    assert:\n      - { type: contains, value: heads }\n');
    gateway.script({ kind: 'text', text: 'heads' }, { kind: 'text', text: 'tails' }, { kind: 'text', text: 'heads' });
    const result = await agentctl(['eval', 'triage', '--repeat', '3', '--concurrency', '1', '--provider', 'openai', '--json'], {
      cwd,
      env: { AGENTCTL_GATEWAY_URL: gateway.url },
    });
    const report = JSON.parse(result.stdout);
    expect(report.summary).toMatchObject({ executions: 3, passed: 2, flaky: ['coin'] });
    expect(report.summary.samplePassRates.coin).toBeCloseTo(2 / 3);
  });

  it('a model that fails for some samples: those are errors, reported apart from failures', async () => {
    const cwd = await workspace();
    samples(
      cwd,
      'samples:\n  - id: fine\n    input: one\n    assert: [{ type: contains, value: ok }]\n  - id: broken\n    input: two\n    assert: [{ type: contains, value: ok }]\n',
    );
    // No model fallback: a failed model call ends the run (needs-human) instead of trying gpt-4o.
    writeFile(
      cwd,
      'agents/triage/agent.yaml',
      readFileSync(join(cwd, 'agents/triage/agent.yaml'), 'utf8').replace('onError: [model, rule, human]', 'onError: [human]'),
    );
    gateway.script({ kind: 'text', text: 'ok' }, { kind: 'status', status: 400, message: 'bad request' });
    const result = await agentctl(['eval', 'triage', '--concurrency', '1', '--provider', 'openai', '--json'], {
      cwd,
      env: { AGENTCTL_GATEWAY_URL: gateway.url },
    });
    const report = JSON.parse(result.stdout);
    expect(report.summary).toMatchObject({ passed: 1, failed: 0, errors: 1 });
    expect(report.results.find((r: { sampleId: string }) => r.sampleId === 'broken')).toMatchObject({
      status: 'error',
      error: expect.stringContaining('answered 400'),
    });
  });

  it('a sample set with a syntax error, an unknown assertion or a bad regex is refused at file:line:col', async () => {
    const cwd = await workspace();
    samples(cwd, 'samples:\n  - id: a\n    input: hi\n    assert:\n      - type: regexx\n        pattern: x\n');
    const validate = await agentctl(['validate'], { cwd });
    expect(validate.exitCode).toBe(1);
    expect(validate.stdout).toContain('agents/triage/evals/samples.yaml:5:15  error  unknown assertion type "regexx" — did you mean "regex"?');
    const run = await agentctl(['eval', 'triage'], { cwd });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('samples.yaml:5:15');
    expect(run.stderr).toContain('unknown assertion type');
  });

  it('judge verdicts come from the cassette; an answer that is not a verdict is an error', async () => {
    const cwd = await workspace();
    samples(
      cwd,
      'samples:\n  - id: polite\n    input: What is the status of LOGIN-42?\n    assert:\n      - { type: judge, rubric: The answer names who works on it }\n',
    );
    const cassette = join(cwd, 'agents/triage/cassettes/default.yaml');
    const judged = (verdict: string) =>
      `${readFileSync(cassette, 'utf8')}  - match: { input: "judge: The answer names who works on it" }\n    responses:\n      - content: '${verdict}'\n`;
    const original = readFileSync(cassette, 'utf8');
    writeFile(cwd, 'agents/triage/cassettes/default.yaml', judged('{"pass": true, "score": 0.9, "reason": "names the web team"}'));
    const good = JSON.parse((await agentctl(['eval', 'triage', '--json'], { cwd })).stdout);
    expect(good.results[0]).toMatchObject({ status: 'pass', assertions: [expect.objectContaining({ reason: expect.stringContaining('names the web team') })] });
    writeFile(cwd, 'agents/triage/cassettes/default.yaml', original);
    writeFile(cwd, 'agents/triage/cassettes/default.yaml', judged('Looks good to me!'));
    const bad = JSON.parse((await agentctl(['eval', 'triage', '--json'], { cwd })).stdout);
    expect(bad.results[0]).toMatchObject({ status: 'error', error: expect.stringContaining('not a verdict') });
  });

  it('--record keeps the live answers and the judge verdicts in the cassette: the rerun is offline and the same', async () => {
    const cwd = await workspace();
    samples(cwd, 'samples:\n  - id: kind\n    input: Say something kind\n    assert:\n      - { type: judge, rubric: The reply is kind }\n');
    gateway.script({ kind: 'text', text: 'You are doing great.' }, { kind: 'text', text: '{"pass": true, "score": 0.95, "reason": "warm and kind"}' });
    const live = JSON.parse(
      (
        await agentctl(['eval', 'triage', '--provider', 'openai', '--record', '--concurrency', '1', '--json'], {
          cwd,
          env: { AGENTCTL_GATEWAY_URL: gateway.url },
        })
      ).stdout,
    );
    expect(live.results[0]).toMatchObject({ status: 'pass', output: 'You are doing great.' });
    const before = gateway.requests.length;
    const offline = JSON.parse((await agentctl(['eval', 'triage', '--json'], { cwd })).stdout);
    expect(gateway.requests.length).toBe(before);
    expect(offline.results[0]).toMatchObject({
      status: 'pass',
      output: 'You are doing great.',
      assertions: [expect.objectContaining({ reason: expect.stringContaining('warm and kind') })],
    });
  });

  it('javascript assertions that throw or never return are errors with a reason', async () => {
    const cwd = await workspace();
    writeFile(cwd, 'agents/triage/evals/throws.mjs', 'export default () => { throw new Error("no such field"); };');
    writeFile(cwd, 'agents/triage/evals/hangs.mjs', 'export default () => new Promise(() => {});');
    samples(
      cwd,
      'samples:\n  - id: t\n    input: What is the status of LOGIN-42?\n    assert: [{ type: javascript, file: throws.mjs }]\n  - id: h\n    input: What is the status of LOGIN-42?\n    assert: [{ type: javascript, file: hangs.mjs, timeoutMs: 300 }]\n',
    );
    const report = JSON.parse((await agentctl(['eval', 'triage', '--json'], { cwd })).stdout);
    const byId = Object.fromEntries(report.results.map((r: { sampleId: string }) => [r.sampleId, r]));
    expect(byId.t).toMatchObject({ status: 'error', error: expect.stringContaining('threw: no such field') });
    expect(byId.h).toMatchObject({ status: 'error', error: expect.stringContaining('did not return within 300 ms') });
  });

  it('at --concurrency 16 the samples in flight share the cancel signal without a listener-leak warning', async () => {
    const cwd = await workspace();
    const many = Array.from({ length: 40 }, (_, i) => `  - id: s${i}\n    input: question ${i}\n    assert: [{ type: max-steps, value: 50 }]\n`).join('');
    samples(cwd, `samples:\n${many}`);
    const result = await agentctl(['eval', 'triage', '--provider', 'echo', '--concurrency', '16'], { cwd });
    expect(result.stderr).toContain('[40/40]');
    expect(result.stderr).not.toContain('MaxListenersExceededWarning');
  });

  it('samples with their own mocks store one snapshot of the agent, not one per sample, and still replay', async () => {
    const cwd = await workspace();
    const many = Array.from(
      { length: 30 },
      (_, i) =>
        `  - id: s${i}\n    input: question ${i}\n    mocks:\n      triage-tracker: [{ output: { n: ${i} } }]\n    assert: [{ type: max-steps, value: 50 }]\n`,
    ).join('');
    samples(cwd, `samples:\n${many}`);
    const blobs = () =>
      existsSync(join(cwd, '.agentctl/blobs'))
        ? readdirSync(join(cwd, '.agentctl/blobs'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length
        : 0;
    const before = blobs();
    const result = await agentctl(['eval', 'triage', '--provider', 'echo', '--json'], { cwd });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(blobs() - before).toBe(1);
    const runId = JSON.parse(result.stdout).results[7].runId;
    const replayed = await agentctl(['replay', runId, '--json'], { cwd });
    expect(JSON.parse(replayed.stdout)).toMatchObject({ same: true });
  });

  it('Ctrl-C mid-eval keeps the finished results and marks the eval partial (exit 130)', async () => {
    const cwd = await workspace();
    const many = Array.from({ length: 40 }, (_, i) => `  - id: s${i}\n    input: question ${i}\n    assert: [{ type: contains, value: ok }]\n`).join('');
    samples(cwd, `samples:\n${many}`);
    gateway.script({ kind: 'slow', ms: 150, text: 'ok' });
    const child = execa('node', [BIN, 'eval', 'triage', '--provider', 'openai', '--concurrency', '2'], {
      cwd,
      reject: false,
      env: { XDG_CONFIG_HOME: join(cwd, '.x'), CI: 'true', NO_COLOR: '1', AGENTCTL_GATEWAY_URL: gateway.url },
    });
    let seen = '';
    child.stderr?.on('data', (d) => {
      seen += d;
    });
    while (!/\[4\/40\]/.test(seen)) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(String(result.stdout)).toContain('(partial: interrupted)');
    const db = new Database(join(cwd, '.agentctl/registry.db'), { readonly: true });
    const row = db.prepare('SELECT status, executions FROM evals').get() as { status: string; executions: number };
    const results = db.prepare('SELECT count(*) FROM eval_results').pluck().get() as number;
    db.close();
    expect(row.status).toBe('partial');
    expect(results).toBe(row.executions);
    expect(results).toBeGreaterThanOrEqual(4);
    expect(results).toBeLessThan(40);
  });
});
