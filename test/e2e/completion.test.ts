/** Shell completion (issue 13, part 6): the scripts parse in their shells, bash completes for real, __complete reads the workspace. */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentctl, BIN } from '../support/cli.js';
import { tempDir } from '../support/workspace.js';

const has = (shell: string) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;

/** What `__complete` offers for `words` (the last one is being completed). */
async function complete(cwd: string, ...words: string[]): Promise<string[]> {
  const result = await agentctl(['__complete', '--', ...words], { cwd });
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout.split('\n').filter(Boolean);
}

async function registeredWorkspace(): Promise<string> {
  const cwd = tempDir();
  const steps = [
    ['init', '.', '--yes', '--template', 'basic', '--name', 'triage', '--owner', 'team-qa'],
    ['run', 'triage', '-i', 'Hello!'],
    ['register', 'agents/triage', 'tools/triage-lookup'],
    ['eval', 'triage'],
    ['promote', 'triage@0.1.0', '--to', 'dev', '--with-deps'],
  ];
  for (const args of steps) {
    const step = await agentctl(args, { cwd });
    expect(step.exitCode, `${args.join(' ')}: ${step.stderr}`).toBe(0);
  }
  return cwd;
}

describe('agentctl completion', () => {
  it('prints scripts that parse in their shells (zsh and fish only where installed), and refuses other shells', async () => {
    const dir = tempDir();
    for (const shell of ['bash', 'zsh', 'fish']) {
      const script = await agentctl(['completion', shell], { cwd: dir });
      expect(script.exitCode, script.stderr).toBe(0);
      const file = join(dir, `agentctl.${shell}`);
      writeFileSync(file, script.stdout);
      if (shell === 'bash') execFileSync('bash', ['-n', file]);
      if (shell === 'zsh' && has('zsh')) execFileSync('zsh', ['-n', file]);
      if (shell === 'fish' && has('fish')) execFileSync('fish', ['--no-execute', file]);
    }
    expect((await agentctl(['completion', 'tcsh'], { cwd: dir })).exitCode).toBe(2);
  });

  it('bash completes for real: source the script, set COMP_WORDS/COMP_CWORD, call the function, read COMPREPLY', async () => {
    const cwd = await registeredWorkspace();
    const script = join(cwd, 'agentctl.bash');
    writeFileSync(script, (await agentctl(['completion', 'bash'], { cwd })).stdout);
    const bash = (words: string[]) =>
      execFileSync(
        'bash',
        [
          '-c',
          // `agentctl` is the built binary here; the script calls it by name, as it would on PATH.
          `agentctl() { node ${JSON.stringify(BIN)} "$@"; }
           source ${JSON.stringify(script)}
           COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=${words.length - 1}
           _agentctl_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        { cwd, env: { ...process.env, XDG_CONFIG_HOME: join(cwd, '.no-user-config') }, encoding: 'utf8' },
      )
        .split('\n')
        .filter(Boolean);
    expect(bash(['agentctl', 'pro'])).toEqual(['promote']);
    expect(bash(['agentctl', 'run', '--provider', ''])).toEqual(['cassette', 'echo', 'openai']);
    expect(bash(['agentctl', 'promote', 'triage@'])).toEqual(['triage@0.1.0', 'triage@dev']);
  });

  it('__complete offers commands, options, agent and stage refs, remotes and runs from the workspace', async () => {
    const cwd = await registeredWorkspace();
    const commands = await complete(cwd, '');
    expect(commands).toEqual(expect.arrayContaining(['init', 'run', 'eval', 'feedback', 'samples', 'completion', 'remote']));
    expect(commands).not.toContain('__complete');
    expect(await complete(cwd, 'samples', '')).toEqual(['add']);
    expect(await complete(cwd, 'eval', '--re')).toEqual(['--repeat', '--record']);
    expect(await complete(cwd, 'show', '')).toEqual(['triage', 'triage@0.1.0', 'triage@dev']);
    expect(await complete(cwd, 'run', '')).toEqual(['triage']);
    expect(await complete(cwd, 'push', 'triage@dev', '--remote', '')).toEqual(['local']);
    const runs = await complete(cwd, 'trace', '');
    expect(runs[0]).toBe('last');
    expect(runs.length).toBeGreaterThan(1);
    expect(runs.slice(1).every((id) => /^[0-9A-Z]{26}$/.test(id))).toBe(true);
    expect(await complete(cwd, 'feedback', runs[1]?.slice(0, 20) ?? '')).toContain(runs[1]);
    // -C points completion at another workspace.
    expect(await complete(tempDir(), '-C', cwd, 'show', 'tri')).toEqual(['triage', 'triage@0.1.0', 'triage@dev']);
  });

  it('__complete outside a workspace prints no values and exits 0, and is fast', async () => {
    const dir = tempDir();
    const started = Date.now();
    expect(await complete(dir, 'show', '')).toEqual([]);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await complete(dir, 'completion', '')).toEqual(['bash', 'zsh', 'fish']);
  });
});
