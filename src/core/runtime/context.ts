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
  const turns = history.map((m, i) => ({ label: `history turn ${i + 1} (${m.role})`, message: m }));
  const base = estimateTokens(prompt + extraSystem) + estimateTokens(input);
  const size = () => base + knowledge.reduce((n, k) => n + estimateTokens(k.text), 0) + turns.reduce((n, t) => n + estimateTokens(t.message.content ?? ''), 0);
  const trimmed: string[] = [];
  if (budget !== undefined) {
    while (size() > budget && turns.length > 0) trimmed.push((turns.shift() as { label: string }).label);
    while (size() > budget && knowledge.length > 0) trimmed.push((knowledge.pop() as { label: string }).label);
  }
  const system = `${prompt}${extraSystem}${knowledge.map((k) => k.text).join('')}`;
  return {
    messages: [{ role: 'system', content: system }, ...turns.map((t) => t.message), { role: 'user', content: input }],
    tokens: size(),
    kept: ['system prompt', ...knowledge.map((k) => k.label), ...turns.map((t) => t.label), 'input'],
    trimmed,
  };
}
