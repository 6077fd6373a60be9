/**
 * Streaming commands set a V8 flag (src/cli/streaming-heap.ts), and every built-in module Node loads after a flag
 * is set is compiled from source instead of from Node's embedded code cache. An eval loads the built-ins it uses
 * first: here an eval against a gateway lists what it still loaded after the flag.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentctl, BIN, cliEnv } from '../support/cli.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';
import { tempDir } from '../support/workspace.js';

let gateway: FakeOpenAI;
beforeAll(async () => {
  gateway = await startFakeOpenAI();
});
afterAll(() => gateway.close());

describe('the streaming heap flag', () => {
  it('is set after every public built-in an eval against a gateway loads', async () => {
    const cwd = tempDir();
    const init = await agentctl(['init', '.', '--yes', '--template', 'basic', '--name', 'triage', '--owner', 'team-qa', '--gateway', gateway.url], { cwd });
    expect(init.exitCode, init.stderr).toBe(0);
    gateway.script({ kind: 'text', text: 'billing' });
    const report = join(cwd, 'builtins.json');
    const result = await execa(
      'node',
      ['--require', join(import.meta.dirname, '../support/builtins-after-flag.cjs'), BIN, 'eval', 'triage', '--provider', 'openai', '--json'],
      {
        cwd,
        reject: false,
        env: { ...cliEnv(cwd), BUILTINS_REPORT: report },
      },
    );
    // The eval ran against the gateway (whatever its gate said): its HTTP client was used.
    expect(result.exitCode === 0 || result.exitCode === 1, result.stderr).toBe(true);
    expect(gateway.requests.length).toBeGreaterThan(0);
    const { after } = JSON.parse(readFileSync(report, 'utf8')) as { after: string[] | null };
    expect(after).toEqual([]);
  });
});
