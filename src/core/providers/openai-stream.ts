/**
 * Server-sent events from a chat-completions stream, assembled into one response. An error the
 * gateway sends inside the 200 stream (`event: error`, or a `data:` object with `error`) becomes a
 * ModelError with the gateway's message; a stream that ends before it finished is called cut.
 */
import { StringDecoder } from 'node:string_decoder';
import type { AttemptProgress } from './openai-errors.js';
import { streamedError } from './openai-errors.js';
import { finish, type OpenAICompletion, parseToolCall } from './openai-wire.js';
import { ModelError, type ModelRequest, type ModelResponse } from './types.js';

export async function readStream(
  body: AsyncIterable<Uint8Array>,
  request: ModelRequest,
  progress: AttemptProgress,
  onDelta: ((text: string) => void) | undefined,
): Promise<ModelResponse> {
  // StringDecoder, not TextDecoder: a TextDecoder per answer costs an ICU converter each time.
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  let eventName = '';
  let content = '';
  let refusal = '';
  let done = false;
  let finishReason: string | null = null;
  let model = request.model;
  let id: string | undefined;
  let usage: OpenAICompletion['usage'] = null;
  const calls = new Map<number, { id?: string; name: string; args: string }>();
  const handle = (line: string) => {
    if (line === '') {
      eventName = ''; // a blank line ends an event
      return;
    }
    if (line.startsWith('event:')) {
      eventName = line.slice(6).trim();
      return;
    }
    if (!line.startsWith('data:')) return;
    const data = line.slice(5).trim();
    if (data === '[DONE]') {
      done = true;
      return;
    }
    let chunk: OpenAICompletion;
    try {
      chunk = JSON.parse(data) as OpenAICompletion;
    } catch {
      if (eventName === 'error') throw streamedError(progress.url, { message: data });
      throw new ModelError(`${progress.url} streamed malformed JSON: ${data.slice(0, 80)}`, 'malformed', false);
    }
    if (eventName === 'error' || (chunk.error !== undefined && chunk.error !== null)) throw streamedError(progress.url, chunk);
    if (chunk.model) model = chunk.model;
    if (chunk.id) id = chunk.id;
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      const text = choice.delta?.content;
      if (text) {
        content += text;
        onDelta?.(text);
      }
      if (choice.delta?.refusal) refusal += choice.delta.refusal;
      for (const call of choice.delta?.tool_calls ?? []) {
        const index = call.index ?? 0;
        const current = calls.get(index) ?? { name: '', args: '' };
        if (call.id) current.id = call.id;
        if (call.function?.name) current.name += call.function.name;
        if (call.function?.arguments) current.args += call.function.arguments;
        calls.set(index, current);
      }
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
  };
  for await (const bytes of body) {
    progress.chunks++;
    buffer += decoder.write(bytes);
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      handle(buffer.slice(0, newline).trim());
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
    }
  }
  buffer += decoder.end();
  handle(buffer.trim());
  if (!done && finishReason === null) {
    throw new ModelError(
      `the stream from ${progress.url} ended before the answer was complete (after ${progress.chunks} chunk${progress.chunks === 1 ? '' : 's'}, no finish_reason or [DONE])`,
      'stream-dropped',
      true,
    );
  }
  const toolCalls = [...calls.entries()].sort(([a], [b]) => a - b).map(([i, c]) => parseToolCall(c.id ?? `call_${request.step}_${i + 1}`, c.name, c.args));
  return finish(request, {
    content: content === '' && (toolCalls.length || refusal) ? null : content,
    refusal: refusal || null,
    toolCalls,
    usage,
    model,
    id,
    finishReason,
  });
}
