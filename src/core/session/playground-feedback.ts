/**
 * The playground's ^F and ^S: rating an answer and keeping a turn as an eval sample, through the same core
 * functions as `agentctl feedback` and `agentctl samples add`, so the TUI writes nothing itself.
 */
import { addSampleFromRun, DEFAULT_SUGGESTIONS, type Suggestion, sampleFromRun } from '../eval/sample-from-run.js';
import { recordFeedback } from '../events/feedback-store.js';
import { resolveIdentity } from '../trust/identity.js';
import type { SampleChoice, SampleKind, SavedSample } from './playground-types.js';
import type { AgentSession } from './session.js';

/** The kinds the playground offers: a judge needs a rubric typed out and a live model, so it stays with `samples add`. */
const OFFERED: readonly SampleKind[] = ['tool-called', 'routed-to', 'contains', 'equals'];

export function playgroundFeedback(session: AgentSession) {
  // The playground's turns are committed at each run's end; flushed here so the run is there to rate.
  const settled = (runId: string) => {
    session.log.flush();
    return session.registry.runs.get(runId);
  };
  return {
    rate(runId: string, rating: 'good' | 'bad', note?: string): { runId: string; rating: 'good' | 'bad' } {
      settled(runId);
      const record = recordFeedback(session.registry, { run: runId, rating, note, actor: resolveIdentity(session.workspace).actor });
      return { runId: record.runId, rating: record.rating };
    },
    suggestSample(runId: string): SampleChoice[] {
      const run = settled(runId);
      const { suggestions } = sampleFromRun(run, session.registry.runs.events(run.runId));
      return suggestions.filter((s) => OFFERED.includes(s.kind)).map((s) => ({ kind: s.kind, label: label(s), chosen: DEFAULT_SUGGESTIONS.includes(s.kind) }));
    },
    async saveSample(runId: string, assert: SampleKind[]): Promise<SavedSample> {
      const run = settled(runId);
      const added = await addSampleFromRun(session, { agent: run.agent, run: run.runId, assert });
      return {
        agent: run.agent,
        sampleId: added.sample.id,
        assertions: added.sample.assert.map((a) => a.type),
        datasetFile: added.datasetFile,
        cassetteFiles: added.cassetteFiles,
      };
    },
  };
}

function label(s: Suggestion): string {
  const a = s.assertion;
  const short = (text: string) => JSON.stringify(text.length > 60 ? `${text.slice(0, 59)}…` : text);
  switch (a.type) {
    case 'tool-called':
      return `tool-called ${a.name}${a.args ? ` ${JSON.stringify(a.args)}` : ''}`;
    case 'routed-to':
      return `routed-to ${a.agent}`;
    case 'contains':
    case 'equals':
      return `${a.type} ${short(a.value)}`;
    default:
      return a.type;
  }
}
