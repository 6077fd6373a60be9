/** Runs through the real binary: dry runs, the openai provider, record, trace, replay, stats, export, and faults. */
import { readFileSync } from 'node:fs';
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

async function workspace(template = 'main-sub') {
  const cwd = tempDir();
  await agentctl(['init', '.', '--yes', '--template', template, '--name', 'triage', '--owner', 'team-qa', '--gateway', gateway.url], { cwd });
  // The workspace is configured for the gateway, but runs stay offline unless asked: cassette by default.
  writeFile(cwd, '.agentctl/config.yaml', readFileSync(join(cwd, '.agentctl/config.yaml'), 'utf8').replace('provider: openai', 'provider: cassette'));
  return cwd;
}

const runJson = async (cwd: string, args: string[], env: Record<string, string> = {}) => {
  const result = await agentctl(['run', ...args, '--json'], { cwd, env });
  return { ...result, record: result.stdout ? JSON.parse(result.stdout) : undefined };
};

describe('agentctl run', () => {
  it('answers on stdout with the events on stderr, and trace shows the span tree', async () => {
    const cwd = await workspace();
    const run = await agentctl(['run', 'triage', '-i', 'What is the status of LOGIN-42?'], { cwd });
    expect(run.exitCode).toBe(0);
    expect(run.stdout.trim()).toBe('LOGIN-42 is in progress, assigned to the web team.');
    expect(run.stderr).toContain('tool triage-tracker');
    const runs = JSON.parse((await agentctl(['runs', '--json'], { cwd })).stdout);
    expect(runs[0]).toMatchObject({ agent: 'triage', status: 'succeeded', mode: 'dry', provider: 'cassette', steps: 2 });
    const trace = await agentctl(['trace', runs[0].runId], { cwd });
    expect(trace.stdout).toMatch(/agent triage@0\.1\.0 {2}ok/);
    expect(trace.stdout).toMatch(/tool triage-tracker .*in \{"key":"LOGIN-42"\}.*out\(mock\)/);
    expect(trace.stdout).toMatch(/model gpt-4o-mini .*in \/ \d+ out/);
  });

  it('reads the input from stdin and prints the run record with --json', async () => {
    const cwd = await workspace();
    const result = await agentctl(['run', 'triage', '--json'], { cwd, input: 'Write test cases for the login page\n' });
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'succeeded', agent: 'triage', source: 'workspace', output: expect.stringContaining('case') });
  });

  it('runs a registered version by name@version, and a disabled one refuses', async () => {
    const cwd = await workspace();
    await agentctl(['register', 'agents/triage'], { cwd });
    const registered = await runJson(cwd, ['triage@0.1.0', '-i', 'Plan the login page release']);
    expect(registered.record).toMatchObject({ status: 'succeeded', source: 'registry' });
    for (const step of [
      ['promote', 'triage@0.1.0', '--to', 'dev', '--with-deps'],
      ['deprecate', 'triage@0.1.0', '--reason', 'old'],
    ])
      await agentctl(step, { cwd });
    // Deprecated versions still run and replay.
    const replay = await agentctl(['replay', registered.record.runId, '--verify'], { cwd });
    expect(replay.exitCode, replay.stderr).toBe(0);
    await agentctl(['disable', 'triage@0.1.0', '--reason', 'retired'], { cwd });
    const refused = await agentctl(['run', 'triage@0.1.0', '-i', 'Plan it'], { cwd });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('disabled versions refuse new runs');
  });

  it('a cassette miss exits 1 naming the request and how to record it', async () => {
    const cwd = await workspace();
    const miss = await agentctl(['run', 'triage', '-i', 'an input nobody recorded'], { cwd });
    expect(miss.exitCode).toBe(1);
    expect(miss.stderr).toContain('no recorded response for triage, model call 1');
    expect(miss.stderr).toContain('--record');
  });

  it('talks to an OpenAI-compatible gateway, records into the cassette, then replays offline', async () => {
    const cwd = await workspace('basic');
    gateway.script({ kind: 'tool', name: 'triage-lookup', args: { query: 'shipping' } }, { kind: 'text', text: 'Shipping takes 3 days.' });
    const live = await agentctl(['run', 'triage', '-i', 'How long is shipping?', '--record'], {
      cwd,
      env: { AGENTCTL_GATEWAY_KEY: 'sk-live-key-0123456789abcdefghij' },
    });
    expect(live.exitCode, live.stderr).toBe(0);
    expect(live.stdout.trim()).toBe('Shipping takes 3 days.');
    expect(gateway.requests.at(-1)?.headers.authorization).toBe('Bearer sk-live-key-0123456789abcdefghij');
    expect(readFileSync(join(cwd, 'agents/triage/cassettes/default.yaml'), 'utf8')).toMatch(/key: sha256:[0-9a-f]{64}/);
    const before = gateway.requests.length;
    const offline = await agentctl(['run', 'triage', '-i', 'How long is shipping?'], { cwd });
    expect(offline.stdout.trim()).toBe('Shipping takes 3 days.');
    expect(gateway.requests.length).toBe(before);
    // The key never reaches the event log.
    const db = new Database(join(cwd, '.agentctl/registry.db'), { readonly: true });
    expect(JSON.stringify(db.prepare('SELECT * FROM events').all())).not.toContain('sk-live-key');
    db.close();
  });

  it('a gateway that is down falls back to the next model, then the rule reply, recorded as such', async () => {
    const cwd = await workspace();
    const result = await runJson(cwd, ['triage', '-i', 'What is the status of LOGIN-42?', '--provider', 'openai'], {
      AGENTCTL_GATEWAY_URL: 'http://127.0.0.1:9/v1',
    });
    // The rule's reply is given, but the run failed (exit 1) and lists the model errors.
    expect(result.exitCode).toBe(1);
    expect(result.record).toMatchObject({
      status: 'failed',
      fallback: 'rule',
      errorClass: 'network',
      output: "I can't route that right now; a person will pick it up.",
    });
    expect(result.record.modelErrors.map((e: { model: string }) => e.model)).toEqual(['gpt-4o-mini', 'gpt-4o']);
    const trace = await agentctl(['trace', result.record.runId], { cwd });
    expect(trace.stdout).toContain('fallback → model');
    expect(trace.stdout).toContain('fallback → rule');
  });

  it('an unknown tool from the model and a mock that does not match are errors the run survives', async () => {
    const cwd = await workspace('basic');
    gateway.script(
      { kind: 'tool', name: 'rm-rf', args: {} },
      { kind: 'tool', name: 'triage-lookup', args: { query: 'no such thing' }, id: 'c2' },
      { kind: 'text', text: 'I could not find it.' },
    );
    writeFile(
      cwd,
      'tools/triage-lookup/tool.yaml',
      readFileSync(join(cwd, 'tools/triage-lookup/tool.yaml'), 'utf8').replace(/ {4}- output: \{ passage: "No matching passage.", source: "handbook" \}\n/, ''),
    );
    const result = await runJson(cwd, ['triage', '-i', 'anything', '--provider', 'openai'], { AGENTCTL_GATEWAY_URL: gateway.url });
    expect(result.record).toMatchObject({ status: 'succeeded', output: 'I could not find it.' });
    const events = (await agentctl(['export', '--format', 'jsonl'], { cwd })).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const errors = events.filter((e) => e.type === 'tool.error').map((e) => e.error);
    expect(errors[0]).toContain('does not have');
    expect(errors[1]).toContain('no mock of triage-lookup matches');
  });
});

describe('observability', () => {
  it('stats and OTLP export over real runs', async () => {
    const cwd = await workspace();
    await agentctl(['run', 'triage', '-i', 'What is the status of LOGIN-42?'], { cwd });
    await agentctl(['run', 'triage', '-i', 'Plan the login page release'], { cwd });
    await agentctl(['run', 'triage', '-i', 'never recorded'], { cwd });
    const stats = JSON.parse((await agentctl(['stats', '--by', 'agent,version,team', '--since', '1h', '--json'], { cwd })).stdout);
    expect(stats.groups).toEqual([
      expect.objectContaining({ key: { agent: 'triage', version: '0.1.0', team: 'team-qa' }, runs: 3, succeeded: 2, failures: { 'cassette-miss': 1 } }),
    ]);
    expect(stats.groups[0].p95LatencyMs).toBeGreaterThanOrEqual(stats.groups[0].p50LatencyMs);
    const out = join(cwd, 'trace.json');
    expect((await agentctl(['export', '--format', 'otlp', '--out', out], { cwd })).exitCode).toBe(0);
    const otlp = JSON.parse(readFileSync(out, 'utf8'));
    const spans = otlp.resourceSpans[0].scopeSpans[0].spans as { name: string; traceId: string; attributes: { key: string }[] }[];
    expect(spans.map((s) => s.name)).toEqual(
      expect.arrayContaining(['invoke_agent triage', 'chat gpt-4o-mini', 'execute_tool triage-tracker', 'invoke_agent triage-planner']),
    );
    expect(spans[0]?.traceId).toMatch(/^[0-9a-f]{32}$/);
    const chat = spans.find((s) => s.name.startsWith('chat'));
    expect(chat?.attributes.map((a) => a.key)).toEqual(
      expect.arrayContaining(['gen_ai.operation.name', 'gen_ai.request.model', 'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens']),
    );
  });

  it('bad input: an unknown run, a bad --since and --by are clear errors', async () => {
    const cwd = await workspace();
    expect((await agentctl(['trace', 'NOPE'], { cwd })).exitCode).toBe(1);
    const since = await agentctl(['stats', '--since', 'last tuesday'], { cwd });
    expect(since.exitCode).toBe(2);
    expect(since.stderr).toContain('7d');
    expect((await agentctl(['stats', '--by', 'colour'], { cwd })).exitCode).toBe(2);
    expect((await agentctl(['run', 'nobody', '-i', 'x'], { cwd })).exitCode).toBe(1);
    expect((await agentctl(['run', 'triage'], { cwd, input: '' })).exitCode).toBe(2);
  });
});

describe('faults', () => {
  it('Ctrl-C mid-run ends it cancelled with its events kept (exit 130)', async () => {
    const cwd = await workspace();
    gateway.script({ kind: 'slow', ms: 5_000, text: 'too late' });
    const child = execa('node', [BIN, 'run', 'triage', '-i', 'What is the status of LOGIN-42?', '--provider', 'openai'], {
      cwd,
      reject: false,
      env: { XDG_CONFIG_HOME: join(cwd, '.x'), CI: 'true', NO_COLOR: '1', AGENTCTL_GATEWAY_URL: gateway.url },
    });
    await waitFor(() => gateway.requests.some((r) => JSON.stringify(r.body).includes('LOGIN-42')));
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    const runs = JSON.parse((await agentctl(['runs', '--json'], { cwd })).stdout);
    expect(runs[0]).toMatchObject({ status: 'cancelled', errorClass: 'cancelled' });
    const trace = JSON.parse((await agentctl(['trace', runs[0].runId, '--json'], { cwd })).stdout);
    expect(trace.spans[0].children.map((s: { kind: string }) => s.kind)).toEqual(['context', 'model']);
  });

  it('kill -9 mid-run: committed events survive, the database is intact, the run shows interrupted', async () => {
    const cwd = await workspace();
    gateway.script({ kind: 'slow', ms: 10_000, text: 'never' });
    const child = execa('node', [BIN, 'run', 'triage', '-i', 'What is the status of LOGIN-42?', '--provider', 'openai'], {
      cwd,
      reject: false,
      env: { XDG_CONFIG_HOME: join(cwd, '.x'), CI: 'true', AGENTCTL_GATEWAY_URL: gateway.url },
    });
    const dbPath = join(cwd, '.agentctl/registry.db');
    await waitFor(() => {
      try {
        const db = new Database(dbPath, { readonly: true });
        const n = db.prepare('SELECT count(*) FROM events').pluck().get() as number;
        db.close();
        return n >= 3;
      } catch {
        return false;
      }
    });
    child.kill('SIGKILL');
    await child;
    const db = new Database(dbPath);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const committed = db.prepare('SELECT type FROM events ORDER BY seq').pluck().all();
    db.close();
    expect(committed.slice(0, 3)).toEqual(['run.started', 'span.started', 'span.started']);
    const runs = JSON.parse((await agentctl(['runs', '--json'], { cwd })).stdout);
    expect(runs[0]).toMatchObject({ status: 'interrupted' });
    const trace = await agentctl(['trace', runs[0].runId], { cwd });
    expect(trace.stdout).toContain('unfinished');
  });

  it('two runs writing events at once both land whole', async () => {
    const cwd = await workspace();
    const results = await Promise.all([
      agentctl(['run', 'triage', '-i', 'What is the status of LOGIN-42?'], { cwd }),
      agentctl(['run', 'triage', '-i', 'Plan the login page release'], { cwd }),
      agentctl(['run', 'triage', '-i', 'Write test cases for the login page'], { cwd }),
    ]);
    for (const r of results) expect(r.exitCode, r.stderr).toBe(0);
    const db = new Database(join(cwd, '.agentctl/registry.db'), { readonly: true });
    const perRun = db.prepare(`SELECT r.status, count(e.seq) AS n, max(e.seq) AS last FROM runs r JOIN events e USING (run_id) GROUP BY r.run_id`).all() as {
      status: string;
      n: number;
      last: number;
    }[];
    db.close();
    expect(perRun).toHaveLength(3);
    for (const r of perRun) expect(r).toMatchObject({ status: 'succeeded', n: r.last });
  });
});

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}
