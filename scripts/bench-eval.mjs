// The eval benches (part of npm run bench), each a paired comparison (bench-lib.mjs):
// - scaling: 1k / 10k / 100k offline samples, whole command and peak memory, against the physical floor:
//   a bare script (bench-eval-floor.mjs) that reads the same sample set and writes the same rows
//   (run, events, spans, result per sample) through better-sqlite3 into the same tables, no triggers;
// - latency-bound: 500 samples against a local OpenAI-compatible server answering after 50 ms, c=16,
//   streaming and not, against the ideal (samples × latency / concurrency);
// - promptfoo: the 1,000-sample echo eval, agentctl against promptfoo eval on the same cases. promptfoo
//   (~1.4 GB) is installed on demand into a cache folder outside the project, never a dependency.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { median, PAIRS, paired, run } from './bench-lib.mjs';

const FLOOR = new URL('./bench-eval-floor.mjs', import.meta.url).pathname;

export function makeEvalWorkspace(dir, samples = 1_000) {
  mkdirSync(join(dir, '.agentctl'), { recursive: true });
  mkdirSync(join(dir, 'agents/echo/prompts/v1'), { recursive: true });
  mkdirSync(join(dir, 'agents/echo/evals'), { recursive: true });
  writeFileSync(join(dir, '.agentctl/config.yaml'), 'team: team-bench\n');
  writeFileSync(
    join(dir, 'agents/echo/agent.yaml'),
    'apiVersion: agentctl/v1\nkind: Agent\nmetadata: { name: echo, version: 1.0.0, owner: team-bench }\nspec:\n  model: { ref: echo }\n  prompt: { ref: prompts/v1/system.md }\n  evals: { dataset: evals/samples.jsonl, gate: { minPassRate: 1 } }\n',
  );
  writeFileSync(join(dir, 'agents/echo/prompts/v1/system.md'), 'Repeat the question.\n');
  const lines = Array.from({ length: samples }, (_, i) =>
    JSON.stringify({ id: `s${i}`, input: `question number ${i}`, assert: [{ type: 'contains', value: `number ${i}` }] }),
  );
  writeFileSync(join(dir, 'agents/echo/evals/samples.jsonl'), `${lines.join('\n')}\n`);
}

const evalArgs = (bin, extra = []) => [bin, 'eval', 'echo', '--concurrency', '16', '--json', ...extra];

/** One offline eval of `samples` samples, paired with the floor writing the same rows. */
export async function benchEvalScaling(bin, dir, env, samples, pairs = PAIRS) {
  makeEvalWorkspace(dir, samples);
  const ours = () => {
    const r = run(process.execPath, evalArgs(bin, ['--provider', 'echo']), { cwd: dir, env });
    const report = JSON.parse(r.stdout);
    if (report.summary.passed !== samples) throw new Error(`eval passed ${report.summary.passed}/${samples}`);
    return r;
  };
  ours(); // warm: registers nothing, but fills the file cache and gives the floor its template rows
  const template = templateRows(join(dir, '.agentctl/registry.db'));
  writeFileSync(join(dir, 'template.json'), JSON.stringify(template));
  const floorDb = join(dir, 'floor.db');
  const floor = () => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(floorDb + suffix, { force: true });
    return run(process.execPath, [FLOOR, join(dir, 'agents/echo/evals/samples.jsonl'), join(dir, 'template.json'), floorDb], { env });
  };
  const result = await paired(ours, floor, pairs);
  // Every sample is a run in the event log (checked once, outside the timings).
  const db = new Database(join(dir, '.agentctl/registry.db'), { readonly: true });
  const evalId = db.prepare('SELECT eval_id FROM evals ORDER BY started_at DESC LIMIT 1').pluck().get();
  const logged = db.prepare('SELECT count(*) FROM eval_results r JOIN runs ON runs.run_id = r.run_id WHERE r.eval_id = ?').pluck().get(evalId);
  db.close();
  return { ...result, logged };
}

/** One sample's rows as the eval wrote them: the run, its events and spans, its result; plus the schema without triggers. */
function templateRows(path) {
  const db = new Database(path, { readonly: true });
  const runId = db.prepare('SELECT run_id FROM eval_results ORDER BY rowid DESC LIMIT 1').pluck().get();
  const sampleId = db.prepare('SELECT sample_id FROM eval_results WHERE run_id = ?').pluck().get(runId);
  const schema = db
    .prepare(
      `SELECT sql FROM sqlite_master WHERE type IN ('table', 'index') AND sql IS NOT NULL AND tbl_name IN ('runs', 'events', 'spans', 'eval_results', 'evals', 'sessions')`,
    )
    .pluck()
    .all()
    .map((sql) => sql.replace(/REFERENCES \w+ \(\w+\)/g, ''));
  const rows = {
    runs: db.prepare('SELECT * FROM runs WHERE run_id = ?').all(runId),
    events: db.prepare('SELECT * FROM events WHERE run_id = ?').all(runId),
    spans: db.prepare('SELECT * FROM spans WHERE run_id = ?').all(runId),
    eval_results: db.prepare('SELECT * FROM eval_results WHERE run_id = ?').all(runId),
  };
  const input = rows.runs[0].input;
  db.close();
  return { schema, runId, sampleId, input, rows };
}

/**
 * Latency-bound: a local OpenAI-compatible server that answers after `latencyMs`, streaming or not, against the
 * ideal (samples × latency / concurrency), paired with a bare Node client making the same calls to the same server
 * (bench-latency-floor.mjs): the share of the gap that is this host's (Node's start, the loopback, the gateway),
 * not agentctl's. At least 9 pairs: the ideal does not move with the host, so a median of 5 moved with it.
 */
export async function benchLatencyBound(bin, dir, env, { samples = 500, latencyMs = 50, concurrency = 16, runs = Math.max(PAIRS, LATENCY_PAIRS) } = {}) {
  makeEvalWorkspace(dir, samples);
  const server = await slowGateway(latencyMs);
  const out = {};
  try {
    for (const stream of [true, false]) {
      writeFileSync(join(dir, '.agentctl/config.yaml'), `team: team-bench\ngateway:\n  stream: ${stream}\n`);
      const gatewayEnv = { ...env, AGENTCTL_GATEWAY_URL: server.url };
      // Every sample must have been answered: an eval whose requests all fail fast would look faster than the ideal.
      const ours = () => {
        const r = run(process.execPath, evalArgs(bin, ['--provider', 'openai', '--no-cache']), { cwd: dir, env: gatewayEnv });
        const passed = JSON.parse(r.stdout).summary.passed;
        if (passed !== samples) throw new Error(`latency-bound eval (stream: ${stream}) passed ${passed}/${samples}`);
        return r;
      };
      const bare = () => run(process.execPath, [LATENCY_FLOOR, server.url, String(samples), String(concurrency), String(stream)], { cwd: dir, env });
      const pairs = await paired(ours, bare, runs);
      const ideal = (samples * latencyMs) / concurrency;
      out[stream ? 'streaming' : 'plain'] = {
        ms: pairs.a.ms,
        ideal,
        ratio: pairs.a.ms / ideal,
        range: pairs.aRange.map((ms) => ms / ideal),
        bare: pairs.b.ms / ideal,
        pairs: runs,
      };
    }
  } finally {
    server.close();
  }
  return out;
}

const LATENCY_FLOOR = new URL('./bench-latency-floor.mjs', import.meta.url).pathname;
const LATENCY_PAIRS = 9;

/**
 * The gateway runs in its own process: the timed commands are spawned synchronously, which would stop
 * a server in this process from answering at all.
 */
async function slowGateway(latencyMs) {
  const child = spawn(process.execPath, [new URL('./bench-gateway.mjs', import.meta.url).pathname, String(latencyMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    child.stdout.once('data', (d) => resolve(String(d).trim()));
    child.once('exit', (code) => reject(new Error(`the bench gateway exited (${code})`)));
  });
  return { url, close: () => child.kill() };
}

/** promptfoo, installed on demand; undefined (with the reason on stderr) when it cannot be. */
export function promptfooBin() {
  const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'agentctl-bench', 'promptfoo');
  const bin = join(cache, 'node_modules', '.bin', 'promptfoo');
  if (!existsSync(bin)) {
    console.error(`(installing promptfoo into ${cache} for the comparison; ~1.4 GB, outside the project)`);
    mkdirSync(cache, { recursive: true });
    const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', cache, 'promptfoo'], { stdio: 'inherit', timeout: 20 * 60_000 });
    if (install.status !== 0 || !existsSync(bin)) {
      console.error('(promptfoo could not be installed here: the eval comparison is skipped; agentctl figures only)');
      return undefined;
    }
  }
  return bin;
}

/** promptfoo against agentctl on the same 1,000 echo cases, paired: the ratio is promptfoo's time over ours. */
export async function benchPromptfoo(bin, dir, env, pairs = PAIRS) {
  const promptfoo = promptfooBin();
  if (!promptfoo) return undefined;
  const ours = join(dir, 'agentctl');
  const theirs = join(dir, 'promptfoo');
  makeEvalWorkspace(ours, 1_000);
  mkdirSync(theirs, { recursive: true });
  const tests = Array.from(
    { length: 1_000 },
    (_, i) => `  - vars: { input: "question number ${i}" }\n    assert: [{ type: contains, value: "number ${i}" }]`,
  ).join('\n');
  writeFileSync(join(theirs, 'promptfooconfig.yaml'), `prompts: ["{{input}}"]\nproviders: [echo]\ntests:\n${tests}\n`);
  const pfEnv = {
    ...process.env,
    PROMPTFOO_DISABLE_TELEMETRY: '1',
    PROMPTFOO_DISABLE_UPDATE: '1',
    PROMPTFOO_CONFIG_DIR: join(theirs, '.promptfoo'),
    CI: 'true',
    NO_COLOR: '1',
  };
  const pf = () =>
    run(promptfoo, ['eval', '-c', 'promptfooconfig.yaml', '-j', '16', '--no-cache', '--no-table', '--no-progress-bar'], {
      cwd: theirs,
      env: pfEnv,
      allowFailure: true,
    });
  const ac = () => run(process.execPath, evalArgs(bin, ['--provider', 'echo']), { cwd: ours, env });
  return paired(pf, ac, pairs);
}
