import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/workspace.js';
import { BlobStore } from '../registry/blobs.js';
import { decodeEvent, decodeEventFields, type EventRow } from './decode.js';

describe('decodeEvent', () => {
  const blobs = new BlobStore(tempDir());
  const row = (type: string, payload: string, seq = 3): EventRow => ({ seq, type, at: 1_700_000_000_123, spanId: 's1', payload });
  // What decodeEvent returned when it spread the payload: the reference its in-place completion must equal.
  const spread = (runId: string, r: EventRow) => {
    const { defaults, payload } = decodeEventFields(runId, r, blobs);
    return { ...defaults, ...payload, type: r.type, runId, at: r.at, seq: r.seq };
  };

  it('gives the same keys, in the same order, with the same values as the spread it replaces', () => {
    const big = JSON.stringify({ spanId: 's1', content: 'x'.repeat(10), usage: { inputTokens: 1, outputTokens: 2 } });
    const rows = [
      // No defaults for its type: the payload completed in place.
      row('model.response', big),
      row('span.started', '{"spanId":"s1","kind":"model","name":"m"}'),
      // Defaults first (run.started, run.finished), overridden in place by what the payload has.
      row('run.started', '{"agent":"a","policies":[{"name":"p"}],"input":"hi"}'),
      row('run.finished', '{"status":"completed","output":"o","fallback":{"to":"rule"}}'),
      row('run.finished', '{"status":"completed","output":"o"}'),
      // A payload that holds the fields the row sets: their place is the payload's, their value the row's.
      row('tool.call', '{"seq":99,"type":"forged","name":"t","runId":"other","at":1}'),
      // A "__proto__" key stays an own key, as the spread kept it, with defaults or without.
      row('tool.result', '{"__proto__":{"polluted":true},"name":"t"}'),
      row('run.finished', '{"__proto__":{"polluted":true},"status":"completed","modelErrors":[]}'),
      // A claim-checked payload, read from its blob.
      row('model.request', JSON.stringify({ $blob: blobs.put(Buffer.from(big)), bytes: big.length })),
    ];
    for (const r of rows) {
      const decoded = decodeEvent('01RUN', r, blobs);
      expect(JSON.stringify(decoded)).toBe(JSON.stringify(spread('01RUN', r)));
      expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    }
    expect(Object.keys(decodeEvent('01RUN', rows[5] as EventRow, blobs))).toEqual(['seq', 'type', 'name', 'runId', 'at']);
    expect(Object.keys(decodeEvent('01RUN', rows[3] as EventRow, blobs))).toEqual([
      'fallback',
      'modelErrors',
      'status',
      'output',
      'type',
      'runId',
      'at',
      'seq',
    ]);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('decodes a payload that is not an object (a damaged row) as the spread did, without throwing', () => {
    for (const payload of ['"str"', '5', '[1,2]', 'true'])
      for (const type of ['tool.call', 'run.started']) {
        const r = row(type, payload);
        expect(JSON.stringify(decodeEvent('01RUN', r, blobs))).toBe(JSON.stringify(spread('01RUN', r)));
      }
  });

  it('returns a new event object at each read of the same row', () => {
    const r = row('run.started', '{"agent":"a"}');
    const a = decodeEvent('01RUN', r, blobs) as unknown as { history: unknown[] };
    const b = decodeEvent('01RUN', r, blobs) as unknown as { history: unknown[] };
    expect(a).not.toBe(b);
    expect(a).toEqual(b);
  });
});
