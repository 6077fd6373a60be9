/** `samples add` on a terminal: the suggestions are shown and the user picks (a fake prompter, a real workspace and run). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { agentctl } from '../../../test/support/cli.js';
import { tempDir } from '../../../test/support/workspace.js';
import type { CliContext } from '../context.js';
import type { Prompter } from '../prompts.js';
import { samplesAddCommand } from './samples.js';

function context(cwd: string): CliContext {
  return { cwd, flags: {}, env: { XDG_CONFIG_HOME: join(cwd, '.no-user-config') }, interactive: true, stdout: new PassThrough(), stderr: new PassThrough() };
}

describe('samples add on a terminal', () => {
  it('offers each kind of assertion with what it checks, and writes the ones picked, with the rubric typed', async () => {
    const cwd = tempDir();
    expect((await agentctl(['init', '.', '--yes', '--template', 'basic', '--name', 'triage', '--owner', 'team-qa'], { cwd })).exitCode).toBe(0);
    const run = await agentctl(['run', 'triage', '-i', 'What is our refund policy?', '--json'], { cwd });
    const { runId } = JSON.parse(run.stdout) as { runId: string };
    const offered: { name: string; hint?: string }[][] = [];
    const prompter: Prompter = {
      askText: async () => 'Names the 30-day window',
      askSelect: async () => '',
      askConfirm: async () => false,
      askMultiSelect: async (_message, choices, initial) => {
        offered.push(choices);
        expect(initial).toEqual(['tool-called', 'contains']);
        return ['tool-called', 'judge'];
      },
    };
    expect(await samplesAddCommand(context(cwd), 'triage', { fromRun: runId }, prompter)).toBe(0);
    expect(offered[0]?.map((c) => c.name)).toEqual(['tool-called', 'contains', 'equals', 'judge']);
    expect(offered[0]?.[0]?.hint).toBe('triage-lookup {"query":"refund policy"}');
    const samples = readFileSync(join(cwd, 'agents/triage/evals/samples.yaml'), 'utf8');
    expect(samples).toContain('      - type: judge\n        rubric: Names the 30-day window\n');
    expect(samples).not.toMatch(/id: what-is-our-refund-policy[\s\S]*type: contains/);
  });
});
