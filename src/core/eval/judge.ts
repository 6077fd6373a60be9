/**
 * The eval's judge: a model grading an answer against a rubric. It follows the eval's signal (Ctrl-C)
 * and the sample's timeout, so a judge whose gateway hangs errors its sample instead of holding the eval.
 */
import type { ModelProvider } from '../providers/types.js';
import { abortable, formatDuration } from '../runtime/guards.js';
import type { AgentSnapshot } from '../runtime/snapshot.js';
import { withDeadline } from '../util/deadline.js';
import { type AssertionContext, parseVerdict } from './assertions.js';

const JUDGE_PROMPT =
  'You grade an AI agent\'s answer against a rubric. Reply with one JSON object and nothing else: {"pass": true|false, "score": 0..1, "reason": "one sentence"}.';

export function judgeWith(
  provider: ModelProvider,
  agent: AgentSnapshot,
  options: { signal?: AbortSignal | undefined; model?: string | undefined },
  timeoutMs: number,
): AssertionContext['judge'] {
  return async (rubric, model, obs) => {
    const response = await withDeadline(
      [options.signal],
      timeoutMs,
      // A provider reports its aborted call as "cancelled": when the judge's deadline fired, say that instead.
      (signal, d) =>
        abortable(
          provider.complete(
            {
              model: model ?? options.model ?? agent.document.spec.model.ref,
              messages: [
                { role: 'system', content: JUDGE_PROMPT },
                {
                  role: 'user',
                  content: `Rubric: ${rubric}\n\nInput: ${obs.input}\n\nAnswer: ${obs.output}${obs.expected ? `\n\nExpected: ${obs.expected}` : ''}`,
                },
              ],
              tools: [],
              params: { temperature: 0 },
              agent: agent.name,
              input: `judge: ${rubric}`,
              step: 1,
            },
            { signal },
          ),
          signal,
        ).catch((error: unknown) => {
          throw d.timedOut ? signal.reason : error;
        }),
      () => `the judge did not answer in ${formatDuration(timeoutMs)} (the sample's timeout)`,
    );
    return parseVerdict(response.content);
  };
}
