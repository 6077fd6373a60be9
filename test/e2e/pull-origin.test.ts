/** A pulled version's dependencies keep their original registration time and author (the README promises it). */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentctl } from '../support/cli.js';
import { tempDir, writeFile } from '../support/workspace.js';

const json = (r: { stdout: string }) => JSON.parse(r.stdout);

describe('pull', () => {
  it('registers dependencies with their original createdAt and createdBy', async () => {
    const a = { cwd: tempDir(), env: { AGENTCTL_USER: 'alice' } as Record<string, string> };
    a.env.XDG_CONFIG_HOME = join(a.cwd, '.xdg');
    await agentctl(['init', '.', '--yes', '--template', 'main-sub', '--name', 'triage', '--owner', 'team-qa'], a);
    for (const args of [
      ['register', 'agents/triage'],
      ['promote', 'triage@0.1.0', '--to', 'dev', '--with-deps'],
      ['promote', 'triage@0.1.0', '--to', 'canary', '--with-deps'],
      ['keys', 'generate'],
      ['push', 'triage@0.1.0', '--remote', 'local'],
    ]) {
      const r = await agentctl(args, a);
      expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    const original = json(await agentctl(['show', 'triage@0.1.0', '--json'], a));
    expect(original.dependencies.length).toBeGreaterThan(0);

    // Later, elsewhere, as someone else.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const b = { cwd: tempDir(), env: { AGENTCTL_USER: 'bob' } as Record<string, string> };
    b.env.XDG_CONFIG_HOME = join(b.cwd, '.xdg');
    writeFile(b.cwd, '.agentctl/config.yaml', 'team: team-ops\n');
    await agentctl(['remote', 'add', 'team', `file://${join(a.cwd, '.agentctl/oci')}`], b);
    const pulled = await agentctl(['pull', 'team/triage@0.1.0'], b);
    expect(pulled.exitCode, pulled.stderr).toBe(0);

    const mine = json(await agentctl(['show', 'triage@0.1.0', '--json'], b));
    expect(mine).toMatchObject({ createdAt: original.createdAt, createdBy: original.createdBy });
    for (const dep of original.dependencies as { name: string; version: string }[]) {
      const there = json(await agentctl(['show', `${dep.name}@${dep.version}`, '--json'], a));
      const here = json(await agentctl(['show', `${dep.name}@${dep.version}`, '--json'], b));
      expect(here.createdAt, dep.name).toBe(there.createdAt);
      expect(here.createdBy, dep.name).toBe(there.createdBy);
      expect(here.digest).toBe(there.digest);
    }
  });
});
