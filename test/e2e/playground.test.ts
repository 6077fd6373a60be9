/** The real playground in a real pseudo-terminal (tmux): type an input, see the answer and the span tree, quit. */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentctl, BIN } from '../support/cli.js';
import { tempDir } from '../support/workspace.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux && process.env.CI) throw new Error('tmux is required for the playground test under CI (apt-get install -y tmux)');
const socket = `agentctl-test-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', 'pg');

async function waitForScreen(text: string | RegExp, timeoutMs = 15_000): Promise<string> {
  const started = Date.now();
  for (;;) {
    const shown = screen();
    if (typeof text === 'string' ? shown.includes(text) : text.test(shown)) return shown;
    if (Date.now() - started > timeoutMs) throw new Error(`"${text}" never appeared; the screen shows:\n${shown}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

afterEach(() => {
  spawnSync('tmux', ['-L', socket, 'kill-server']);
});

describe.skipIf(!hasTmux)('playground in a pseudo-terminal', () => {
  it('answers, draws the span tree, and quits on Ctrl-C', async () => {
    const cwd = tempDir();
    await agentctl(['init', '.', '--yes', '--template', 'main-sub', '--name', 'triage', '--owner', 'team-qa'], { cwd });
    const env = `XDG_CONFIG_HOME=${join(cwd, '.x')} NO_COLOR=1`;
    tmux(
      'new-session',
      '-d',
      '-s',
      'pg',
      '-x',
      '160',
      '-y',
      '45',
      '-c',
      cwd,
      `env ${env} node ${BIN} playground triage; echo "playground exited $?"; sleep 30`,
    );
    await waitForScreen('enter send');
    tmux('send-keys', '-t', 'pg', '-l', 'What is the status of LOGIN-42?');
    tmux('send-keys', '-t', 'pg', 'Enter');
    const shown = await waitForScreen('agent › LOGIN-42 is in progress, assigned to the web team.');
    expect(shown).toMatch(/agent triage@0\.1\.0/);
    expect(shown).toMatch(/tool triage-tracker/);
    expect(shown).toContain('out(mock) {"status":"in progress","assignee":"web team"}');
    expect(shown).toMatch(/tokens \d+\/8000/);
    expect(shown).toContain('DRY');
    tmux('send-keys', '-t', 'pg', 'C-c');
    await waitForScreen('playground exited 0');
    // The run it made is in the event log like any other.
    const runs = JSON.parse((await agentctl(['runs', '--json'], { cwd })).stdout);
    expect(runs[0]).toMatchObject({ agent: 'triage', status: 'succeeded', input: 'What is the status of LOGIN-42?' });
  });
});

describe('playground without a terminal', () => {
  it('explains it needs one and points at run (exit 2)', async () => {
    const cwd = tempDir();
    await agentctl(['init', '.', '--yes', '--name', 'bot', '--owner', 'team-a'], { cwd });
    const result = await agentctl(['playground', 'bot'], { cwd });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('needs an interactive terminal');
    expect(result.stderr).toContain('agentctl run bot');
  });
});
