/**
 * The eval's answer cache is for providers that cost time or money: identical requests reach a gateway
 * once, while a local provider (echo, a cassette) answers every sample itself, so an eval of 100,000
 * samples holds no answers (each kept answer outlived the young generation and grew the heap).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaffoldWorkspace, writeFile } from '../../../test/support/workspace.js';
import type { ModelProvider } from '../providers/types.js';
import { Registry } from '../registry/registry.js';
import { resolveAgent } from '../runtime/resolve-agent.js';
import { openWorkspace } from '../workspace/open.js';
import { loadDataset } from './dataset.js';
import { runEval } from './runner.js';

function counting(local: boolean): ModelProvider & { calls: number } {
  const provider = {
    name: local ? 'local-double' : 'gateway-double',
    testDouble: false,
    local,
    calls: 0,
    async complete() {
      provider.calls++;
      return { content: 'the same answer', toolCalls: [], usage: { inputTokens: 1, outputTokens: 1 }, model: 'm' };
    },
  };
  return provider;
}

async function evalWith(provider: ModelProvider) {
  const root = scaffoldWorkspace('basic');
  const file = writeFile(
    root,
    'same.jsonl',
    `${[1, 2, 3].map((i) => JSON.stringify({ id: `s${i}`, input: 'the same question', assert: [{ type: 'contains', value: 'same' }] })).join('\n')}\n`,
  );
  const agent = resolveAgent(openWorkspace(root, {}, { XDG_CONFIG_HOME: join(root, 'none') }), undefined, 'triage', root);
  const registry = Registry.open({ registryPath: join(root, 'reg.db'), blobsDir: join(root, 'blobs') });
  try {
    const report = await runEval({
      registry,
      agent,
      dataset: loadDataset(file, 'same.jsonl'),
      datasetDir: root,
      provider,
      concurrency: 1,
      actor: { user: 'u', team: 'team-qa' },
    });
    return report.summary;
  } finally {
    registry.close();
  }
}

describe('the eval answer cache', () => {
  it('answers identical requests to a remote provider once', async () => {
    const gateway = counting(false);
    expect((await evalWith(gateway)).passed).toBe(3);
    expect(gateway.calls).toBe(1);
  });

  it('leaves a local provider uncached: it answers every sample', async () => {
    const local = counting(true);
    expect((await evalWith(local)).passed).toBe(3);
    expect(local.calls).toBe(3);
  });
});
