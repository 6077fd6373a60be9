/** A real pseudo-terminal for end-to-end tests: a private tmux server, one session, and waits on what it shows. */
import { execFileSync, spawnSync } from 'node:child_process';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux && process.env.CI) throw new Error('tmux is required for the pseudo-terminal tests under CI (apt-get install -y tmux)');

export interface TmuxTerminal {
  /** Any tmux command on this test's own server. */
  tmux(...args: string[]): string;
  /** Starts the session: `command` run by the shell in `cwd`, on a `width`×`height` terminal (160×45 unless said). */
  start(cwd: string, command: string, size?: { width: number; height: number }): void;
  /** What the session shows now (with `scrollback`, that many lines above the screen too). */
  screen(): string;
  /** Waits until the screen shows `text`; returns the screen, or throws with what it showed instead. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<string>;
  keys(...keys: string[]): void;
  type(text: string): void;
  kill(): void;
}

/**
 * `session`: the tmux session the test starts (`start(cwd, command)`).
 * `join`: wrapped lines read as one (prompts); off where wrapping itself is what is tested.
 */
export function tmuxTerminal(session: string, options: { join?: boolean; scrollback?: number } = {}): TmuxTerminal {
  const socket = `agentctl-${session}-${process.pid}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const screen = () =>
    tmux('capture-pane', '-p', ...(options.join ? ['-J'] : []), ...(options.scrollback ? ['-S', `-${options.scrollback}`] : []), '-t', session);
  return {
    tmux,
    start: (cwd, command, { width, height } = { width: 160, height: 45 }) =>
      void tmux('new-session', '-d', '-s', session, '-x', String(width), '-y', String(height), '-c', cwd, command),
    screen,
    async waitFor(text, timeoutMs = 15_000) {
      const started = Date.now();
      for (;;) {
        const shown = screen();
        if (typeof text === 'string' ? shown.includes(text) : text.test(shown)) return shown;
        if (Date.now() - started > timeoutMs) throw new Error(`"${text}" never appeared; the screen shows:\n${shown}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    keys: (...keys) => void tmux('send-keys', '-t', session, ...keys),
    type: (text) => void tmux('send-keys', '-t', session, '-l', text),
    kill: () => void spawnSync('tmux', ['-L', socket, 'kill-server']),
  };
}
