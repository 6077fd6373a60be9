/** An offline test double for free-form playground input: it repeats the last user message. */
import { estimateUsage, type ModelProvider } from './types.js';

export const echoProvider: ModelProvider = {
  name: 'echo',
  testDouble: true,
  local: true,
  async complete(request, { onDelta }) {
    const last = [...request.messages].reverse().find((m) => m.role === 'user');
    const content = `(echo test double) ${last?.content ?? ''}`;
    onDelta?.(content);
    return { content, toolCalls: [], usage: estimateUsage(request, { content, toolCalls: [] }), model: 'echo', usageEstimated: true };
  },
};
