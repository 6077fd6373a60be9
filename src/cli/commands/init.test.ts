import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/workspace.js';
import type { CliContext } from '../context.js';
import type { Prompter } from '../prompts.js';
import { initCommand } from './init.js';

function context(cwd: string, interactive: boolean): CliContext {
  return { cwd, flags: {}, env: {}, interactive, stdout: new PassThrough(), stderr: new PassThrough() };
}

/** A fake prompter: answers in order, and records every question it was asked. */
function scripted(answers: (string | boolean)[]): Prompter & { asked: string[] } {
  const asked: string[] = [];
  const next = (message: string) => {
    asked.push(message);
    if (answers.length === 0) throw new Error(`unexpected question: ${message}`);
    return answers.shift();
  };
  return {
    asked,
    askText: async (message) => next(message) as string,
    askSelect: async (message) => next(message) as string,
    askConfirm: async (message) => next(message) as boolean,
  };
}

describe('init', () => {
  it('asks for what the flags did not give, on a terminal', async () => {
    const cwd = tempDir();
    const prompter = scripted(['main-sub', 'triage', 'team-qa', 'openai-compatible', 'http://gateway.local/v1']);
    expect(await initCommand(context(cwd, true), 'ws', {}, prompter)).toBe(0);
    expect(prompter.asked).toEqual(['Template', 'First agent (or tool) name', 'Owner team', 'Model gateway', 'Gateway base URL']);
    const config = readFileSync(join(cwd, 'ws/.agentctl/config.yaml'), 'utf8');
    expect(config).toContain('provider: openai');
    expect(config).toContain('baseUrl: http://gateway.local/v1');
    expect(existsSync(join(cwd, 'ws/agents/triage-planner/agent.yaml'))).toBe(true);
  });

  it('asks nothing when the flags answer everything', async () => {
    const cwd = tempDir();
    const prompter = scripted([]);
    await initCommand(context(cwd, true), 'ws', { template: 'basic', name: 'bot', owner: 'team-a', gateway: 'http://g/v1' }, prompter);
    expect(prompter.asked).toEqual([]);
  });

  it('without a terminal needs --yes or the flags, and writes nothing', async () => {
    const cwd = tempDir();
    await expect(initCommand(context(cwd, false), 'ws', { template: 'basic' }, scripted([]))).rejects.toMatchObject({ exitCode: 2 });
    expect(existsSync(join(cwd, 'ws'))).toBe(false);
  });

  it('refuses a non-empty folder without --force, and with --force keeps what the user does not confirm', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, '.gitignore'), 'mine\n');
    await expect(initCommand(context(cwd, false), '.', { yes: true }, scripted([]))).rejects.toMatchObject({ exitCode: 1, code: 'target-not-empty' });
    const prompter = scripted([false]);
    await initCommand(context(cwd, true), '.', { force: true, template: 'basic', name: 'bot', owner: 'team-a', gateway: 'http://g/v1' }, prompter);
    expect(prompter.asked).toEqual(['.gitignore exists. Overwrite it?']);
    expect(readFileSync(join(cwd, '.gitignore'), 'utf8')).toBe('mine\n');
    expect(existsSync(join(cwd, 'agents/bot/agent.yaml'))).toBe(true);
  });
});
