import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { agent, controller, resize, tick } from '../../../test/support/fake-playground-controller.js';
import { App } from './App.js';

describe("<App> at the terminal's size", () => {
  it('labels TEST DOUBLE only when the echo double answered, not because the provider could fall back to it', async () => {
    // The cassette+echo provider says it may answer with the double; here the cassette (a recorded model) answers.
    const ui = render(
      <App controller={controller({ provider: { name: 'cassette+echo', model: null, testDouble: true } }, { answeredBy: 'gpt-4o-mini' })} agent={agent} />,
    );
    expect(ui.lastFrame()).not.toContain('TEST DOUBLE');
    ui.stdin.write('refund?\r');
    await tick(150);
    expect(ui.lastFrame()).toContain('answer to refund?');
    expect(ui.lastFrame()).not.toContain('TEST DOUBLE');
    ui.unmount();
  });

  it('shows a turn whose tool failed as "succeeded with errors", with the tool span failed', async () => {
    const ui = render(<App controller={controller({}, { toolFails: true })} agent={agent} />);
    ui.stdin.write('refund?\r');
    await tick(150);
    const frame = ui.lastFrame() ?? '';
    expect(frame).toContain('succeeded with errors (1 failed span)');
    expect(frame).toMatch(/✗ tool triage-lookup/);
    expect(frame).toContain('✗ tracker unreachable');
    ui.unmount();
  });

  for (const columns of [80, 60, 40]) {
    it(`fits the status line and key help in ${columns} columns without wrapping`, async () => {
      const ui = render(
        <App controller={controller({ provider: { name: 'cassette+echo', model: 'a-rather-long-model-name-2026-01-01', testDouble: true } })} agent={agent} />,
      );
      resize(ui.stdout, columns, 24);
      ui.stdin.write('refund?\r');
      await tick(150);
      const lines = (ui.lastFrame() ?? '').split('\n');
      for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(columns);
      const status = lines.find((l) => l.includes('DRY')) ?? '';
      expect(status).toMatch(/^triage@0\.1\.0/);
      expect(status).toContain('TEST DOUBLE');
      expect(lines.some((l) => l.startsWith('enter send'))).toBe(true);
      ui.unmount();
    });
  }

  it('keeps the past-runs view shorter than a 24-row terminal, however many runs there are', async () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ runId: `RUN${i}`, startedAt: 0, status: 'succeeded', input: `question ${i}`, version: '0.1.0' }));
    const ui = render(<App controller={controller({ pastRuns: () => many })} agent={agent} />);
    resize(ui.stdout, 80, 24);
    ui.stdin.write('\u000f');
    await tick();
    for (let i = 0; i < 30; i++) ui.stdin.write('\u001b[B'); // down to RUN30
    await tick();
    const frame = ui.lastFrame() ?? '';
    expect(frame.split('\n').length).toBeLessThan(24);
    expect(frame).toContain('past runs 31/40');
    expect(frame).toContain('question 30');
    ui.unmount();
  });

  it("wraps a past run's long events to the box instead of cutting them at its edge", async () => {
    const long = 'x'.repeat(150);
    const ui = render(
      <App controller={controller({ pastEvents: () => [{ seq: 1, type: 'tool.result', at: 0, payload: { output: long, end: 'THE-END' } }] })} agent={agent} />,
    );
    resize(ui.stdout, 80, 24);
    ui.stdin.write('\u000f');
    await tick();
    ui.stdin.write('\r');
    await tick();
    const lines = (ui.lastFrame() ?? '').split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    const text = lines.map((l) => l.replace(/^│ ?|\s*│$/g, '').trim()).join('');
    expect(text).toContain(`{"output":"${long}","end":"THE-END"}`);
    ui.unmount();
  });
});
