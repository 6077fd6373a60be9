// npm run bench: performance as ratios against floors measured in the same run (never timed tests).
// Floors: `node -e ''` and node running an empty ES module. Prints a table; writes nothing to the repo.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { openWorkspace, Registry, registerSpecs } from '../dist/core/index.js';
import { benchAgentctlEval, benchPromptfoo } from './bench-eval.mjs';
import { benchEventAppends, benchRuntimeStep, benchStats, freshRegistry, seedStats } from './bench-events.mjs';
import { benchPublish } from './bench-publish.mjs';

const BIN = new URL('../bin/agentctl.js', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'agentctl-bench-'));
const env = { ...process.env, XDG_CONFIG_HOME: join(work, '.config'), NO_COLOR: '1', CI: 'true' };

function time(args, cwd = work) {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return ms;
}

function median(fn, runs) {
  fn(); // warm the file cache
  const samples = Array.from({ length: runs }, fn).sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const rows = [];
const record = (what, ms, floorName, floorMs, target) => rows.push({ what, ms, ratio: floorMs ? ms / floorMs : undefined, floorName, target });

// Floors.
const emptyModule = join(work, 'empty.mjs');
writeFileSync(emptyModule, '');
const nodeE = median(() => time(['-e', '']), 15);
const nodeEsm = median(() => time([emptyModule]), 15);
record("node -e ''", nodeE, '', 0, 'floor');
record('node empty.mjs', nodeEsm, '', 0, 'floor');

// Start-up.
record(
  'agentctl --help',
  median(() => time([BIN, '--help']), 15),
  'empty.mjs',
  nodeEsm,
  '≤ 1.5×',
);

// A workspace with N tools and M agents each using one tool.
function makeWorkspace(dir, tools, agents) {
  mkdirSync(join(dir, '.agentctl'), { recursive: true });
  writeFileSync(join(dir, '.agentctl/config.yaml'), 'team: team-bench\n');
  for (let i = 0; i < tools; i++) {
    mkdirSync(join(dir, `tools/tool-${i}`), { recursive: true });
    writeFileSync(
      join(dir, `tools/tool-${i}/tool.yaml`),
      `apiVersion: agentctl/v1\nkind: Tool\nmetadata: { name: tool-${i}, version: 1.0.0, owner: team-bench }\nspec:\n  input: { type: object, properties: { q: { type: string } } }\n  sideEffects: read\n  implementation: { type: http, url: "https://example.com/t/${i}" }\n  mocks:\n    - output: { ok: true }\n`,
    );
  }
  for (let i = 0; i < agents; i++) {
    mkdirSync(join(dir, `agents/agent-${i}/prompts/v1`), { recursive: true });
    writeFileSync(join(dir, `agents/agent-${i}/prompts/v1/system.md`), `You are agent ${i}.\n`);
    writeFileSync(
      join(dir, `agents/agent-${i}/agent.yaml`),
      `apiVersion: agentctl/v1\nkind: Agent\nmetadata: { name: agent-${i}, version: 1.0.0, owner: team-bench }\nspec:\n  model: { ref: gpt-4o-mini }\n  prompt: { ref: prompts/v1/system.md }\n  tools:\n    - ref: tool-${i % Math.max(1, tools)}@^1.0.0\n`,
    );
  }
}

const validateWs = join(work, 'validate');
makeWorkspace(validateWs, 100, 100);
record(
  'validate 200 specs',
  median(() => time([BIN, 'validate'], validateWs), 5),
  "node -e ''",
  nodeE,
  '—',
);

const registerWs = join(work, 'register');
makeWorkspace(registerWs, 1000, 0);
const registerMs = time([BIN, 'register', 'tools'], registerWs);
record('register 1,000 versions (one command)', registerMs, "node -e ''", nodeE, '—');

// Fill the registry to 10,000 versions through the library, then list them.
const workspace = openWorkspace(registerWs, {}, env);
const registry = Registry.open(workspace);
for (let batch = 0; batch < 9; batch++) {
  for (let i = 0; i < 1000; i++) {
    writeFileSync(
      join(registerWs, `tools/tool-${i}/tool.yaml`),
      `apiVersion: agentctl/v1\nkind: Tool\nmetadata: { name: tool-${i}, version: 1.0.${batch + 1}, owner: team-bench }\nspec:\n  input: { type: object }\n  sideEffects: read\n  implementation: { type: http, url: "https://example.com/t/${i}/${batch}" }\n`,
    );
  }
  const result = registerSpecs(workspace, registry, registerWs, ['tools'], { user: 'bench', team: 'team-bench' });
  if (!result.ok) throw new Error('bench registration failed');
}
const count = registry.db.prepare('SELECT count(*) FROM versions').pluck().get();
const inProcess = median(() => {
  const started = performance.now();
  registry.list();
  return performance.now() - started;
}, 9);
registry.close();
record(
  `list --json over ${count.toLocaleString('en')} versions (command)`,
  median(() => time([BIN, 'list', '--json'], registerWs), 7),
  'empty.mjs',
  nodeEsm,
  '≤ 150 ms',
);
record(`  of which the query (in process)`, inProcess, '', 0, '—');
const smallWs = join(work, 'small');
makeWorkspace(smallWs, 1, 1);
time([BIN, 'register', 'agents/agent-0'], smallWs);
record(
  'agentctl list --json (cold, 2 versions)',
  median(() => time([BIN, 'list', '--json'], smallWs), 15),
  'empty.mjs',
  nodeEsm,
  '—',
);

// --- Event log and runtime (issue: dry-run runtime) ---
const appends = benchEventAppends(100_000);
rows.push({ what: 'event appends: bare better-sqlite3 loop', ms: 0, rate: appends.bare, target: 'floor' });
rows.push({
  what: 'event appends: EventLog, batched',
  ms: 0,
  rate: appends.batched,
  ratio: appends.batched / appends.bare,
  floorName: 'bare loop',
  target: '≥ 0.8×',
});
// A commit per run is the point of this row: its floor is a bare loop that commits per run too.
rows.push({ what: 'event appends: bare loop, one commit per run', ms: 0, rate: appends.bareDurable, target: 'floor' });
rows.push({
  what: 'event appends: EventLog, per-run durable',
  ms: 0,
  rate: appends.durable,
  ratio: appends.durable / appends.bareDurable,
  floorName: 'bare loop, commit per run',
  target: '≥ 0.8×',
});
const step = await benchRuntimeStep();
record('runtime overhead per agent step (instant model)', step.perStepMs, '', 0, '≤ 1 ms');

const statsDb = freshRegistry();
const seededRuns = seedStats(statsDb.registry, 1_000_000, 20);
record(`stats over 1,000,000 events (${seededRuns.toLocaleString('en')} runs, in process)`, benchStats(statsDb.registry), '', 0, '≤ 300 ms');
mkdirSync(join(statsDb.dir, '.agentctl'), { recursive: true });
statsDb.registry.close();
const { renameSync } = await import('node:fs');
renameSync(join(statsDb.dir, 'registry.db'), join(statsDb.dir, '.agentctl', 'registry.db'));
for (const suffix of ['-wal', '-shm']) {
  try {
    renameSync(join(statsDb.dir, `registry.db${suffix}`), join(statsDb.dir, '.agentctl', `registry.db${suffix}`));
  } catch {}
}
record(
  'agentctl stats --by agent,version,team (command)',
  median(() => time([BIN, 'stats', '--by', 'agent,version,team', '--json'], statsDb.dir), 5),
  'empty.mjs',
  nodeEsm,
  '—',
);
rmSync(statsDb.dir, { recursive: true, force: true });

// --- Playground ---
const pgOut = join(work, 'bench-playground.mjs');
await build({
  entryPoints: [new URL('./bench-playground.tsx', import.meta.url).pathname],
  outfile: pgOut,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  jsx: 'automatic',
  // Ink imports react-devtools-core only when DEV=true; in one file that import would be static.
  plugins: [
    {
      name: 'no-devtools',
      setup(b) {
        b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'stub', namespace: 'stub' }));
        b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export default {}' }));
      },
    },
  ],
  define: { 'process.env.NODE_ENV': '"production"' },
  banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
  logLevel: 'error',
});
const pg = JSON.parse(execFileSync(process.execPath, [pgOut], { encoding: 'utf8' }));
rows.push({ what: 'playground: 1,000 events at 1,000/s — frames drawn', ms: pg.paced.totalMs, rate: pg.paced.frames, rateUnit: 'frames', target: '—' });
record('playground: … lag of the last event on screen', pg.paced.lagMs, '', 0, '≤ 100 ms');
rows.push({ what: 'playground: 1,000 events in one burst', ms: pg.burst.totalMs, rate: pg.burst.eventsPerSecond, target: '≥ 1,000 events/s' });
const startupMs = playgroundStartup();
if (startupMs !== undefined) record('playground on screen (tmux, first frame)', startupMs, '', 0, '≤ 500 ms');

// --- Evals (issue: sample evals) ---
const evalEnv = { ...env, XDG_CONFIG_HOME: join(work, '.config') };
const ours = benchAgentctlEval(BIN, join(work, 'eval'), evalEnv);
rows.push({ what: `agentctl eval, ${ours.passed.toLocaleString('en')} samples, c=16 (whole command)`, ms: ours.ms, target: '—' });
rows.push({ what: '… runs logged in the event log', ms: 0, rate: ours.loggedRuns, rateUnit: 'runs', target: 'every sample' });
rows.push({ what: '… peak memory', ms: 0, rate: ours.peakMb, rateUnit: 'MB', target: '< 200 MB' });
const theirs = process.env.AGENTCTL_BENCH_SKIP_PROMPTFOO ? undefined : benchPromptfoo(join(work, 'promptfoo'));
if (theirs) {
  rows.push({ what: 'promptfoo eval, same cases, echo provider (whole command)', ms: theirs.ms, target: 'floor' });
  rows.push({ what: 'promptfoo eval --no-write', ms: theirs.noWriteMs, target: '—' });
  rows.push({ what: 'agentctl eval speed-up over promptfoo', ms: 0, rate: theirs.ms / ours.ms, rateUnit: '×', target: '≥ 5×' });
}

// --- Publishing (issue: OCI remotes) ---
const pub = await benchPublish(join(work, 'publish'));
if (pub) {
  rows.push({ what: `floor: one bare blob upload of the bundle (${Math.round(pub.bytes / 1024)} KiB)`, ms: pub.floorMs, target: 'floor' });
  rows.push({
    what: `push, 1,000-sample bundle (${pub.pushUploads} uploads, ${Math.round(pub.pushBytes / 1024)} KiB)`,
    ms: pub.pushMs,
    ratio: pub.pushMs / pub.floorMs,
    floorName: 'bare upload',
    target: '—',
  });
  rows.push({
    what: `re-push of the same version: ${pub.repushUploads} uploads, ${pub.repushRequests} requests`,
    ms: pub.repushMs,
    ratio: pub.repushMs / pub.floorMs,
    floorName: 'bare upload',
    target: '0 uploads, ≤ 3 requests',
  });
  rows.push({
    what: `pull + verify (signature ${pub.verified ? 'valid' : 'INVALID'})`,
    ms: pub.pullMs,
    ratio: pub.pullMs / pub.floorMs,
    floorName: 'bare upload',
    target: '—',
  });
}

rmSync(work, { recursive: true, force: true });

function playgroundStartup() {
  try {
    execFileSync('tmux', ['-V']);
  } catch {
    console.error('(tmux not found: playground start-up not measured; apt-get install tmux)');
    return undefined;
  }
  const ws = join(work, 'pg');
  makeWorkspace(ws, 1, 1);
  const samples = [];
  for (let i = 0; i < 5; i++) {
    const sock = `agentctl-bench-${process.pid}`;
    const started = performance.now();
    execFileSync('tmux', [
      '-L',
      sock,
      'new-session',
      '-d',
      '-s',
      'b',
      '-x',
      '160',
      '-y',
      '40',
      '-c',
      ws,
      `env XDG_CONFIG_HOME=${join(work, '.config')} node ${BIN} playground agent-0`,
    ]);
    let shown = '';
    while (!shown.includes('enter send') && performance.now() - started < 10_000)
      shown = execFileSync('tmux', ['-L', sock, 'capture-pane', '-p', '-t', 'b'], { encoding: 'utf8' });
    samples.push(performance.now() - started);
    execFileSync('tmux', ['-L', sock, 'kill-server']);
  }
  return samples.sort((a, b) => a - b)[2];
}

const pad = (s, n) => String(s).padEnd(n);
console.log(`\nagentctl bench — Node ${process.versions.node}, ${process.platform}/${process.arch}\n`);
console.log(`${pad('what', 62)}${pad('median', 14)}${pad('ratio', 22)}target`);
for (const r of rows) {
  const ratio = r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}× ${r.floorName}`;
  const value =
    r.rate !== undefined
      ? `${r.rate < 100 ? r.rate.toFixed(1) : Math.round(r.rate).toLocaleString('en')} ${r.rateUnit ?? '/s'}`
      : `${r.ms.toFixed(r.ms < 10 ? 3 : 1)} ms`;
  console.log(`${pad(r.what, 62)}${pad(value, 14)}${pad(ratio, 22)}${r.target}`);
}
