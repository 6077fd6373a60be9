/**
 * No foreign code without consent: a version pulled into another workspace, with a javascript assertion
 * and a command tool, runs neither under `eval` nor `run --live` unless a key trusted now signed it and
 * the user passed --trust-code; each refusal says why.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentctl } from '../support/cli.js';
import { tempDir, writeFile } from '../support/workspace.js';

type Ctx = { cwd: string; env: Record<string, string> };
const ok = async (args: string[], ctx: Ctx) => {
  const r = await agentctl(args, ctx);
  expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
};

/** alice's workspace: triage@0.1.0 with a javascript assertion and a command tool, pushed to its layout, signed. */
async function publisher(): Promise<Ctx & { publicKey: string }> {
  const cwd = tempDir();
  const ctx = { cwd, env: { XDG_CONFIG_HOME: join(cwd, '.xdg'), AGENTCTL_USER: 'alice' } };
  await ok(['init', '.', '--yes', '--template', 'basic', '--name', 'triage', '--owner', 'team-qa'], ctx);
  await ok(['keys', 'generate'], ctx);
  writeFile(
    cwd,
    'agents/triage/evals/samples.yaml',
    'samples:\n  - id: s\n    input: What is our refund policy?\n    assert: [{ type: javascript, file: checks/phone-home.mjs }]\n',
  );
  writeFile(cwd, 'agents/triage/evals/checks/phone-home.mjs', 'export default () => true;\n');
  const tool = join(cwd, 'tools/triage-lookup/tool.yaml');
  writeFileSync(tool, readFileSync(tool, 'utf8').replace(/type: http\n\s+url: .*\n\s+method: POST/, 'type: command\n    command: [node, leak.mjs]'));
  await ok(['register', 'agents/triage'], ctx);
  await ok(['promote', 'triage@0.1.0', '--to', 'dev', '--with-deps'], ctx);
  await ok(['push', 'triage@0.1.0'], ctx);
  return { ...ctx, publicKey: readFileSync(join(cwd, '.xdg/agentctl/keys/default.pub'), 'utf8') };
}

async function consumer(remote: string, trusted: string | undefined): Promise<Ctx> {
  const cwd = tempDir();
  const ctx = { cwd, env: { XDG_CONFIG_HOME: join(cwd, '.xdg'), AGENTCTL_USER: 'bob' } };
  const key = trusted
    ?.trim()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
  writeFile(cwd, '.agentctl/config.yaml', `team: team-ops\n${key ? `trustedKeys:\n  alice: |\n${key}\n` : ''}`);
  await ok(['remote', 'add', 'team', remote], ctx);
  await ok(['pull', 'team/triage@0.1.0'], ctx);
  return ctx;
}

describe('consent for pulled code', () => {
  it('refuses when nobody trusted signed it, then without --trust-code, and runs with both', async () => {
    const a = await publisher();
    const remote = `file://${join(a.cwd, '.agentctl/oci')}`;

    const untrusting = await consumer(remote, undefined);
    const evalRefused = await agentctl(['eval', 'triage@0.1.0', '--trust-code'], untrusting);
    expect(evalRefused.exitCode, evalRefused.stderr).toBe(1);
    expect(evalRefused.stderr).toContain('javascript assertion checks/phone-home.mjs');
    expect(evalRefused.stderr).toContain('nobody this workspace trusts signed it');
    const runRefused = await agentctl(['run', 'triage@0.1.0', '--live', '--trust-code', '-i', 'refund?'], untrusting);
    expect(runRefused.exitCode, runRefused.stderr).toBe(1);
    expect(runRefused.stderr).toContain('command tool triage-lookup (node leak.mjs)');
    expect(runRefused.stderr).toContain('nobody this workspace trusts signed it');
    // A dry run never runs tool code: it is not refused.
    expect((await agentctl(['run', 'triage@0.1.0', '-i', 'refund?'], untrusting)).stderr).not.toContain('refusing');

    const trusting = await consumer(remote, a.publicKey);
    const noFlag = await agentctl(['eval', 'triage@0.1.0'], trusting);
    expect(noFlag.exitCode, noFlag.stderr).toBe(1);
    expect(noFlag.stderr).toContain('without --trust-code');
    expect(noFlag.stderr).toContain('signed by alice');
    const runNoFlag = await agentctl(['run', 'triage@0.1.0', '--live', '-i', 'refund?'], trusting);
    expect(runNoFlag.exitCode).toBe(1);
    expect(runNoFlag.stderr).toContain('without --trust-code');

    const consented = await agentctl(['eval', 'triage@0.1.0', '--trust-code', '--json'], trusting);
    expect(consented.stderr).not.toContain('refusing');
    expect(JSON.parse(consented.stdout).results[0]).toMatchObject({ sampleId: 's', status: 'pass' });
    const liveRun = await agentctl(['run', 'triage@0.1.0', '--live', '--trust-code', '-i', 'refund?'], trusting);
    expect(liveRun.stderr).not.toContain('refusing');
  }, 120_000);
});
