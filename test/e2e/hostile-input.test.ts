/** Inputs that used to hang or flood, through the real binary: each run must end by itself, in seconds. */
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN } from '../support/cli.js';
import { tempDir } from '../support/workspace.js';

/** The binary with a hard timeout: a hang shows up as timedOut, never as a stuck suite. */
async function bounded(args: string[], cwd: string) {
  const started = performance.now();
  const result = await execa('node', [BIN, ...args], {
    cwd,
    reject: false,
    timeout: 20_000,
    input: '',
    env: { XDG_CONFIG_HOME: join(cwd, '.no-user-config'), NO_COLOR: '1', CI: 'true', AGENTCTL_TEAM: '' },
  });
  return { ...result, stdout: String(result.stdout), stderr: String(result.stderr), ms: performance.now() - started };
}

async function workspace() {
  const cwd = tempDir();
  execFileSync('node', [BIN, 'init', '.', '--yes', '--template', 'basic', '--name', 'triage', '--owner', 'team-qa'], {
    cwd,
    env: { ...process.env, XDG_CONFIG_HOME: join(cwd, '.no-user-config'), CI: 'true' },
  });
  return cwd;
}

describe('hostile inputs end by themselves', () => {
  it('validate on a spec path that is a FIFO: exit 1, says FIFO, no hang', async () => {
    const cwd = await workspace();
    const spec = join(cwd, 'agents/triage/agent.yaml');
    rmSync(spec);
    execFileSync('mkfifo', [spec]);
    const result = await bounded(['validate', 'agents/triage/agent.yaml'], cwd);
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/agents\/triage\/agent\.yaml:1:1 {2}error {2}.*FIFO/);
  });

  it('register with a 300 MB prompt: exit 1, the size, the cap and how to raise it, nothing registered', async () => {
    const cwd = await workspace();
    truncateSync(join(cwd, 'agents/triage/prompts/v1/system.md'), 300 * 1024 * 1024);
    const result = await bounded(['register', 'agents/triage'], cwd);
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBe(1);
    expect(result.stdout + result.stderr).toContain('300.0 MiB; the cap is 16.0 MiB');
    expect(result.stdout + result.stderr).toContain('limits.referencedFileBytes');
    expect(result.ms).toBeLessThan(15_000);
  });

  it('a config file that is a FIFO: exit 3, no hang', async () => {
    const cwd = await workspace();
    rmSync(join(cwd, '.agentctl/config.yaml'));
    execFileSync('mkfifo', [join(cwd, '.agentctl/config.yaml')]);
    const result = await bounded(['validate'], cwd);
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('FIFO');
  });

  it('run with a catastrophic route.when against a hostile input ends in seconds', async () => {
    const cwd = await workspace();
    cpSync(join(cwd, 'agents/triage'), join(cwd, 'agents/helper'), { recursive: true });
    const helper = join(cwd, 'agents/helper/agent.yaml');
    writeFileSync(helper, readFileSync(helper, 'utf8').replace('name: triage', 'name: helper'));
    const triage = join(cwd, 'agents/triage/agent.yaml');
    writeFileSync(
      triage,
      readFileSync(triage, 'utf8').replace('  tools:\n', '  subAgents:\n    - ref: helper@*\n      route: { when: "^(a+)+$" }\n  tools:\n'),
    );
    const result = await bounded(['run', 'triage', '-i', `${'a'.repeat(5_000)}!`], cwd);
    expect(result.timedOut).toBe(false);
    // The route was tried, did not match, and the run went on to its own model call (no cassette entry).
    expect(result.stdout + result.stderr).toContain('no recorded response for triage');
    expect(result.ms).toBeLessThan(15_000);
  });
});
