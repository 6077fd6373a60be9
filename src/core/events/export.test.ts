import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seedRuns } from '../../../test/support/seed-runs.js';
import { tempDir } from '../../../test/support/workspace.js';
import { Registry } from '../registry/registry.js';
import { exportChunks, exportJsonl, exportOtlp } from './export.js';

function seeded(count: number): Registry {
  const root = tempDir();
  seedRuns(root, count);
  return Registry.open({ registryPath: join(root, '.agentctl/registry.db'), blobsDir: join(root, '.agentctl/blobs') });
}

describe('exportChunks', () => {
  it('chunks end on a line or a span and add up to the whole document, however small they are', () => {
    const registry = seeded(12);
    try {
      for (const chunkBytes of [1, 3_000, 1 << 20]) {
        const jsonl = [...exportChunks(registry.runs, {}, 'jsonl', chunkBytes)];
        expect(jsonl.join('')).toBe([...exportJsonl(registry.runs, {})].map((l) => `${l}\n`).join(''));
        expect(jsonl.every((c) => c.endsWith('\n'))).toBe(true);
        const otlp = [...exportChunks(registry.runs, {}, 'otlp', chunkBytes)];
        expect(otlp.join('')).toBe(`${JSON.stringify(exportOtlp(registry.runs, {}))}\n`);
        if (chunkBytes === 1) expect(otlp).toHaveLength(13);
      }
    } finally {
      registry.close();
    }
  });

  it('an empty log is an empty JSONL and an OTLP document with no spans', () => {
    const registry = seeded(0);
    try {
      expect([...exportChunks(registry.runs, {}, 'jsonl')].join('')).toBe('');
      const otlp = JSON.parse([...exportChunks(registry.runs, {}, 'otlp')].join(''));
      expect(otlp.resourceSpans[0].scopeSpans[0].spans).toEqual([]);
    } finally {
      registry.close();
    }
  });

  it('reads runs oldest first, with a limit the latest ones, and filters by agent and time', () => {
    const registry = seeded(10);
    try {
      const runIds = (filter: Parameters<typeof exportJsonl>[1]) => [
        ...new Set([...exportJsonl(registry.runs, filter)].map((l) => (JSON.parse(l) as { runId: string }).runId.slice(-2))),
      ];
      expect(runIds({})).toEqual(['00', '01', '02', '03', '04', '05', '06', '07', '08', '09']);
      expect(runIds({ limit: 3 })).toEqual(['07', '08', '09']);
      // Runs 0, 3, 6, 9 are the planner's; runs 2n and 2n+1 start together, at second n.
      expect(runIds({ agent: 'planner', since: Date.UTC(2026, 10, 1, 0, 0, 2) })).toEqual(['06', '09']);
      expect(runIds({ agent: 'planner', limit: 1 })).toEqual(['09']);
    } finally {
      registry.close();
    }
  });
});
