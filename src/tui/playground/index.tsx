/** Starts the playground on the terminal and resolves when the user quits. */
import { render } from 'ink';
import { App } from './App.js';
import { guardResizes } from './resize.js';
import type { AgentInfo, PlaygroundController } from './types.js';

export async function startPlayground(controller: PlaygroundController, agent: AgentInfo): Promise<void> {
  const guarded = guardResizes(process.stdout);
  try {
    const instance = render(<App controller={controller} agent={agent} />, { stdout: guarded.stdout, exitOnCtrlC: false, patchConsole: true });
    await instance.waitUntilExit();
  } finally {
    guarded.dispose();
  }
}
