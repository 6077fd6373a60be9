/**
 * Cassettes: recorded model responses, so dry runs and evals replay offline and deterministically.
 * An entry is found by the hash of the normalised request (recorded entries), or — for hand-written
 * entries — by the run's input and the model call number. A miss names the request and how to record it.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import * as z from 'zod';
import type { ToolCall } from '../runtime/events.js';
import { estimateUsage, ModelError, type ModelProvider, type ModelRequest, type ModelResponse, requestKey } from './types.js';

const responseSchema = z.strictObject({
  content: z.string().nullable().optional(),
  toolCalls: z
    .array(z.strictObject({ id: z.string().optional(), name: z.string().min(1), arguments: z.record(z.string(), z.unknown()).default({}) }))
    .optional(),
  usage: z.strictObject({ inputTokens: z.int().nonnegative(), outputTokens: z.int().nonnegative() }).optional(),
  model: z.string().optional(),
});

export const cassetteSchema = z.strictObject({
  version: z.literal(1),
  interactions: z.array(
    z.union([
      z.strictObject({
        match: z.strictObject({ input: z.string() }).describe('Hand-written: the run input this answers.'),
        responses: z.array(responseSchema).min(1).describe('One response per model call, in order.'),
      }),
      z.strictObject({
        key: z.string().regex(/^sha256:[0-9a-f]{64}$/),
        request: z.strictObject({ model: z.string(), step: z.int().positive(), last: z.string().nullable() }).optional(),
        response: responseSchema,
      }),
    ]),
  ),
});
export type Cassette = z.infer<typeof cassetteSchema>;
type RecordedResponse = z.infer<typeof responseSchema>;

export interface CassetteSource {
  /** The cassette of an agent, if it has one. */
  cassetteFor(agent: string): Cassette | undefined;
}

export function createCassetteProvider(source: CassetteSource): ModelProvider {
  return {
    name: 'cassette',
    testDouble: false,
    async complete(request, { onDelta }) {
      const cassette = source.cassetteFor(request.agent);
      const key = requestKey(request);
      let found: RecordedResponse | undefined;
      for (const entry of cassette?.interactions ?? []) {
        if ('key' in entry && entry.key === key) found = entry.response;
      }
      if (!found) {
        const scripted = cassette?.interactions.find((e) => 'match' in e && e.match.input.trim() === request.input.trim());
        if (scripted && 'responses' in scripted) found = scripted.responses[request.step - 1];
      }
      if (!found) throw cassetteMiss(request, key, cassette !== undefined);
      const response = toResponse(found, request);
      if (response.content) onDelta?.(response.content);
      return response;
    },
  };
}

function toResponse(recorded: RecordedResponse, request: ModelRequest): ModelResponse {
  const toolCalls: ToolCall[] = (recorded.toolCalls ?? []).map((call, i) => ({
    id: call.id ?? `call_${request.step}_${i + 1}`,
    name: call.name,
    arguments: call.arguments,
  }));
  const content = recorded.content ?? null;
  return {
    content,
    toolCalls,
    usage: recorded.usage ?? estimateUsage(request, { content, toolCalls }),
    model: recorded.model ?? request.model,
    usageEstimated: recorded.usage === undefined,
  };
}

function cassetteMiss(request: ModelRequest, key: string, hasCassette: boolean): ModelError {
  const last = [...request.messages].reverse().find((m) => m.role !== 'system');
  const lastText = last?.content ?? (last?.toolCalls ? `tool calls ${last.toolCalls.map((c) => c.name).join(', ')}` : '');
  return new ModelError(
    `no recorded response for ${request.agent}, model call ${request.step} (${request.model}, ${key.slice(0, 19)}…), after ${last?.role ?? 'nothing'}: "${truncate(lastText ?? '', 60)}"${hasCassette ? '' : ` — ${request.agent} has no cassette`}`,
    'cassette-miss',
    false,
    `record it from a live model: agentctl run ${request.agent} -i "${truncate(request.input, 40)}" --record --provider openai`,
  );
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Adds recorded interactions to a cassette file, keeping its comments; written atomically. */
export function appendToCassette(path: string, recorded: { request: ModelRequest; response: ModelResponse }[]): void {
  let source = 'version: 1\ninteractions: []\n';
  try {
    source = readFileSync(path, 'utf8');
  } catch {
    // a new cassette
  }
  const doc = parseDocument(source);
  if (!doc.has('interactions')) doc.set('interactions', doc.createNode([]));
  for (const { request, response } of recorded) {
    const last = [...request.messages].reverse().find((m) => m.role !== 'system');
    doc.addIn(['interactions'], {
      key: requestKey(request),
      request: { model: request.model, step: request.step, last: last?.content ?? null },
      response: {
        content: response.content,
        ...(response.toolCalls.length ? { toolCalls: response.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })) } : {}),
        // An estimate is not recorded as if the gateway had reported it: replay estimates it again.
        ...(response.usageEstimated ? {} : { usage: response.usage }),
        model: response.model,
      },
    });
  }
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, doc.toString());
  renameSync(temp, path);
}

/** Wraps a live provider so that every response is also kept for the cassette. */
export function recording(provider: ModelProvider, sink: (request: ModelRequest, response: ModelResponse) => void): ModelProvider {
  return {
    name: provider.name,
    testDouble: provider.testDouble,
    endpoint: provider.endpoint,
    async complete(request, options) {
      const response = await provider.complete(request, options);
      sink(request, response);
      return response;
    },
  };
}
