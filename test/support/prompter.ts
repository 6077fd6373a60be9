/**
 * A scripted Prompter for command tests (enquirer itself is driven in tmux tests): answers in order and
 * records every question. Like enquirer, a text answer its `validate` rejects is not returned: the rule is
 * recorded and the question asked again. A multi-select answer is a string[].
 */
import type { Prompter } from '../../src/cli/prompts.js';

export function scripted(answers: (string | boolean | string[])[]): Prompter & { asked: string[]; rules: string[] } {
  const asked: string[] = [];
  const rules: string[] = [];
  const next = (message: string) => {
    asked.push(message);
    if (answers.length === 0) throw new Error(`unexpected question: ${message}`);
    return answers.shift();
  };
  return {
    asked,
    rules,
    askText: async (message, _initial, validate) => {
      for (;;) {
        const answer = next(message) as string;
        const verdict = validate ? validate(answer) : true;
        if (verdict === true) return answer;
        rules.push(verdict);
      }
    },
    askSelect: async (message) => next(message) as string,
    askConfirm: async (message) => next(message) as boolean,
    askMultiSelect: async (message) => next(message) as string[],
  };
}
