/**
 * The playground runs from dist/cli/playground.js with a V8 code cache in the user's cache directory
 * (src/cli/code-cache.ts): the first start writes it, later starts use it, and a damaged one changes nothing
 * but the speed.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentctl, BIN } from '../support/cli.js';
import { hasTmux, tmuxTerminal } from '../support/tmux.js';
import { tempDir } from '../support/workspace.js';

const { tmux, start, waitFor, kill } = tmuxTerminal('pgcache');

afterEach(kill);

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!hasTmux)('playground code cache', () => {
  it('is written after the first frame, and a truncated one still gives a working playground (and is rewritten)', async () => {
    const cwd = tempDir();
    await agentctl(['init', '.', '--yes', '--template', 'main-sub', '--name', 'triage', '--owner', 'team-qa'], { cwd });
    const cacheHome = join(cwd, '.cache-home');
    const dir = join(cacheHome, 'agentctl', 'code-cache');
    const env = `XDG_CONFIG_HOME=${join(cwd, '.x')} XDG_CACHE_HOME=${cacheHome} NO_COLOR=1`;
    const startRun = (run: number) => start(cwd, `env ${env} node ${BIN} playground triage; echo "exited $? (${run})"; sleep 30`);
    const cacheFile = () => {
      try {
        const [name, ...others] = readdirSync(dir).filter((f) => f.endsWith('.bin'));
        expect(others).toEqual([]);
        return name && statSync(join(dir, name)).size > 10_000 ? join(dir, name) : undefined;
      } catch {
        return undefined;
      }
    };

    startRun(1);
    await waitFor('enter send');
    const file = await until('the code cache', cacheFile);
    expect(file).toMatch(/playground-[0-9a-f]{32}\.bin$/);
    tmux('send-keys', '-t', 'pgcache', 'C-c');
    await waitFor('exited 0 (1)');
    tmux('kill-session', '-t', 'pgcache');

    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length >> 1));
    startRun(2);
    await waitFor('enter send');
    tmux('send-keys', '-t', 'pgcache', '-l', 'What is the status of LOGIN-42?');
    tmux('send-keys', '-t', 'pgcache', 'Enter');
    await waitFor('agent › LOGIN-42 is in progress, assigned to the web team.');
    await until('the rewritten cache', () => (statSync(file).size > bytes.length * 0.9 ? true : undefined));
    tmux('send-keys', '-t', 'pgcache', 'C-c');
    await waitFor('exited 0 (2)');
  });

  it("reports a user's error as every command does (the bundle shares core/errors with the CLI, not a copy)", async () => {
    const cwd = tempDir();
    await agentctl(['init', '.', '--yes', '--name', 'bot', '--owner', 'team-a'], { cwd });
    const env = `XDG_CONFIG_HOME=${join(cwd, '.x')} XDG_CACHE_HOME=${join(cwd, '.cache-home')} NO_COLOR=1`;
    start(cwd, `env ${env} node ${BIN} playground nosuch; echo "exited $?"; sleep 30`, { width: 160, height: 20 });
    const shown = await waitFor('exited');
    expect(shown).toContain('error: nothing named "nosuch" is registered');
    expect(shown).toContain('fix:   register it first');
    expect(shown).not.toContain('internal error');
    expect(shown).toContain('exited 1');
  });
});
