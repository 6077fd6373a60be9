/**
 * A run, persisted: the runtime's event stream written to the event log as it flows on to the caller
 * (the CLI prints it, the playground draws it). Stores the agent snapshot for replay, marks runs left
 * behind by dead processes as interrupted, and (with --record) fills cassettes from a live provider.
 */
import { monotonicFactory } from 'ulid';
import type { EventLog } from '../events/event-log.js';
import { createRedactor, type Redactor } from '../events/redact.js';
import { recording } from '../providers/cassette.js';
import type { ModelRequest, ModelResponse } from '../providers/types.js';
import type { Registry } from '../registry/registry.js';
import { type Digest, sha256 } from '../util/canonical.js';
import { saveRecordings } from './cassettes.js';
import type { RuntimeEvent } from './events.js';
import { type RunFinished, type RunOptions, runSteps } from './runtime.js';
import { type AgentSnapshot, snapshotDigest } from './snapshot.js';
import { drive, eventsOf, type Steps } from './steps.js';
import { type RecordedToolAnswer, recordingTools, saveToolMocks } from './tool-mocks.js';
import { executeTool } from './tools.js';

/**
 * The same bytes ulid's default takes from crypto.getRandomValues, drawn 4 KB at a time: the default asks
 * for one byte per character (16 calls per id), a tenth of a millisecond per run of an eval.
 */
function pooledRandom(): () => number {
  const pool = new Uint8Array(4096);
  let next = pool.length;
  return () => {
    if (next === pool.length) {
      crypto.getRandomValues(pool);
      next = 0;
    }
    return (pool[next++] as number) / 256;
  };
}

export const newId = monotonicFactory(pooledRandom());

/** What a run needs (RunOptions, less the ids this assigns) and how to persist it. */
export interface ExecuteOptions extends Omit<RunOptions, 'runId' | 'sessionId'> {
  registry: Registry;
  actor: { user: string; team: string };
  /** Continue this session; a new one otherwise. */
  sessionId?: string | undefined;
  replayOf?: string | undefined;
  /** Secrets known to this process (the gateway key), redacted wherever they appear. */
  secrets?: string[];
  /** With --record: where each agent's cassette file is, to add the live responses to. */
  recordInto?: ((agent: string) => string | undefined) | undefined;
  /** Shared with other runs of this process (the playground, evals): one writer per database. */
  log?: EventLog;
  /**
   * The snapshot stored for replay, when it is not `agent` itself: an eval sample runs its agent with
   * the sample's own mocks added, and stores the eval's agent (whose sample set holds those mocks),
   * so 10,000 samples with mocks store one snapshot, not 10,000 copies of the agent and its sample set.
   * Replay answers tools from the recorded events, never from the snapshot's mocks.
   */
  storedAs?: AgentSnapshot;
}

/** The run as an async stream of its events, each logged before it is handed on (run, playground). */
export async function* executeRun(options: ExecuteOptions): AsyncGenerator<RuntimeEvent, RunFinished> {
  const run = startRun(options);
  try {
    return yield* eventsOf(run.steps, run.log);
  } finally {
    run.finish();
  }
}

/**
 * The run to its end, each event logged, then shown to `observe` (an eval sample): no stream to iterate,
 * so an event costs a call, not a turn of the event loop.
 */
export async function executeRunWith(options: ExecuteOptions, observe?: (event: RuntimeEvent) => void): Promise<RunFinished> {
  const run = startRun(options);
  try {
    const emit = observe
      ? (event: RuntimeEvent) => {
          run.log(event);
          observe(event);
        }
      : run.log;
    return await drive(run.steps, emit);
  } finally {
    run.finish();
  }
}

/** A run's steps, how each of its events is logged, and what is left to do at its end. */
function startRun(options: ExecuteOptions): { steps: Steps<RunFinished>; log: (event: RuntimeEvent) => void; finish: () => void } {
  const { registry, agent } = options;
  const log = options.log ?? openEventLog(registry, agent, options.secrets);
  const snapshot = { digest: storeSnapshot(registry, options.storedAs ?? agent, log.currentRedactor()) };
  const recorded: { request: ModelRequest; response: ModelResponse }[] = [];
  const provider = options.recordInto ? recording(options.provider, (request, response) => recorded.push({ request, response })) : options.provider;
  const runId = newId();
  // With --record, live answers of the workspace's MCP tools become mocks in their spec files too.
  const toolAnswers: RecordedToolAnswer[] = [];
  const tools = options.recordInto && options.mode === 'live' ? recordingTools(options.tools ?? executeTool, (a) => toolAnswers.push(a)) : options.tools;
  const steps = runSteps({
    runId,
    sessionId: options.sessionId ?? newId(),
    agent,
    input: options.input,
    history: options.history ?? [],
    provider,
    mode: options.mode,
    model: options.model,
    prices: options.prices ?? {},
    team: options.actor.team,
    ...(options.signal ? { signal: options.signal } : {}),
    signalDeadlineAt: options.signalDeadlineAt,
    tools,
  });
  const logEvent = (event: RuntimeEvent) => {
    if (event.type === 'run.started') {
      log.beginRun({
        runId,
        sessionId: event.sessionId,
        agent: agent.name,
        version: agent.version,
        digest: agent.digest,
        owner: agent.owner,
        team: options.actor.team,
        actor: options.actor.user,
        source: options.replayOf ? 'replay' : agent.source,
        mode: options.mode,
        provider: provider.name,
        model: event.model,
        snapshot: snapshot.digest,
        replayOf: options.replayOf ?? null,
        input: options.input,
        startedAt: event.at,
      });
    }
    log.append(event);
  };
  const finish = () => {
    // A log of its own is flushed now; a shared one decides (an eval's commits are on a timer).
    if (options.log) options.log.settle();
    else log.flush();
    if (options.recordInto && recorded.length > 0) saveRecordings(recorded, options.recordInto, log.currentRedactor());
    if (toolAnswers.length > 0) saveToolMocks(toolAnswers, log.currentRedactor());
  };
  return { steps, log: logEvent, finish };
}

const stored = new WeakMap<AgentSnapshot, WeakMap<Redactor, Digest>>();

/**
 * Stores the snapshot for replay, redacted like everything else written at run time (a spec or prompt
 * that quotes a secret is stored with it redacted, and replays so); its digest is that of what is stored.
 * Once per snapshot and redactor: the playground and evals run the same agent many times.
 */
function storeSnapshot(registry: Registry, agent: AgentSnapshot, redactor: Redactor): Digest {
  const known = stored.get(agent)?.get(redactor);
  if (known) return known;
  const { digest, json } = snapshotDigest(agent);
  const redacted = redactor.text(json);
  const result = redacted === json ? digest : sha256(redacted);
  if (!registry.blobs.has(result)) registry.blobs.put(Buffer.from(redacted));
  stored.set(agent, (stored.get(agent) ?? new WeakMap()).set(redactor, result));
  return result;
}

/** A writer for one-off runs (a command that runs once); runs of dead processes are marked interrupted first. */
export function openEventLog(
  registry: Registry,
  agent: AgentSnapshot | undefined,
  secrets: string[] = [],
  options: { commitRunEnds?: boolean } = {},
): EventLog {
  const patterns = (agent?.policies ?? []).flatMap((p) => (p.spec.redact ?? []).map((r) => r.pattern));
  registry.recoverInterrupted();
  return registry.runs.openLog({ redact: createRedactor({ patterns, literals: secrets }), ...options });
}
