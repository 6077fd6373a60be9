/**
 * The context optimizer: system prompt, knowledge and conversation history under the input-token budget.
 * The system prompt and the current input are never dropped; the oldest turns of the conversation go
 * first, then knowledge (last listed first). It says what it kept and what it trimmed.
 */
import { type ChatMessage, estimateTokens } from '../providers/types.js';
import type { AgentSnapshot } from './snapshot.js';

export interface AssembledContext {
  messages: ChatMessage[];
  tokens: number;
  kept: string[];
  trimmed: string[];
}

export function assembleContext(agent: AgentSnapshot, input: string, history: readonly ChatMessage[], extraSystem = ''): AssembledContext {
  const budget = agent.document.spec.budget?.maxInputTokens;
  const prompt = agent.files[agent.document.spec.prompt.ref] ?? '';
  const knowledge = (agent.document.spec.knowledge ?? []).map((k) => ({
    label: `knowledge ${k.ref}`,
    text: `\n\n## Knowledge: ${k.ref}\n${agent.files[k.ref] ?? ''}`,
  }));
  const turns = toTurns(history);
  const base = estimateTokens(prompt + extraSystem) + estimateTokens(input);
  const size = () =>
    base +
    knowledge.reduce((n, k) => n + estimateTokens(k.text), 0) +
    turns.reduce((n, t) => n + t.messages.reduce((m, x) => m + estimateTokens(x.content ?? ''), 0), 0);
  const trimmed: string[] = [];
  if (budget !== undefined) {
    while (size() > budget && turns.length > 0) trimmed.push((turns.shift() as { label: string }).label);
    while (size() > budget && knowledge.length > 0) trimmed.push((knowledge.pop() as { label: string }).label);
  }
  const system = `${prompt}${extraSystem}${knowledge.map((k) => k.text).join('')}`;
  return {
    messages: [{ role: 'system', content: system }, ...turns.flatMap((t) => t.messages), { role: 'user', content: input }],
    tokens: size(),
    kept: ['system prompt', ...knowledge.map((k) => k.label), ...turns.map((t) => t.label), 'input'],
    trimmed,
  };
}

/**
 * The history as turns: a user message and the answer that follows it go together, so trimming never
 * leaves an answer without its question (the model would read it as an unprompted statement).
 */
function toTurns(history: readonly ChatMessage[]): { label: string; messages: ChatMessage[] }[] {
  const turns: { label: string; messages: ChatMessage[] }[] = [];
  for (const message of history) {
    const last = turns.at(-1);
    if (message.role !== 'user' && last) last.messages.push(message);
    else turns.push({ label: '', messages: [message] });
  }
  return turns.map((t, i) => ({ ...t, label: `history turn ${i + 1}` }));
}
