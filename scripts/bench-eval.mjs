// The eval bench (part of npm run bench): 1,000 samples, one assertion each, offline, concurrency 16,
// agentctl against promptfoo eval on the same cases with its echo provider. promptfoo (~1.4 GB) is
// installed on demand into a cache folder outside the project and is never a dependency of agentctl.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const SAMPLES = 1_000;

function timed(command, args, options) {
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], { ...options, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - started;
  const peakKb = Number((result.stderr.trim().split('\n').at(-1) ?? '').trim());
  return { ms, peakMb: peakKb / 1024, status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function makeEvalWorkspace(dir) {
  mkdirSync(join(dir, '.agentctl'), { recursive: true });
  mkdirSync(join(dir, 'agents/echo/prompts/v1'), { recursive: true });
  mkdirSync(join(dir, 'agents/echo/evals'), { recursive: true });
  writeFileSync(join(dir, '.agentctl/config.yaml'), 'team: team-bench\n');
  writeFileSync(
    join(dir, 'agents/echo/agent.yaml'),
    'apiVersion: agentctl/v1\nkind: Agent\nmetadata: { name: echo, version: 1.0.0, owner: team-bench }\nspec:\n  model: { ref: echo }\n  prompt: { ref: prompts/v1/system.md }\n  evals: { dataset: evals/samples.jsonl, gate: { minPassRate: 1 } }\n',
  );
  writeFileSync(join(dir, 'agents/echo/prompts/v1/system.md'), 'Repeat the question.\n');
  const lines = Array.from({ length: SAMPLES }, (_, i) =>
    JSON.stringify({ id: `s${i}`, input: `question number ${i}`, assert: [{ type: 'contains', value: `number ${i}` }] }),
  );
  writeFileSync(join(dir, 'agents/echo/evals/samples.jsonl'), `${lines.join('\n')}\n`);
}

export function benchAgentctlEval(bin, dir, env) {
  makeEvalWorkspace(dir);
  const run = () => timed(process.execPath, [bin, 'eval', 'echo', '--provider', 'echo', '--concurrency', '16', '--json'], { cwd: dir, env });
  run(); // warm the file cache and the registry
  const result = run();
  if (result.status !== 0) throw new Error(`agentctl eval failed: ${result.stderr.slice(-500)}`);
  const report = JSON.parse(result.stdout);
  // Every sample must be a run in the event log: count the report's run ids that `runs` knows.
  const logged = new Set(
    JSON.parse(
      execFileSync(process.execPath, [bin, 'runs', '--json', '--limit', '100000'], { cwd: dir, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }),
    ).map((r) => r.runId),
  );
  return { ms: result.ms, peakMb: result.peakMb, passed: report.summary.passed, loggedRuns: report.results.filter((r) => logged.has(r.runId)).length };
}

/** promptfoo, installed on demand; undefined (with the reason on stderr) when it cannot be. */
export function benchPromptfoo(dir) {
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
  mkdirSync(dir, { recursive: true });
  const tests = Array.from(
    { length: SAMPLES },
    (_, i) => `  - vars: { input: "question number ${i}" }\n    assert: [{ type: contains, value: "number ${i}" }]`,
  ).join('\n');
  writeFileSync(join(dir, 'promptfooconfig.yaml'), `prompts: ["{{input}}"]\nproviders: [echo]\ntests:\n${tests}\n`);
  const env = {
    ...process.env,
    PROMPTFOO_DISABLE_TELEMETRY: '1',
    PROMPTFOO_DISABLE_UPDATE: '1',
    PROMPTFOO_CONFIG_DIR: join(dir, '.promptfoo'),
    CI: 'true',
    NO_COLOR: '1',
  };
  const run = (extra) =>
    timed(bin, ['eval', '-c', 'promptfooconfig.yaml', '-j', '16', '--no-cache', '--no-table', '--no-progress-bar', ...extra], { cwd: dir, env });
  run([]);
  const full = run([]);
  const noWrite = run(['--no-write']);
  if (full.status === null) return undefined;
  return { ms: full.ms, peakMb: full.peakMb, noWriteMs: noWrite.ms };
}
