/** prices import / ls and the price source in stats, through the built binary, with a LiteLLM-shaped price file. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentctl } from '../support/cli.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';
import { tempDir } from '../support/workspace.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/litellm-model-prices.json');
let gateway: FakeOpenAI;
beforeAll(async () => {
  gateway = await startFakeOpenAI();
});
afterAll(() => gateway.close());

async function workspace(): Promise<string> {
  const cwd = tempDir();
  await agentctl(['init', '.', '--yes', '--template', 'basic', '--name', 'triage', '--owner', 'team-qa', '--gateway', gateway.url], { cwd });
  return cwd;
}

/** The fixture with gpt-4o-mini (the basic agent's model) at $1 / $2 per million tokens, unlike the embedded $0.15 / $0.60. */
function repriced(cwd: string): string {
  const file = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  file['gpt-4o-mini'].input_cost_per_token = 1e-6;
  file['gpt-4o-mini'].output_cost_per_token = 2e-6;
  const path = join(cwd, 'model_prices_and_context_window.json');
  writeFileSync(path, JSON.stringify(file, null, 2));
  return path;
}

describe('prices', () => {
  it('imports the chat models of a LiteLLM file; ls, stats and new runs use it; recorded costs stay', async () => {
    const cwd = await workspace();
    const before = JSON.parse((await agentctl(['stats', '--json'], { cwd })).stdout);
    expect(before.prices).toMatchObject({ source: { kind: 'embedded', date: expect.any(String) }, costs: 'as-recorded' });
    gateway.script({ kind: 'text', text: 'hello', usage: { prompt_tokens: 11, completion_tokens: 7 } });
    expect((await agentctl(['run', 'triage', '-i', 'first', '--provider', 'openai'], { cwd })).exitCode).toBe(0);

    const imported = await agentctl(['prices', 'import', repriced(cwd), '--json'], { cwd });
    expect(imported.exitCode, imported.stderr).toBe(0);
    const result = JSON.parse(imported.stdout);
    // gpt-4o-mini, gpt-4o, claude-3-5-haiku: chat models; the embedding, the image model and sample_spec are not.
    expect(result).toMatchObject({ models: 3, skipped: 2, source: { kind: 'imported', file: 'model_prices_and_context_window.json' } });
    expect(result.source.sha256).toMatch(/^[0-9a-f]{64}$/);

    const ls = JSON.parse((await agentctl(['prices', 'ls', '--json'], { cwd })).stdout);
    expect(ls.source).toEqual(result.source);
    expect(ls.prices['claude-3-5-haiku-20241022']).toEqual({ inputPerMTok: 0.8, outputPerMTok: 4 });
    expect(ls.prices['text-embedding-3-small']).toBeUndefined();
    const one = await agentctl(['prices', 'ls', 'openai/gpt-4o-2024-08-06'], { cwd, env: { AGENTCTL_HINTS: '0' } });
    expect(one.stdout).toMatch(/gpt-4o\S*\s+2\.5\s+10/);
    expect(one.stderr).toContain('imported model_prices_and_context_window.json');

    gateway.script({ kind: 'text', text: 'hello', usage: { prompt_tokens: 11, completion_tokens: 7 } });
    expect((await agentctl(['run', 'triage', '-i', 'second', '--provider', 'openai'], { cwd })).exitCode).toBe(0);
    const [second, first] = JSON.parse((await agentctl(['runs', '--json'], { cwd })).stdout);
    expect(second.costUsd).toBeCloseTo((11 * 1 + 7 * 2) / 1e6, 12);
    expect(first.costUsd).toBeCloseTo((11 * 0.15 + 7 * 0.6) / 1e6, 12);

    const stats = await agentctl(['stats', '--json'], { cwd });
    expect(JSON.parse(stats.stdout).prices).toEqual({ source: result.source, costs: 'as-recorded' });
    const human = await agentctl(['stats'], { cwd });
    expect(human.stderr).toContain(`prices: imported model_prices_and_context_window.json (sha256 ${result.source.sha256.slice(0, 12)}`);
    expect(human.stderr).toContain('not recomputed');
  });

  const bad: [string, (cwd: string) => string, RegExp][] = [
    ['not JSON', () => '{ "gpt-4o": { "mode": "chat", ', /not JSON/],
    [
      'a negative price',
      () => JSON.stringify({ 'gpt-4o': { mode: 'chat', input_cost_per_token: -1e-6, output_cost_per_token: 1e-5 } }),
      /gpt-4o\.input_cost_per_token is -0\.000001/,
    ],
    [
      'a string price',
      () => JSON.stringify({ 'gpt-4o': { mode: 'chat', input_cost_per_token: 2.5e-6, output_cost_per_token: '1e-5' } }),
      /output_cost_per_token is "1e-5"/,
    ],
    ['no chat prices', () => JSON.stringify({ sample_spec: { mode: 'chat', input_cost_per_token: 0, output_cost_per_token: 0 } }), /no chat model/],
    ['an array', () => '[1, 2]', /not a JSON object/],
  ];
  it.each(bad)('refuses %s with the fix, and leaves the table as it was', async (_, text, message) => {
    const cwd = await workspace();
    expect((await agentctl(['prices', 'import', repriced(cwd)], { cwd })).exitCode).toBe(0);
    const table = readFileSync(join(cwd, '.agentctl/prices.json'), 'utf8');
    writeFileSync(join(cwd, 'bad.json'), text(cwd));
    const result = await agentctl(['prices', 'import', 'bad.json'], { cwd });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('bad.json');
    expect(result.stderr).toContain("LiteLLM's model_prices_and_context_window.json");
    expect(readFileSync(join(cwd, '.agentctl/prices.json'), 'utf8')).toBe(table);
  });

  it('ls shows the price a run would use: the config prices: over the imported table', async () => {
    const cwd = await workspace();
    expect((await agentctl(['prices', 'import', repriced(cwd)], { cwd })).exitCode).toBe(0);
    const config = join(cwd, '.agentctl/config.yaml');
    writeFileSync(config, `${readFileSync(config, 'utf8')}prices:\n  gpt-4o: { inputPerMTok: 7, outputPerMTok: 21 }\n`);
    const one = await agentctl(['prices', 'ls', 'gpt-4o', '--json'], { cwd });
    expect(JSON.parse(one.stdout).prices).toEqual({ 'gpt-4o': { inputPerMTok: 7, outputPerMTok: 21 } });
    const all = JSON.parse((await agentctl(['prices', 'ls', '--json'], { cwd })).stdout);
    expect(all.prices['gpt-4o']).toEqual({ inputPerMTok: 7, outputPerMTok: 21 });
  });

  it('refuses a file over the size cap before reading it, and writes nothing', async () => {
    const cwd = await workspace();
    writeFileSync(join(cwd, 'huge.json'), Buffer.alloc(33 * 1024 * 1024, 0x20));
    const result = await agentctl(['prices', 'import', 'huge.json'], { cwd });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('the cap is 32.0 MiB');
    expect(existsSync(join(cwd, '.agentctl/prices.json'))).toBe(false);
  });
});
