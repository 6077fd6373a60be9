import { describe, expect, it } from 'vitest';
import type { RuntimeEvent } from '../../core/runtime/events.js';
import { createEventPrinter, errorLines } from './run-events.js';

describe('run event printer', () => {
  it('prints a cassette miss once: the span line names it, the summary lists the problem and each way on', () => {
    const lines: string[] = [];
    const print = createEventPrinter((line) => lines.push(line));
    const error =
      'no recorded response for bot; the cassette of bot knows (closest first): "Hello!" — ask one of those; or use echo: agentctl run bot -i "x" --provider echo';
    print({ type: 'model.error', runId: 'r', at: 0, spanId: 's', model: 'm', error, errorClass: 'cassette-miss' } as RuntimeEvent);
    expect(lines.join('\n')).not.toContain('--provider echo');
    expect(errorLines(error).split('\n').slice(1)).toEqual([
      '  no recorded response for bot; the cassette of bot knows (closest first): "Hello!"',
      '  → ask one of those',
      '  → or use echo: agentctl run bot -i "x" --provider echo',
    ]);
    expect(errorLines('plain failure')).toBe('\n  plain failure');
  });
});
