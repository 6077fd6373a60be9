/**
 * Cassettes: recorded model responses, so dry runs and evals replay offline and deterministically.
 * An entry is found by the hash of the normalised request (recorded entries), or — for hand-written
 * entries — by the run's input (loosely) and the model call number. A miss lists what the cassette knows
 * and the ways on (cassette-miss.ts).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isMap, isSeq, parseDocument } from 'yaml';
import { CheckFailedError } from '../errors.js';
import { createRedactor, type Redactor } from '../events/redact.js';
import type { ToolCall } from '../runtime/events.js';
import { appendToYamlList } from '../spec/yaml-append.js';
import * as z from '../util/zod.js';
import { cassetteMiss, looseInput, type MissAdvice } from './cassette-miss.js';
import { estimateUsage, type ModelProvider, type ModelRequest, type ModelResponse, requestKey } from './types.js';

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

/**
 * Replays a cassette. `advice` (the gateway and the key's variable from config) makes a miss name the
 * exact commands that go on from it.
 */
export function createCassetteProvider(source: CassetteSource, advice: MissAdvice = {}): ModelProvider {
  return {
    name: 'cassette',
    testDouble: false,
    local: true,
    async complete(request, { onDelta }) {
      const cassette = source.cassetteFor(request.agent);
      const key = requestKey(request);
      const found = findResponse(cassette, request, key);
      if (!found) throw cassetteMiss(request, key, cassette, advice);
      const response = toResponse(found, request);
      if (response.content) onDelta?.(response.content);
      return response;
    },
  };
}

/**
 * A recorded entry matches by its exact request hash (the last one wins, as appends go to the end);
 * else a hand-written entry by input: an exact (trimmed) match first, then the first loose one in the file.
 */
function findResponse(cassette: Cassette | undefined, request: ModelRequest, key: string): RecordedResponse | undefined {
  let found: RecordedResponse | undefined;
  const scripted: Extract<Cassette['interactions'][number], { match: unknown }>[] = [];
  for (const entry of cassette?.interactions ?? []) {
    if ('key' in entry) {
      if (entry.key === key) found = entry.response;
    } else scripted.push(entry);
  }
  if (found) return found;
  const input = request.input.trim();
  const loose = looseInput(input);
  const entry = scripted.find((e) => e.match.input.trim() === input) ?? (loose ? scripted.find((e) => looseInput(e.match.input) === loose) : undefined);
  return entry?.responses[request.step - 1];
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

/**
 * Adds recorded interactions to a cassette file. A request whose key is already there is not added again,
 * and the file's text is kept byte for byte (hand-written entries, comments, odd formatting): the new
 * entries are appended as text to the end of the `interactions` list, never re-serialised. Written atomically.
 */
export function appendToCassette(path: string, recorded: { request: ModelRequest; response: ModelResponse }[], redactor: Redactor = createRedactor()): void {
  let source = '';
  try {
    source = readFileSync(path, 'utf8');
  } catch {
    // a new cassette
  }
  if (source.trim() === '') source = 'version: 1\n';
  const doc = parseDocument(source);
  const known = new Set<string>();
  const interactions = doc.get('interactions', true);
  if (isSeq(interactions))
    for (const item of interactions.items) {
      const key = isMap(item) ? item.get('key') : undefined;
      if (typeof key === 'string') known.add(key);
    }
  const fresh: Record<string, unknown>[] = [];
  for (const { request, response } of recorded) {
    const key = requestKey(request);
    if (known.has(key)) continue;
    known.add(key);
    const last = [...request.messages].reverse().find((m) => m.role !== 'system');
    // The key is a hash of the live request and stays as is (replays must keep matching); everything
    // readable is redacted, because a cassette is committed, hashed into the version and pushed.
    const text = (value: string | null | undefined) => (typeof value === 'string' ? redactor.text(value) : (value ?? null));
    fresh.push({
      key,
      request: { model: request.model, step: request.step, last: text(last?.content) },
      response: {
        content: text(response.content),
        ...(response.toolCalls.length
          ? { toolCalls: response.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: JSON.parse(redactor.json(c.arguments)) as unknown })) }
          : {}),
        // An estimate is not recorded as if the gateway had reported it: replay estimates it again.
        ...(response.usageEstimated ? {} : { usage: response.usage }),
        model: response.model,
      },
    });
  }
  if (fresh.length === 0) return;
  const text = appendToYamlList(source, ['interactions'], fresh);
  if (text === undefined)
    throw new CheckFailedError(`${path} is not a cassette (a YAML map with version and interactions); nothing was recorded`, {
      where: path,
      fix: 'fix it (agentctl validate), then record again',
    });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text);
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
