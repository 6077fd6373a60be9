/** The one place enquirer is imported; tests replace these functions, never enquirer itself. */
export interface Prompter {
  askText(message: string, initial?: string): Promise<string>;
  askSelect(message: string, choices: { name: string; hint?: string }[], initial?: string): Promise<string>;
  askConfirm(message: string, initial?: boolean): Promise<boolean>;
  /** Several of `choices` (space toggles, Enter accepts); `initial` are the names selected at first. Optional: callers fall back to askConfirm. */
  askMultiSelect?(message: string, choices: { name: string; hint?: string }[], initial: string[]): Promise<string[]>;
}

export const enquirerPrompter: Prompter = {
  async askText(message, initial) {
    const { default: enquirer } = await import('enquirer');
    const answer = (await enquirer.prompt({ type: 'input', name: 'value', message, initial, stdout: process.stderr })) as { value: string };
    return answer.value.trim();
  },
  async askSelect(message, choices, initial) {
    const { default: enquirer } = await import('enquirer');
    const start = Math.max(
      0,
      choices.findIndex((c) => c.name === initial),
    );
    const answer = (await enquirer.prompt({ type: 'select', name: 'value', message, choices, initial: start, stdout: process.stderr } as never)) as {
      value: string;
    };
    return answer.value;
  },
  async askMultiSelect(message, choices, initial) {
    const { default: enquirer } = await import('enquirer');
    const indices = choices.flatMap((c, i) => (initial.includes(c.name) ? [i] : []));
    const answer = (await enquirer.prompt({ type: 'multiselect', name: 'value', message, choices, initial: indices, stdout: process.stderr } as never)) as {
      value: string[];
    };
    return answer.value;
  },
  async askConfirm(message, initial = false) {
    const { default: enquirer } = await import('enquirer');
    const answer = (await enquirer.prompt({ type: 'confirm', name: 'value', message, initial, stdout: process.stderr })) as { value: boolean };
    return answer.value;
  },
};

/** Input not echoed (passwords); only on a terminal — callers check ctx.interactive first. */
export async function askSecret(message: string): Promise<string> {
  const { default: enquirer } = await import('enquirer');
  const answer = (await enquirer.prompt({ type: 'password', name: 'value', message, stdout: process.stderr })) as { value: string };
  return answer.value;
}
