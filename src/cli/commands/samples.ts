/** `samples add <agent> --from-run <run>`: a real run becomes an eval sample that passes offline at once. */
import { UsageError } from '../../core/errors.js';
import { addSampleFromRun, DEFAULT_SUGGESTIONS, SUGGESTION_KINDS, type Suggestion, type SuggestionKind } from '../../core/eval/sample-from-run.js';
import type { CliContext } from '../context.js';
import { nextStep } from '../present/next-step.js';
import { note, printJson, printLine } from '../present/output.js';
import { out } from '../present/style.js';
import { enquirerPrompter, type Prompter } from '../prompts.js';
import { withSession } from '../session.js';

export interface SamplesAddOptions {
  fromRun: string;
  assert?: string;
  rubric?: string;
  id?: string;
  json?: boolean;
}

export async function samplesAddCommand(ctx: CliContext, agent: string, options: SamplesAddOptions, prompter: Prompter = enquirerPrompter): Promise<number> {
  const assert = options.assert === undefined ? undefined : parseKinds(options.assert);
  // Asked only on a terminal, and only when --assert did not already say.
  const ask = ctx.interactive && !options.json && assert === undefined;
  return withSession(ctx, {}, async (session) => {
    const added = await addSampleFromRun(session, {
      agent,
      run: options.fromRun,
      assert: assert ?? (options.rubric ? [...DEFAULT_SUGGESTIONS, 'judge'] : undefined),
      rubric: options.rubric,
      id: options.id,
      choose: ask ? (suggestions) => choose(prompter, suggestions, options.rubric) : undefined,
    });
    if (options.json) {
      printJson(ctx, { sample: added.sample, runId: added.run.runId, datasetFile: added.datasetFile, cassetteFiles: added.cassetteFiles });
      return 0;
    }
    const checks = added.sample.assert.map((a) => a.type).join(', ');
    printLine(ctx, `added sample ${out.bold(added.sample.id)} to ${added.datasetFile} from run ${added.run.runId} (${checks})`);
    if (added.cassetteFiles.length) note(ctx, `model answers recorded in ${added.cassetteFiles.join(', ')}`);
    if (added.sample.assert.some((a) => a.type === 'judge'))
      note(ctx, `the judge's verdict is not recorded yet: agentctl eval ${agent} --record --provider openai  (once, against a gateway)`);
    nextStep(ctx, `agentctl eval ${agent}`, 'the new sample passes offline');
    return 0;
  });
}

function parseKinds(text: string): SuggestionKind[] {
  const kinds = text
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  for (const kind of kinds)
    if (!(SUGGESTION_KINDS as readonly string[]).includes(kind))
      throw new UsageError(`cannot suggest a "${kind}" assertion`, { fix: `--assert with a comma list of: ${SUGGESTION_KINDS.join(', ')}` });
  if (kinds.length === 0) throw new UsageError('--assert names no assertion', { fix: `--assert ${DEFAULT_SUGGESTIONS.join(',')}` });
  return kinds as SuggestionKind[];
}

/** Shows each kind of suggestion with what it would check, and lets the user pick (and type a judge rubric). */
async function choose(prompter: Prompter, suggestions: Suggestion[], rubric: string | undefined): Promise<{ assert: SuggestionKind[]; rubric?: string }> {
  const kinds = [...new Set([...suggestions.map((s) => s.kind), 'judge' as const])];
  const choices = kinds.map((kind) => ({ name: kind, hint: describe(kind, suggestions) }));
  const initial = DEFAULT_SUGGESTIONS.filter((k) => kinds.includes(k));
  const picked = prompter.askMultiSelect
    ? await prompter.askMultiSelect('Assertions for the new sample', choices, initial)
    : await confirmEach(prompter, choices, initial);
  const assert = picked.filter((k): k is SuggestionKind => (SUGGESTION_KINDS as readonly string[]).includes(k));
  if (!assert.includes('judge')) return { assert };
  return { assert, rubric: rubric ?? (await prompter.askText('Judge rubric (what a good answer does)')) };
}

async function confirmEach(prompter: Prompter, choices: { name: string; hint: string }[], initial: string[]): Promise<string[]> {
  const picked: string[] = [];
  for (const c of choices) if (await prompter.askConfirm(`${c.name}: ${c.hint}?`, initial.includes(c.name))) picked.push(c.name);
  return picked;
}

function describe(kind: SuggestionKind, suggestions: Suggestion[]): string {
  if (kind === 'judge') return 'a rubric you type, scored by a model';
  const text = suggestions
    .filter((s) => s.kind === kind)
    .map((s) => {
      const a = s.assertion;
      if (a.type === 'tool-called') return `${a.name}${a.args ? ` ${JSON.stringify(a.args)}` : ''}`;
      if (a.type === 'routed-to') return a.agent;
      if (a.type === 'contains' || a.type === 'equals') return JSON.stringify(a.value.length > 60 ? `${a.value.slice(0, 59)}…` : a.value);
      return a.type;
    })
    .join('; ');
  return text;
}
