import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { scripted } from '../../../test/support/prompter.js';
import { tempDir } from '../../../test/support/workspace.js';
import { readConfigFile } from '../../core/workspace/config.js';
import type { CliContext } from '../context.js';
import { initCommand } from './init.js';

function context(cwd: string, interactive: boolean, env: NodeJS.ProcessEnv = { XDG_CONFIG_HOME: join(cwd, '.config') }): CliContext {
  return { cwd, flags: {}, env, interactive, stdout: new PassThrough(), stderr: new PassThrough() };
}

describe('init', () => {
  it('asks for what the flags did not give, on a terminal', async () => {
    const cwd = tempDir();
    const prompter = scripted(['main-sub', 'triage', 'team-qa', 'openai-compatible', 'http://gateway.local/v1', 'llama3.1:8b', 'LITELLM_KEY', true]);
    expect(await initCommand(context(cwd, true), 'ws', {}, prompter)).toBe(0);
    expect(prompter.asked).toEqual([
      'Template',
      'First agent (or tool) name',
      'Owner team',
      'Model gateway',
      'Gateway base URL',
      'Model',
      'Environment variable that holds the gateway key (its name, not the key)',
      expect.stringMatching(/^Create your signing key\?/),
    ]);
    // The key the user accepted is made in their config folder, never in the workspace.
    expect(existsSync(join(cwd, '.config/agentctl/keys/default.pub'))).toBe(true);
    expect(existsSync(join(cwd, 'ws/.config'))).toBe(false);
    const config = readConfigFile(join(cwd, 'ws/.agentctl/config.yaml'));
    expect(config.gateway).toMatchObject({ provider: 'openai', baseUrl: 'http://gateway.local/v1', model: 'llama3.1:8b', apiKeyEnv: 'LITELLM_KEY' });
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

describe('init checks each answer as it is typed', () => {
  it('re-asks an invalid agent name, team and gateway URL with the rule, then finishes', async () => {
    const cwd = tempDir();
    const prompter = scripted([
      'basic',
      'Help_Desk',
      'helpdesk',
      'team qa',
      'team-qa',
      'openai-compatible',
      'localhost:4000',
      'https://gw.example.com/v1',
      'gpt-4o',
      'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs',
      'OPENAI_API_KEY',
      false,
    ]);
    expect(await initCommand(context(cwd, true), 'ws', {}, prompter)).toBe(0);
    expect(prompter.asked.filter((q) => q === 'First agent (or tool) name')).toHaveLength(2);
    expect(prompter.asked.filter((q) => q === 'Owner team')).toHaveLength(2);
    expect(prompter.asked.filter((q) => q === 'Gateway base URL')).toHaveLength(2);
    expect(prompter.rules).toEqual([
      expect.stringContaining('use lowercase letters, digits and "-"'),
      expect.stringContaining('use lowercase letters, digits and "-"'),
      expect.stringContaining('http:// or https:// URL'),
      expect.stringContaining('that looks like a key'),
    ]);
    expect(readConfigFile(join(cwd, 'ws/.agentctl/config.yaml'))).toMatchObject({
      team: 'team-qa',
      gateway: { baseUrl: 'https://gw.example.com/v1', model: 'gpt-4o', apiKeyEnv: 'OPENAI_API_KEY' },
    });
    // The key itself, typed by mistake, is never written anywhere.
    expect(readFileSync(join(cwd, 'ws/.agentctl/config.yaml'), 'utf8')).not.toContain('sk-proj');
  });

  it('refuses a flag that breaks a rule before asking anything, with the same rule', async () => {
    for (const [options, text] of [
      [{ name: 'Bad_Name' }, 'invalid name "Bad_Name": use lowercase letters'],
      [{ gateway: 'ftp://gw' }, 'invalid gateway URL "ftp://gw"'],
      [{ gateway: 'http://gw/v1', apiKeyEnv: 'MY-KEY' }, 'invalid key variable "MY-KEY"'],
    ] as const) {
      const cwd = tempDir();
      const prompter = scripted([]);
      await expect(initCommand(context(cwd, true), 'ws', options, prompter)).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining(text) });
      expect(prompter.asked).toEqual([]);
      expect(existsSync(join(cwd, 'ws'))).toBe(false);
    }
  });

  it('the flags path writes the gateway model and key variable; offline leaves every agent on its own model', async () => {
    const cwd = tempDir();
    const flags = { template: 'basic', name: 'bot', owner: 'team-a', gateway: 'http://g/v1', model: 'qwen2.5', apiKeyEnv: 'GW_KEY' };
    await initCommand(context(cwd, false), 'gw', flags, scripted([]));
    expect(readConfigFile(join(cwd, 'gw/.agentctl/config.yaml')).gateway).toMatchObject({ provider: 'openai', model: 'qwen2.5', apiKeyEnv: 'GW_KEY' });
    await initCommand(context(cwd, false), 'off', { yes: true, name: 'bot' }, scripted([]));
    const offline = readConfigFile(join(cwd, 'off/.agentctl/config.yaml')).gateway;
    expect(offline).toMatchObject({ provider: 'cassette', apiKeyEnv: 'AGENTCTL_GATEWAY_KEY' });
    expect(offline?.model).toBeUndefined();
  });

  it('ends with the next command, with the real folder and agent; never under --json', async () => {
    const cwd = tempDir();
    const ctx = context(cwd, false, { AGENTCTL_HINTS: '1' });
    await initCommand(ctx, 'my agents', { yes: true, name: 'helpdesk' }, scripted([]));
    const stderr = String((ctx.stderr as PassThrough).read());
    expect(stderr.trimEnd().split('\n').at(-1)).toMatch(/^Next: cd 'my agents' && agentctl playground helpdesk/);
    expect(stderr).toContain('created agents/helpdesk/cassettes/default.yaml');
    const json = context(cwd, false, { AGENTCTL_HINTS: '1' });
    await initCommand(json, 'other', { yes: true, name: 'helpdesk', json: true }, scripted([]));
    expect(String((json.stderr as PassThrough).read() ?? '')).not.toContain('Next:');
    expect(JSON.parse(String((json.stdout as PassThrough).read()))).toMatchObject({ name: 'helpdesk', template: 'basic' });
  });
});

describe('init offers a signing key', () => {
  it('only in an interactive init, only when the user has none, and makes none when declined', async () => {
    const cwd = tempDir();
    const declined = scripted(['basic', 'bot', 'team-a', 'offline', false]);
    await initCommand(context(cwd, true), 'a', {}, declined);
    expect(declined.asked.at(-1)).toMatch(/^Create your signing key\?/);
    expect(existsSync(join(cwd, '.config/agentctl/keys/default.pub'))).toBe(false);
    const accepted = scripted(['basic', 'bot', 'team-a', 'offline', true]);
    await initCommand(context(cwd, true), 'b', {}, accepted);
    expect(existsSync(join(cwd, '.config/agentctl/keys/default.pub'))).toBe(true);
    // Now there is one: not asked again.
    const again = scripted(['basic', 'bot', 'team-a', 'offline']);
    await initCommand(context(cwd, true), 'c', {}, again);
    expect(again.asked).not.toContainEqual(expect.stringMatching(/signing key/));
    // --yes never makes one.
    const other = tempDir();
    await initCommand(context(other, true), 'd', { yes: true }, scripted([]));
    expect(existsSync(join(other, '.config/agentctl/keys'))).toBe(false);
  });
});
