import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { agent, controller, tick } from '../../../test/support/fake-playground-controller.js';
import { App } from './App.js';

describe('<App>', () => {
  it('draws the first frame from the agent and provider alone: pickers, past runs and evals load on their key', async () => {
    // Every loader fails the test if the first frame reaches for it (the start-up budget: issue 12).
    const called: string[] = [];
    const deferred = <T,>(name: string, value: T) => {
      called.push(name);
      return value;
    };
    const base = controller();
    const ctl = controller({
      agents: () => deferred('agents', base.agents()),
      versions: (a) => deferred('versions', base.versions(a)),
      describeVersion: (a, v) => deferred('describeVersion', base.describeVersion(a, v)),
      pastRuns: (a) => deferred('pastRuns', base.pastRuns(a)),
      pastRun: (id) => deferred('pastRun', base.pastRun(id)),
      pastEvents: (id) => deferred('pastEvents', base.pastEvents(id)),
      evaluate: (o) => deferred('evaluate', base.evaluate(o)),
    });
    const ui = render(<App controller={ctl} agent={agent} />);
    expect(ui.lastFrame()).toContain('enter send');
    expect(ui.lastFrame()).toContain('triage@0.1.0');
    await tick();
    expect(called).toEqual([]);
    ui.stdin.write('\u000f'); // ctrl-o: now, and only now, the past runs are read
    await tick();
    expect(called).toEqual(['pastRuns']);
    expect(ui.lastFrame()).toContain('earlier');
    ui.unmount();
  });

  it('^V lists each version with the stages it holds and its status', async () => {
    const ui = render(<App controller={controller()} agent={agent} />);
    await tick();
    ui.stdin.write('\u0016');
    await tick();
    expect(ui.lastFrame()).toContain('choose version');
    expect(ui.lastFrame()).toContain('0.1.0  prod · active');
    ui.unmount();
  });

  it('sends the typed input, shows the answer, the span tree with mocked I/O, and labels the test double', async () => {
    const ctl = controller();
    const ui = render(<App controller={ctl} agent={agent} />);
    ui.stdin.write('refund?');
    await tick();
    ui.stdin.write('\r');
    await tick(150);
    const frame = ui.lastFrame() ?? '';
    expect(ctl.inputs).toEqual(['refund?']);
    expect(frame).toContain('answer to refund?');
    expect(frame).toContain('tool triage-lookup');
    expect(frame).toContain('out(mock) {"passage":"mocked"}');
    expect(frame).toContain('TEST DOUBLE');
    ui.unmount();
  });

  it('asks before going live, opens past runs and steps through their events', async () => {
    const ui = render(<App controller={controller()} agent={agent} />);
    ui.stdin.write('\u0004'); // ctrl-d
    await tick();
    expect(ui.lastFrame()).toContain('Switch to LIVE?');
    ui.stdin.write('y');
    await tick();
    expect(ui.lastFrame()).toContain('LIVE');
    ui.stdin.write('\u000f'); // ctrl-o
    await tick();
    expect(ui.lastFrame()).toContain('RUN0');
    ui.stdin.write('\r');
    await tick();
    expect(ui.lastFrame()).toContain('event 1/2');
    ui.stdin.write('\u001b[C'); // right arrow
    await tick();
    expect(ui.lastFrame()).toContain('event 2/2');
    ui.unmount();
  });

  it('runs the sample set with progress, then opens a failed sample with the assertion that failed', async () => {
    const ui = render(<App controller={controller()} agent={agent} />);
    ui.stdin.write('\u0005'); // ctrl-e
    await tick(150);
    expect(ui.lastFrame()).toContain('2/2');
    expect(ui.lastFrame()).toContain('gate failed · 1/2 passed');
    expect(ui.lastFrame()).toContain('fail bad: contains: output lacks "refund"');
    ui.stdin.write('\r');
    await tick();
    expect(ui.lastFrame()).toContain('run RUN0 · event 1/2');
    expect(ui.lastFrame()).toContain('bad: contains: output lacks "refund"');
    ui.unmount();
  });

  it('keeps every keystroke typed faster than a redraw', async () => {
    const ctl = controller();
    const ui = render(<App controller={ctl} agent={agent} />);
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    for (const letter of letters) ui.stdin.write(letter);
    await tick();
    expect(ui.lastFrame()).toContain(letters);
    ui.stdin.write('\r');
    await tick(150);
    expect(ctl.inputs).toEqual([letters]);
    ui.unmount();
  });

  it('submits pasted text whose Enter is in the same chunk, or right after it', async () => {
    const ctl = controller();
    const ui = render(<App controller={ctl} agent={agent} />);
    ui.stdin.write('hello\r');
    await tick(150);
    expect(ctl.inputs).toEqual(['hello']);
    ui.stdin.write('pasted text');
    ui.stdin.write('\r');
    await tick(150);
    expect(ctl.inputs).toEqual(['hello', 'pasted text']);
    expect(ui.lastFrame()).toContain('answer to pasted text');
    ui.unmount();
  });

  it('opens a failed sample by its run id, even when it is not among the recent runs', async () => {
    const asked: string[] = [];
    const ui = render(
      <App
        controller={controller({
          pastRuns: () => [],
          pastRun: (runId) => {
            asked.push(runId);
            return { runId, startedAt: 0, status: 'succeeded', input: 'old', version: '0.1.0' };
          },
        })}
        agent={agent}
      />,
    );
    ui.stdin.write('\u0005'); // ctrl-e
    await tick(150);
    ui.stdin.write('\r');
    await tick();
    expect(asked).toEqual(['RUN0']);
    expect(ui.lastFrame()).toContain('run RUN0 · event 1/2');
    ui.unmount();
  });
});
