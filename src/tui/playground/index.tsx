/** Starts the playground on the terminal and resolves when the user quits. */
import { render } from 'ink';
import { App } from './App.js';
import type { AgentInfo, PlaygroundController } from './types.js';

export async function startPlayground(controller: PlaygroundController, agent: AgentInfo): Promise<void> {
  const instance = render(<App controller={controller} agent={agent} />, { exitOnCtrlC: false, patchConsole: true });
  await instance.waitUntilExit();
}
