import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { agent, controller, tick } from '../../../test/support/fake-playground-controller.js';
import { App } from './App.js';

describe('<App> ^F and ^S', () => {
  it('^F rates the last answer: g or b, an optional note, Enter saves and the status line says so', async () => {
    const ctl = controller();
    const ui = render(<App controller={ctl} agent={agent} />);
    ui.stdin.write('\u0006'); // ctrl-f before any turn
    await tick();
    expect(ui.lastFrame()).toContain('nothing to rate yet');
    ui.stdin.write('refund?\r');
    await tick(150);
    ui.stdin.write('\u0006');
    await tick();
    expect(ui.lastFrame()).toContain('g good · b bad');
    ui.stdin.write('\r'); // no rating chosen yet: Enter does nothing
    await tick();
    expect(ctl.rated).toEqual([]);
    ui.stdin.write('b');
    await tick();
    for (const c of 'too vague') ui.stdin.write(c);
    await tick();
    expect(ui.lastFrame()).toContain('bad · note (optional): too vague');
    ui.stdin.write('\r');
    await tick();
    expect(ctl.rated).toEqual([{ runId: 'RUN1', rating: 'bad', note: 'too vague' }]);
    expect(ui.lastFrame()).toContain('rated bad');
    expect(ctl.inputs).toEqual(['refund?']); // the note was not sent as a question
    ui.unmount();
  });

  it('^S shows the suggested assertions, lets the user toggle them, then says where the sample went', async () => {
    const ctl = controller();
    const ui = render(<App controller={ctl} agent={agent} />);
    ui.stdin.write('refund?\r');
    await tick(150);
    ui.stdin.write('\u0013'); // ctrl-s
    await tick();
    let frame = ui.lastFrame() ?? '';
    expect(frame).toContain('save "refund?" as an eval sample');
    expect(frame).toContain('[x] tool-called triage-lookup {"q":"refund"}');
    expect(frame).toContain('[ ] equals "answer to refund?"');
    ui.stdin.write('\u001b[B'); // down to contains
    await tick();
    ui.stdin.write(' '); // untick contains
    await tick();
    ui.stdin.write('\u001b[B');
    await tick();
    ui.stdin.write(' '); // tick equals
    await tick();
    ui.stdin.write('\r');
    await tick();
    expect(ctl.saved).toEqual([{ runId: 'RUN1', assert: ['tool-called', 'equals'] }]);
    frame = (ui.lastFrame() ?? '').replace(/\n +/g, ' '); // the notice wraps to the width
    expect(frame).toContain('saved sample refund (tool-called, equals) to agents/triage/evals/samples.yaml');
    expect(frame).toContain('check it: agentctl eval triage');
    ui.unmount();
  });

  it('^S on a turn that cannot become a sample says why, with the fix', async () => {
    const ui = render(
      <App
        controller={controller({
          suggestSample: () => {
            throw Object.assign(new Error('run RUN1 did not succeed (failed)'), { fix: 'make a sample of a run that answered' });
          },
        })}
        agent={agent}
      />,
    );
    ui.stdin.write('refund?\r');
    await tick(150);
    ui.stdin.write('\u0013');
    await tick();
    expect(ui.lastFrame()).toContain('cannot save this turn: run RUN1 did not succeed (failed) — make a sample of a run that answered');
    ui.unmount();
  });
});
