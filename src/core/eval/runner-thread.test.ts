/**
 * An eval of many samples commits its rows on a second thread from its first sample (write-thread.ts):
 * started at the first full batch only, the thread came too late to help an eval of a thousand samples.
 * It ends with the eval: left to the registry's close, the process waited for it as it exited.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaffoldWorkspace, writeFile } from '../../../test/support/workspace.js';
import { createRedactor } from '../events/redact.js';
import { echoProvider } from '../providers/echo.js';
import { Registry } from '../registry/registry.js';
import { resolveAgent } from '../runtime/resolve-agent.js';
import { openWorkspace } from '../workspace/open.js';
import { loadDataset } from './dataset.js';
import { runEval } from './runner.js';

async function evalOf(samples: number) {
  const root = scaffoldWorkspace('basic');
  const lines = Array.from({ length: samples }, (_, i) =>
    JSON.stringify({ id: `s${i}`, input: `question ${i}`, assert: [{ type: 'contains', value: `question ${i}` }] }),
  );
  const file = writeFile(root, 'many.jsonl', `${lines.join('\n')}\n`);
  const agent = resolveAgent(openWorkspace(root, {}, { XDG_CONFIG_HOME: join(root, 'none') }), undefined, 'triage', root);
  const registry = Registry.open({ registryPath: join(root, 'reg.db'), blobsDir: join(root, 'blobs') });
  // Batches larger than the whole eval: only the runner can have started the thread.
  const log = registry.runs.openLog({ redact: createRedactor(), commitRunEnds: false, batchSize: 1_000_000 });
  const once = async () => {
    let onThread = false;
    const report = await runEval({
      registry,
      agent,
      dataset: loadDataset(file, 'many.jsonl'),
      datasetDir: root,
      provider: echoProvider,
      concurrency: 4,
      actor: { user: 'u', team: 'team-qa' },
      log,
      onProgress: (event) => {
        if (event.type === 'result') onThread ||= log.onThread;
      },
    });
    // Read through another connection: committed, not only visible to the writer.
    const reader = Registry.open({ registryPath: join(root, 'reg.db'), blobsDir: join(root, 'blobs') });
    try {
      const stored = [...reader.evals.eachResult(report.evalId)].length;
      return { passed: report.summary.passed, onThread, stoppedAtTheEnd: !log.onThread, stored };
    } finally {
      reader.close();
    }
  };
  try {
    return [await once(), await once()];
  } finally {
    registry.close();
  }
}

describe('an eval and the write thread', () => {
  it('starts the thread with an eval of 200 samples or more, ends it with the eval (every result committed), and starts it again for the next', async () => {
    const each = { passed: 200, onThread: true, stoppedAtTheEnd: true, stored: 200 };
    expect(await evalOf(200)).toEqual([each, each]);
  });

  it('starts none for a small eval', async () => {
    const each = { passed: 20, onThread: false, stoppedAtTheEnd: true, stored: 20 };
    expect(await evalOf(20)).toEqual([each, each]);
  });
});
