/** Every command on the path to a shipped agent ends with its next step, with real values; refusals name what unblocks them. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentctl } from '../support/cli.js';
import { tempDir } from '../support/workspace.js';

async function workspace() {
  const cwd = tempDir();
  const env = { XDG_CONFIG_HOME: join(cwd, '.xdg'), AGENTCTL_HINTS: '1' };
  const run = (args: string[], e: Record<string, string> = {}) => agentctl(args, { cwd, env: { ...env, ...e } });
  const ok = async (args: string[], e: Record<string, string> = {}) => {
    const r = await run(args, e);
    expect(r.exitCode, `${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
    return r;
  };
  await ok(['init', '.', '--yes', '--name', 'triage', '--owner', 'team-qa']);
  await ok(['keys', 'generate']);
  return { cwd, run, ok };
}

/** The one `Next:` line of a command's stderr (undefined when there is none). */
function next(stderr: string): string | undefined {
  const lines = stderr.split('\n').filter((l) => l.startsWith('Next: '));
  expect(lines.length).toBeLessThanOrEqual(1);
  return lines[0]?.slice('Next: '.length);
}

describe('next steps', () => {
  it('validate → register → run → eval → promote → approve → promote → push, each with the natural next command', async () => {
    const { run, ok } = await workspace();
    expect(next((await ok(['validate'])).stderr)).toBe('agentctl register agents/triage  # or the whole path at once: agentctl release triage --to dev');
    expect(next((await ok(['register', 'agents/triage'])).stderr)).toBe(
      'agentctl eval triage@0.1.0  # its sample set, offline; or: agentctl release triage --to prod',
    );

    const answered = await ok(['run', 'triage', '-i', 'What is our refund policy?']);
    const runId = JSON.parse((await ok(['runs', '--limit', '1', '--json'])).stdout)[0].runId;
    expect(next(answered.stderr)).toBe(`agentctl trace ${runId}  # each step of this run; then agentctl eval triage`);
    const missed = await run(['run', 'triage', '-i', 'something the cassette never heard']);
    expect(missed.exitCode).toBe(1);
    const failedId = JSON.parse((await ok(['runs', '--limit', '1', '--json'])).stdout)[0].runId;
    expect(next(missed.stderr)).toBe(`agentctl trace ${failedId}  # where the run failed`);

    expect(next((await ok(['eval', 'triage'])).stderr)).toBe(
      'agentctl promote triage@0.1.0 --to dev --with-deps  # or all the way: agentctl release triage --to prod',
    );
    expect(next((await ok(['promote', 'triage@0.1.0', '--to', 'dev', '--with-deps'])).stderr)).toBe(
      'agentctl promote triage@0.1.0 --to canary --with-deps  # its gates for canary hold',
    );
    // At canary the prod gates need a second reviewer: the hint is the approval, not a promote that would be refused.
    expect(next((await ok(['promote', 'triage@0.1.0', '--to', 'canary', '--with-deps'])).stderr)).toBe(
      'agentctl approve triage@0.1.0 --with-deps --user <their name>  # prod needs it (approvals)',
    );
    expect(next((await ok(['approve', 'triage@0.1.0', '--with-deps', '--user', 'reviewer'])).stderr)).toBe(
      'agentctl release triage --to prod  # or one stage: agentctl promote triage@0.1.0 --to prod --with-deps',
    );
    expect(next((await ok(['promote', 'triage@0.1.0', '--to', 'prod', '--with-deps'])).stderr)).toBe('agentctl push triage@0.1.0  # publish it, signed');
    expect(next((await ok(['push', 'triage@0.1.0', '--dry-run'])).stderr)).toBe('agentctl push triage@0.1.0  # do it');
    expect(next((await ok(['push', 'triage@0.1.0'])).stderr)).toBe(
      'agentctl remote ls local triage  # a consumer runs: agentctl pull local/triage@0.1.0 --verify',
    );
  });

  it('a failed eval points at the first failing run; nothing is hinted under --json or when piped without AGENTCTL_HINTS', async () => {
    const { cwd, run, ok } = await workspace();
    const samples = join(cwd, 'agents/triage/evals/samples.yaml');
    writeFileSync(samples, readFileSync(samples, 'utf8').replace('value: refund', 'value: "no such words"'));
    const failed = await run(['eval', 'triage']);
    expect(failed.exitCode).toBe(1);
    expect(next(failed.stderr)).toMatch(/^agentctl trace [0-9A-Z]{26} {2}# the first failing sample, step by step$/);

    for (const args of [
      ['validate'],
      ['register', 'agents/triage'],
      ['run', 'triage', '-i', 'What is our refund policy?'],
      ['promote', 'triage@0.1.0', '--to', 'dev', '--with-deps'],
      ['approve', 'triage@0.1.0', '--user', 'reviewer'],
      ['push', 'triage@0.1.0'],
    ]) {
      const json = await ok([...args, '--json']);
      expect(json.stderr, args.join(' ')).not.toContain('Next:');
    }
    for (const args of [
      ['eval', 'triage'],
      ['release', 'triage', '--to', 'dev'],
    ]) {
      const failing = await run([...args, '--json']);
      expect(failing.exitCode, args.join(' ')).toBe(1);
      expect(failing.stderr, args.join(' ')).not.toContain('Next:');
    }
    // Piped (as here) and without AGENTCTL_HINTS: guidance stays out of scripts' way.
    const quiet = await ok(['validate'], { AGENTCTL_HINTS: '' });
    expect(quiet.stderr).not.toContain('Next:');
  });

  it('refusals name the command that unblocks them: self-approval, and push without a remote', async () => {
    const { cwd, run, ok } = await workspace();
    await ok(['register', 'agents/triage']);
    const self = await run(['approve', 'triage@0.1.0']);
    expect(self.exitCode).toBe(1);
    expect(self.stderr).toContain('another person (not');
    expect(self.stderr).toContain('agentctl approve triage@0.1.0 --user <their name>');

    const config = join(cwd, '.agentctl/config.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace(/^defaultRemote: .*$/m, ''));
    await ok(['remote', 'add', 'team', 'file://./elsewhere']);
    const push = await run(['push', 'triage@0.1.0']);
    expect(push.exitCode).toBe(2);
    expect(push.stderr).toContain('configured remotes: local (file://./.agentctl/oci), team (file://./elsewhere)');
    expect(push.stderr).toContain('agentctl push triage@0.1.0 --remote local');

    writeFileSync(config, readFileSync(config, 'utf8').replace(/^remotes:\n( .*\n)*/m, ''));
    const none = await run(['push', 'triage@0.1.0']);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('agentctl remote add local file://./.agentctl/oci');
  });

  it('with a trust file the self-approval refusal gives the trusted reviewer key by name, and how to add one', async () => {
    const { cwd, run, ok } = await workspace();
    const made = await ok(['keys', 'generate', '--name', 'reviewer']);
    expect(next(made.stderr)).toMatch(new RegExp(`^agentctl trust add [a-z-]+ ${join(cwd, '.xdg/agentctl/keys/reviewer.pub')} --owner reviewer {2}#`));
    await ok(['trust', 'add', 'team-qa', join(cwd, '.xdg/agentctl/keys/default.pub'), '--owner', 'alice']);
    await ok(['register', 'agents/triage']);
    const lonely = await run(['approve', 'triage@0.1.0']);
    // Never a chain the author could run here to make a key and approve with it: the reviewer's key is made on
    // their machine and trusted in a reviewed change.
    expect(lonely.stderr).toContain('they run agentctl keys generate on their own machine and send you the .pub');
    expect(lonely.stderr).toContain('agentctl trust add team-qa <their key>.pub --owner <their name>');
    expect(lonely.stderr).not.toMatch(/keys generate --name \S+ &&/);
    await ok(['trust', 'add', 'team-qa', join(cwd, '.xdg/agentctl/keys/reviewer.pub'), '--owner', 'bob']);
    const self = await run(['approve', 'triage@0.1.0']);
    expect(self.stderr).toContain('bob, with their key: AGENTCTL_SIGNING_KEY=reviewer agentctl approve triage@0.1.0');
    // The printed command works.
    await ok(['approve', 'triage@0.1.0'], { AGENTCTL_SIGNING_KEY: 'reviewer' });
  });
});
