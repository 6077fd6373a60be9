// The playground's first frame, measured as scripts/bench.mjs measures it: tmux starts
// `node bin/agentctl.js playground agent-0` in a 1-tool/1-agent workspace and capture-pane is polled
// until the footer ('enter send') shows; median of 5 after one warm-up run. The floor is measured in the same run and the same
// way: tmux running a node script that only prints 'enter send', so the ratio says what agentctl adds.
//
//   node scripts/bench-playground-startup.mjs      (after npm run build)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/** A workspace with one tool and one agent using it (the same files bench.mjs writes). */
export function makePlaygroundWorkspace(dir) {
  mkdirSync(join(dir, '.agentctl'), { recursive: true });
  mkdirSync(join(dir, 'tools/tool-0'), { recursive: true });
  mkdirSync(join(dir, 'agents/agent-0/prompts/v1'), { recursive: true });
  writeFileSync(join(dir, '.agentctl/config.yaml'), 'team: team-bench\n');
  writeFileSync(
    join(dir, 'tools/tool-0/tool.yaml'),
    'apiVersion: agentctl/v1\nkind: Tool\nmetadata: { name: tool-0, version: 1.0.0, owner: team-bench }\nspec:\n  input: { type: object, properties: { q: { type: string } } }\n  sideEffects: read\n  implementation: { type: http, url: "https://example.com/t/0" }\n  mocks:\n    - output: { ok: true }\n',
  );
  writeFileSync(join(dir, 'agents/agent-0/prompts/v1/system.md'), 'You are agent 0.\n');
  writeFileSync(
    join(dir, 'agents/agent-0/agent.yaml'),
    'apiVersion: agentctl/v1\nkind: Agent\nmetadata: { name: agent-0, version: 1.0.0, owner: team-bench }\nspec:\n  model: { ref: gpt-4o-mini }\n  prompt: { ref: prompts/v1/system.md }\n  tools:\n    - ref: tool-0@^1.0.0\n',
  );
}

/** Milliseconds from `tmux new-session` until `text` is on the pane, for each of `runs` runs. */
function timeOnScreen(command, cwd, text, runs, { lingerFirstMs = 0 } = {}) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    // A server per run: a new session on a socket whose server is still shutting down fails at random.
    const sock = `agentctl-bench-pg-${process.pid}-${i}-${command.length}`;
    const started = performance.now();
    execFileSync('tmux', ['-L', sock, 'new-session', '-d', '-s', 'b', '-x', '160', '-y', '40', '-c', cwd, command]);
    let shown = '';
    while (!shown.includes(text) && performance.now() - started < 10_000)
      shown = execFileSync('tmux', ['-L', sock, 'capture-pane', '-p', '-t', 'b'], { encoding: 'utf8' });
    const ms = performance.now() - started;
    if (i === 0 && lingerFirstMs) execFileSync('sleep', [String(lingerFirstMs / 1000)]);
    execFileSync('tmux', ['-L', sock, 'kill-server']);
    if (!shown.includes(text)) throw new Error(`'${text}' never appeared after 10 s; the pane shows:\n${shown}`);
    samples.push(ms);
  }
  return samples;
}

const median = (samples) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];

/**
 * The playground's first frame in tmux: median of 5 runs, the floor (node printing the footer and
 * waiting) measured the same way in the same run, and their ratio. Undefined when tmux is missing.
 * `env`: variables for the playground (XDG_CONFIG_HOME at least, so no real user config is read).
 */
export function playgroundStartup({ bin, work, env = {} }) {
  try {
    execFileSync('tmux', ['-V']);
  } catch {
    console.error('(tmux not found: playground start-up not measured; apt-get install tmux)');
    return undefined;
  }
  const ws = join(work, 'pg-startup');
  makePlaygroundWorkspace(ws);
  const floorScript = join(work, 'pg-floor.mjs');
  // Stays alive like the playground does, so both are measured up to the frame and not to an exit.
  writeFileSync(floorScript, "process.stdout.write('enter send\\n'); setTimeout(() => {}, 60_000);\n");
  // The TUI's code cache (src/cli/code-cache.ts) goes to the run's own directory, not the user's: the warm-up
  // run writes it, so the runs measured are a user's second and later starts.
  const vars = Object.entries({ XDG_CACHE_HOME: join(work, '.cache'), ...env })
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join(' ');
  const node = quote(process.execPath);
  const warm = 1; // the first run pays the cold file cache; bench.mjs's floors are warmed the same way
  const floor = timeOnScreen(`${node} ${quote(floorScript)}`, ws, 'enter send', 5 + warm).slice(warm);
  // The warm-up run stays up a second after its frame: the code cache is written just after the frame, and a
  // run killed as soon as the frame shows would leave none (a user's first session lasts longer than that).
  const runs = timeOnScreen(`env ${vars} ${node} ${quote(bin)} playground agent-0`, ws, 'enter send', 5 + warm, { lingerFirstMs: 1000 }).slice(warm);
  return { ms: median(runs), floorMs: median(floor), ratio: median(runs) / median(floor), samples: runs, floorSamples: floor };
}

const quote = (s) => `'${String(s).replaceAll("'", "'\\''")}'`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const work = mkdtempSync(join(tmpdir(), 'agentctl-bench-pg-'));
  try {
    const bin = fileURLToPath(new URL('../bin/agentctl.js', import.meta.url));
    const result = playgroundStartup({ bin, work, env: { XDG_CONFIG_HOME: join(work, '.config') } });
    if (result) {
      const list = (xs) => xs.map((x) => x.toFixed(0)).join(' ');
      console.log(`playground first frame (tmux)  median ${result.ms.toFixed(1)} ms  [${list(result.samples)}]`);
      console.log(`floor: node printing the footer median ${result.floorMs.toFixed(1)} ms  [${list(result.floorSamples)}]`);
      console.log(`ratio ${result.ratio.toFixed(2)}×   target ≤ 400 ms`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
