// npm run bench: performance as ratios against floors measured in the same run (never timed tests).
// Every comparison is paired (A B A B …, bench-lib.mjs) and reported as the median of the per-pair
// ratios with their range. AGENTCTL_BENCH_PAIRS sets the pairs (default 5); AGENTCTL_BENCH_QUICK=1
// leaves out the 100,000-sample and 200,000-run rows; AGENTCTL_BENCH_SKIP_PROMPTFOO=1 the peer.
// Writes nothing to the repository.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { benchEvalScaling, benchLatencyBound, benchPromptfoo } from './bench-eval.mjs';
import { benchEventAppends, benchRuntimeStep, benchStats, freshRegistry, seedStats } from './bench-events.mjs';
import { median, PAIRS, paired, run, Table } from './bench-lib.mjs';
import { benchPublish } from './bench-publish.mjs';

const BIN = new URL('../bin/agentctl.js', import.meta.url).pathname;
const QUICK = Boolean(process.env.AGENTCTL_BENCH_QUICK);
const work = mkdtempSync(join(tmpdir(), 'agentctl-bench-'));
// Its own config and cache: the commands' code caches (eval, playground) go to the bench's directory, not the user's.
const env = { ...process.env, XDG_CONFIG_HOME: join(work, '.config'), XDG_CACHE_HOME: join(work, '.cache'), NO_COLOR: '1', CI: 'true' };
const table = new Table();
const node =
  (args, cwd = work) =>
  () =>
    run(process.execPath, args, { cwd, env });
const optional = async (module) => (existsSync(new URL(module, import.meta.url)) ? import(module) : undefined);

// --- Start-up ---
const emptyModule = join(work, 'empty.mjs');
writeFileSync(emptyModule, '');
const help = await paired(node([BIN, '--help']), node([emptyModule]), Math.max(PAIRS, 15));
table.add("floor: node -e ''", (await paired(node(['-e', '']), node(['-e', '']))).a.ms, 'floor');
table.add('floor: node empty.mjs', help.b.ms, 'floor');
table.pair('agentctl --help', help, 'empty.mjs', '≤ 1.5×');

// --- Specs and the registry ---
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
table.pair('validate 200 specs', await paired(node([BIN, 'validate'], validateWs), node(['-e', ''])), "node -e ''", '—');

const scale = await optional('./bench-scale-export.mjs');
if (scale?.benchRegisterAndList) {
  const r = await scale.benchRegisterAndList({ bin: BIN, work: join(work, 'registry'), env });
  if (r.register) table.pair('register 1,000 versions (one command)', r.register, "node -e ''", '≤ 10×');
  if (r.list) table.pair(`list --json over ${r.versions.toLocaleString('en')} versions`, r.list, 'bare script, same JSON', '≤ 1.2×');
}

// --- Event log, runtime, stats ---
const appends = Array.from({ length: PAIRS }, () => benchEventAppends(100_000));
// The durable row commits each run at its end: its floor is a bare loop that commits per run too.
const appendRatio = (key, floor) => {
  const ratios = appends.map((a) => a[key] / a[floor]);
  return { a: { ms: 0 }, ratio: median(ratios), range: [Math.min(...ratios), Math.max(...ratios)], pairs: PAIRS };
};
table.add('event appends: bare better-sqlite3 loop', median(appends.map((a) => a.bare)), 'floor', 'events/s');
table.add('event appends: bare loop, one commit per run', median(appends.map((a) => a.bareDurable)), 'floor', 'events/s');
table.pair('event appends: EventLog, batched (rate)', appendRatio('batched', 'bare'), 'bare loop', '≥ 0.8×');
table.pair('event appends: EventLog, per-run durable (rate)', appendRatio('durable', 'bareDurable'), 'bare loop, commit per run', '≥ 0.8×');
const step = await benchRuntimeStep();
table.add('runtime overhead per agent step (instant model)', step.perStepMs, '≤ 1 ms');

const statsDb = freshRegistry();
const seededRuns = seedStats(statsDb.registry, 1_000_000, 20);
table.add(`stats over 1,000,000 events (${seededRuns.toLocaleString('en')} runs, in process)`, benchStats(statsDb.registry), '≤ 300 ms');
mkdirSync(join(statsDb.dir, '.agentctl'), { recursive: true });
statsDb.registry.close();
for (const suffix of ['', '-wal', '-shm']) {
  if (existsSync(join(statsDb.dir, `registry.db${suffix}`)))
    renameSync(join(statsDb.dir, `registry.db${suffix}`), join(statsDb.dir, '.agentctl', `registry.db${suffix}`));
}
table.pair(
  'agentctl stats --by agent,version,team (command)',
  await paired(node([BIN, 'stats', '--by', 'agent,version,team', '--json'], statsDb.dir), node([emptyModule])),
  'empty.mjs',
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
table.add('playground: 1,000 events at 1,000/s — frames drawn', pg.paced.frames, '—', 'frames');
table.add('playground: … lag of the last event on screen', pg.paced.lagMs, '≤ 100 ms');
table.add('playground: 1,000 events in one burst', pg.burst.eventsPerSecond, '≥ 1,000 events/s', 'events/s');
const startup = await optional('./bench-playground-startup.mjs');
if (startup?.playgroundStartup) {
  const first = await startup.playgroundStartup({ bin: BIN, work: join(work, 'pg'), env, pairs: PAIRS });
  if (first) table.add(`playground on screen (tmux, first frame; floor ${first.floorMs.toFixed(0)} ms)`, first.ms, '≤ 400 ms');
}

// --- Evals ---
for (const samples of QUICK ? [1_000, 10_000] : [1_000, 10_000, 100_000]) {
  const r = await benchEvalScaling(BIN, join(work, `eval-${samples}`), env, samples, samples >= 100_000 ? Math.min(PAIRS, 3) : PAIRS);
  const n = samples.toLocaleString('en');
  table.pair(`eval, ${n} offline samples, c=16 (whole command)`, r, 'floor: same rows', '≤ 2.5×');
  table.add(`  … peak memory (floor ${r.b.peakMb.toFixed(0)} MB); runs logged ${r.logged.toLocaleString('en')}`, r.a.peakMb, '< 200 MB', 'MB');
  rmSync(join(work, `eval-${samples}`), { recursive: true, force: true });
}
const latency = await benchLatencyBound(BIN, join(work, 'eval-latency'), env);
for (const [mode, r] of Object.entries(latency))
  table.add(
    `eval, 500 samples, 50 ms model, c=16, ${mode}: ${r.ratio.toFixed(2)}× ideal (${r.range[0].toFixed(2)}–${r.range[1].toFixed(2)}, ${r.pairs} runs); a bare client ${r.bare.toFixed(2)}×`,
    r.ms,
    `≤ 1.3× ideal (${r.ideal.toFixed(0)} ms)`,
  );
if (!process.env.AGENTCTL_BENCH_SKIP_PROMPTFOO) {
  const vs = await benchPromptfoo(BIN, join(work, 'promptfoo'), env);
  if (vs) {
    table.add('promptfoo eval, 1,000 echo cases (whole command)', vs.a.ms, 'peer');
    table.pair('  agentctl speed-up over promptfoo (promptfoo ÷ agentctl)', { ...vs, a: vs.b }, 'faster', '≥ 5×');
  }
}

// --- Export ---
if (scale?.benchExport) {
  for (const runs of QUICK ? [10_000] : [10_000, 200_000]) {
    // 200,000 runs take a minute a pair: three pairs there.
    const r = await scale.benchExport({ bin: BIN, work: join(work, `export-${runs}`), env, runs, pairs: runs > 50_000 ? Math.min(PAIRS, 3) : PAIRS });
    const n = runs.toLocaleString('en');
    for (const format of ['jsonl', 'otlp']) {
      if (!r[format]) continue;
      table.pair(`export --format ${format}, ${n} runs`, r[format], 'bare JSONL export', '≤ 1.3×');
      table.add(`  … peak memory`, r[format].a.peakMb, '< 150 MB', 'MB');
    }
    rmSync(join(work, `export-${runs}`), { recursive: true, force: true });
  }
}

// --- Publishing ---
const pub = await benchPublish(join(work, 'publish'));
if (pub) {
  table.add(`floor: one bare blob upload of the bundle (${Math.round(pub.bytes / 1024)} KiB)`, pub.floorMs, 'floor');
  table.pair(`push, 1,000-sample bundle (${pub.pushUploads} uploads, ${Math.round(pub.pushBytes / 1024)} KiB)`, pub.pushed, 'bare upload', '—');
  table.add(`re-push of the same version: ${pub.repushUploads} uploads, ${pub.repushRequests} requests`, pub.repushMs, '0 uploads, ≤ 3 requests');
  table.add(`pull + verify (signature ${pub.verified ? 'valid' : 'INVALID'})`, pub.pullMs, '—');
}

rmSync(work, { recursive: true, force: true });
table.print(`agentctl bench — Node ${process.versions.node}, ${process.platform}/${process.arch}, ${PAIRS} pairs per comparison`);
