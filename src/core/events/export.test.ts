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

  it('a JSONL line is the run and the decoded event: defaults of old payloads, blobs, stray and __proto__ keys', () => {
    const registry = seeded(1);
    try {
      const [first] = [...registry.runs.eachWithEvents({})];
      const runId = first?.run.runId ?? '';
      const last = first?.events.at(-1)?.seq ?? 0;
      const blob = registry.blobs.put(Buffer.from(JSON.stringify({ content: 'big', toolCalls: [] })));
      // Rows as an older agentctl (or a claim check) left them: written by hand, past the append-only triggers.
      for (const { name } of registry.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'`).all() as { name: string }[])
        registry.db.exec(`DROP TRIGGER ${name}`);
      const add = registry.db.prepare('INSERT INTO events (run_id, seq, type, at, span_id, payload) VALUES (?, ?, ?, ?, NULL, ?)');
      // An old run.started (no history/policies; one of them given), a payload carrying position keys and a
      // "__proto__" key, a claim-checked payload, an old run.finished.
      add.run(runId, last + 1, 'run.started', 1, JSON.stringify({ policies: ['p'], input: 'x' }));
      add.run(runId, last + 2, 'tool.call', 2, '{"tool":"t","seq":7,"type":"x","runId":"r","at":3,"__proto__":{"a":1},"input":{}}');
      add.run(runId, last + 3, 'model.response', 3, JSON.stringify({ $blob: blob, bytes: 10 }));
      add.run(runId, last + 4, 'run.finished', 4, JSON.stringify({ status: 'succeeded', output: 'y' }));
      const expected: string[] = [];
      for (const { run, events } of registry.runs.eachWithEvents({})) {
        for (const e of events) {
          const { seq, runId: _r, type, at, ...rest } = e;
          const head = { eventId: `${run.runId}.${seq}`, runId: run.runId, sessionId: run.sessionId, agent: run.agent, version: run.version, seq, type };
          expected.push(JSON.stringify({ ...head, time: new Date(at).toISOString(), ...rest }));
        }
      }
      const lines = [...exportJsonl(registry.runs, {})];
      expect(lines).toEqual(expected);
      expect(JSON.parse(lines.at(-4) ?? '')).toMatchObject({ seq: last + 1, history: [], policies: ['p'], input: 'x' });
      expect(Object.keys(JSON.parse(lines.at(-3) ?? ''))).toContain('__proto__');
      expect(JSON.parse(lines.at(-3) ?? '')).toMatchObject({ seq: last + 2, type: 'tool.call', tool: 't' });
      expect(JSON.parse(lines.at(-2) ?? '')).toMatchObject({ content: 'big' });
      expect(JSON.parse(lines.at(-1) ?? '')).toMatchObject({ fallback: null, modelErrors: [], output: 'y' });
    } finally {
      registry.close();
    }
  });
});
