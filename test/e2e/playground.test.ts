/** The real playground in a real pseudo-terminal (tmux): type an input, see the answer and the span tree, quit. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentctl, BIN } from '../support/cli.js';
import { hasTmux, tmuxTerminal } from '../support/tmux.js';
import { tempDir } from '../support/workspace.js';

const { tmux, start, screen, waitFor: waitForScreen, kill } = tmuxTerminal('pg');

afterEach(kill);

describe.skipIf(!hasTmux)('playground in a pseudo-terminal', () => {
  it('answers, draws the span tree, and quits on Ctrl-C', async () => {
    const cwd = tempDir();
    await agentctl(['init', '.', '--yes', '--template', 'main-sub', '--name', 'triage', '--owner', 'team-qa'], { cwd });
    const env = `XDG_CONFIG_HOME=${join(cwd, '.x')} XDG_CACHE_HOME=${join(cwd, '.cache-home')} NO_COLOR=1`;
    start(cwd, `env ${env} node ${BIN} playground triage; echo "playground exited $?"; sleep 30`);
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
    // Its code cache went to the cache folder it was given (the test's own), not the user's ~/.cache.
    expect(readdirSync(join(cwd, '.cache-home', 'agentctl', 'code-cache')).filter((f) => f.endsWith('.bin'))).toHaveLength(1);
    // The run it made is in the event log like any other.
    const runs = JSON.parse((await agentctl(['runs', '--json'], { cwd })).stdout);
    expect(runs[0]).toMatchObject({ agent: 'triage', status: 'succeeded', input: 'What is the status of LOGIN-42?' });
  });
});

describe.skipIf(!hasTmux)('playground at 80x24', () => {
  it('opens the last agent used, fits the status line, labels only echo answers, keeps scrollback across ^O and a resize', async () => {
    const cwd = tempDir();
    await agentctl(['init', '.', '--yes', '--template', 'main-sub', '--name', 'triage', '--owner', 'team-qa'], { cwd });
    await agentctl(['register', 'agents/triage'], { cwd });
    expect((await agentctl(['promote', 'triage@0.1.0', '--to', 'dev', '--with-deps'], { cwd })).exitCode).toBe(0);
    // The last agent used is triage-writer (its run fails on a cassette miss, but it ran); "triage" sorts first.
    // Enough past runs for the ^O list to fill a 24-row terminal (16, in two parallel batches to save time).
    for (let batch = 0; batch < 2; batch++)
      await Promise.all(Array.from({ length: 8 }, (_, i) => agentctl(['run', 'triage-writer', '-i', `hello ${batch * 8 + i}`], { cwd })));
    const env = `XDG_CONFIG_HOME=${join(cwd, '.x')} XDG_CACHE_HOME=${join(cwd, '.cache-home')} NO_COLOR=1`;
    const history = 'for i in $(seq 1 40); do echo "scrollback line $i"; done';
    start(cwd, `${history}; env ${env} node ${BIN} playground; echo "playground exited $?"; sleep 30`, { width: 80, height: 24 });
    let shown = await waitForScreen('enter send');
    const status = () =>
      screen()
        .split('\n')
        .find((l) => l.includes('DRY')) ?? '';
    expect(status()).toMatch(/^triage-writer@0\.1\.0 /);
    expect(shown).not.toContain('TEST DOUBLE');
    for (const line of shown.split('\n')) expect(line.length).toBeLessThanOrEqual(80);

    // ^V: each version with its stage and status.
    tmux('send-keys', '-t', 'pg', 'C-v');
    shown = await waitForScreen('choose version');
    expect(shown).toContain('workspace  (the files you are editing)');
    expect(shown).toMatch(/0\.1\.0 +dev · active/);
    tmux('send-keys', '-t', 'pg', 'Escape');
    await waitForScreen(/^(?![\s\S]*choose version)/);

    // A question the cassette does not know: the echo double answers, and says so.
    tmux('send-keys', '-t', 'pg', '-l', 'anything at all?');
    tmux('send-keys', '-t', 'pg', 'Enter');
    shown = await waitForScreen('answered by the echo TEST DOUBLE');
    expect(status()).toContain('TEST DOUBLE');
    expect(status().length).toBeLessThanOrEqual(80);

    // Past runs at 80x24 open without clearing the screen or the scrollback.
    tmux('send-keys', '-t', 'pg', 'C-o');
    shown = await waitForScreen('past runs 1/17');
    expect(shown.split('\n').filter((l) => /past runs \d/.test(l)).length).toBe(1);
    const scrollback = () => tmux('capture-pane', '-p', '-t', 'pg', '-S', '-500');
    expect(scrollback()).toContain('scrollback line 1\n');
    expect(scrollback()).toContain('you › anything at all?');

    // Narrower: the frame is redrawn at 60 columns with nothing left over from the 80-column layout.
    tmux('resize-window', '-t', 'pg', '-x', '60', '-y', '24');
    shown = await waitForScreen(/╭─{58}╮/);
    const lines = shown.split('\n');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(60);
    expect(lines.filter((l) => /past runs \d/.test(l)).length).toBe(1);
    expect(lines.filter((l) => l.includes('╭') || l.includes('╰')).length).toBe(2);
    // A border line cut by the rewrap would be a run of ─ with no corner, or a lone │ at the start of a line.
    expect(lines.filter((l) => /^─+/.test(l) || /^ *│ *$/.test(l))).toEqual([]);
    expect(scrollback()).toContain('scrollback line 1\n');
    tmux('send-keys', '-t', 'pg', 'Escape');
    tmux('send-keys', '-t', 'pg', 'C-c');
    await waitForScreen('playground exited 0');
  });
});

describe.skipIf(!hasTmux)('playground ^F and ^S', () => {
  it('rates an answer (stats shows it) and saves the turn as a sample that eval passes offline', async () => {
    const cwd = tempDir();
    await agentctl(['init', '.', '--yes', '--name', 'bot', '--owner', 'team-a'], { cwd });
    const env = `XDG_CONFIG_HOME=${join(cwd, '.x')} XDG_CACHE_HOME=${join(cwd, '.cache-home')} NO_COLOR=1`;
    start(cwd, `env ${env} node ${BIN} playground bot; echo "playground exited $?"; sleep 30`, { width: 100, height: 30 });
    await waitForScreen('^S save sample');
    tmux('send-keys', '-t', 'pg', '-l', 'Can I return a gift?');
    tmux('send-keys', '-t', 'pg', 'Enter');
    await waitForScreen('agent › (echo test double) Can I return a gift?');

    tmux('send-keys', '-t', 'pg', 'C-f');
    await waitForScreen('g good · b bad');
    tmux('send-keys', '-t', 'pg', '-l', 'g');
    tmux('send-keys', '-t', 'pg', '-l', 'clear enough');
    await waitForScreen('good · note (optional): clear enough');
    tmux('send-keys', '-t', 'pg', 'Enter');
    await waitForScreen(/rated good · DRY/);

    tmux('send-keys', '-t', 'pg', 'C-s');
    let shown = await waitForScreen('as an eval sample, checking:');
    expect(shown).toContain('[x] contains "(echo test double) Can I return a gift?"');
    expect(shown).toContain('[ ] equals');
    tmux('send-keys', '-t', 'pg', 'Enter');
    shown = await waitForScreen('check it: agentctl eval bot');
    expect(shown).toMatch(/saved sample \S+ \(contains\) to agents\/bot\/evals\/samples\.yaml/);
    tmux('send-keys', '-t', 'pg', 'C-c');
    await waitForScreen('playground exited 0');

    const stats = await agentctl(['stats', '--by', 'agent', '--json'], { cwd });
    const group = (JSON.parse(stats.stdout) as { groups: { key: Record<string, string>; feedback: unknown }[] }).groups.find((g) => g.key.agent === 'bot');
    expect(group?.feedback).toMatchObject({ rated: 1, good: 1, bad: 0 });
    const evaluated = await agentctl(['eval', 'bot', '--json'], { cwd });
    expect(evaluated.exitCode, evaluated.stderr).toBe(0);
    expect(evaluated.stdout).toContain('can-i-return-a-gift');
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
