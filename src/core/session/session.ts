/**
 * The session layer: what `run`, `eval`, `playground` and `replay` share, decided once per command —
 * the workspace and its config, the registry and event log, the provider and model (one precedence
 * rule, model-choice.ts), the secrets and redaction patterns of the agent in use, cancellation (SIGINT
 * and SIGTERM into one signal) and the exit code of an outcome. Commands parse, call this, present.
 */
import { setMaxListeners } from 'node:events';
import type { EvaluateOptions, GateOutcome } from '../eval/evaluate.js';
import type { EvalReport } from '../eval/runner.js';
import type { EventLog } from '../events/event-log.js';
import { createRedactor, type Redactor } from '../events/redact.js';
import { createProvider } from '../providers/create.js';
import { effectivePrices } from '../providers/price-table.js';
import type { Price } from '../providers/prices.js';
import type { ModelProvider } from '../providers/types.js';
import { type Actor, Registry } from '../registry/registry.js';
import { ownPublicKeys } from '../remote/sign.js';
import { cassetteFiles, saveRecordings } from '../runtime/cassettes.js';
import type { RuntimeEvent } from '../runtime/events.js';
import { executeRun } from '../runtime/execute.js';
import { type LoadedReplay, loadReplay } from '../runtime/replay.js';
import { resolveAgent } from '../runtime/resolve-agent.js';
import { assertRunQuota } from '../runtime/run-quota.js';
import type { RunFinished } from '../runtime/runtime.js';
import type { AgentSnapshot } from '../runtime/snapshot.js';
import { loadWorkspaceSpecs, type WorkspaceSpecs } from '../spec/validate.js';
import { resolveTelemetry } from '../telemetry/config.js';
import { CommandTraces } from '../telemetry/exporter.js';
import { assertCodeConsent, assertNoGatewayKeyToTools, type CodePurpose } from '../trust/consent.js';
import { acceptedSigners } from '../trust/trust-file.js';
import { deadline } from '../util/deadline.js';
import type { ConfigFlags } from '../workspace/config.js';
import { openWorkspace } from '../workspace/open.js';
import type { Workspace } from '../workspace/workspace.js';
import { type Cancellation, createCancellation } from './cancel.js';
import { evalExitCode, runExitCode } from './exit-codes.js';
import { chooseModel, type ModelSource } from './model-choice.js';
import { withEchoOnMiss } from './offline.js';
import { continueSession } from './turns.js';

export interface SessionOptions {
  cwd: string;
  flags?: ConfigFlags;
  env?: NodeJS.ProcessEnv;
  /** `--provider`: wins over AGENTCTL_PROVIDER and gateway.provider. */
  provider?: string | undefined;
  /** `--model`: wins over AGENTCTL_MODEL, gateway.model and the agent's model.ref. */
  model?: string | undefined;
  /** Trap SIGINT and SIGTERM for the command's lifetime (the CLI does; library callers and tests need not). */
  trapSignals?: boolean;
  /** Commit the event log at every run's end (default), or batched across runs (evals). */
  commitRunEnds?: boolean;
  /** `--trust-code`: code that came with a pulled version signed by a trusted key may run (trust/consent.ts). */
  trustCode?: boolean;
}

/** An agent bound to everything a run of it needs; rebuilt whenever the agent or version changes. */
export interface Binding {
  agent: AgentSnapshot;
  provider: ModelProvider;
  model: string;
  modelSource: ModelSource;
  /** The model override passed to the runtime (undefined when the agent's own model stands). */
  modelOverride: string | undefined;
  /** Secrets this binding holds (the gateway key, header values from the environment). */
  secrets: string[];
  redactor: Redactor;
}

export interface RunRequest {
  input: string;
  /** Continue this session: its earlier turns go into the context. A new session otherwise. */
  sessionId?: string | undefined;
  live?: boolean;
  /** Add live responses to the workspace cassettes. */
  record?: boolean;
  /** Cancels this run only (the playground's ^C); the command's own cancellation always applies too. */
  signal?: AbortSignal;
}

export class AgentSession {
  readonly workspace: Workspace;
  readonly registry: Registry;
  readonly cancellation: Cancellation;
  private eventLog: EventLog | undefined;
  private loadedSpecs: WorkspaceSpecs | undefined;
  private priceTable: Record<string, Price> | undefined;
  /** Sends each run's spans to the OTLP collector, when one is configured (core/telemetry). */
  private traces: CommandTraces | undefined;

  private constructor(private readonly options: SessionOptions) {
    this.workspace = openWorkspace(options.cwd, { ...options.flags, provider: options.provider ?? options.flags?.provider }, options.env ?? process.env);
    this.registry = Registry.open(this.workspace);
    this.cancellation = createCancellation({ trap: options.trapSignals ?? false });
  }

  static open(options: SessionOptions): AgentSession {
    return new AgentSession(options);
  }

  get actor(): Actor {
    return { user: this.workspace.config.user, team: this.workspace.config.team };
  }

  get signal(): AbortSignal {
    return this.cancellation.signal;
  }

  /** What runs price their calls with: the config's prices over the imported table (`prices import`), read once. */
  get prices(): Record<string, Price> {
    this.priceTable ??= effectivePrices(this.workspace.stateDir, this.workspace.config.prices);
    return this.priceTable;
  }

  /** The workspace's specs, read once per command (`fresh`: read again, as the playground does when the user switches agent). */
  specs(fresh = false): WorkspaceSpecs {
    if (fresh || !this.loadedSpecs) this.loadedSpecs = loadWorkspaceSpecs(this.workspace.root, this.options.cwd);
    return this.loadedSpecs;
  }

  /** `name` (the workspace copy, else the registry), or `name@version`; the specs it needs must validate. */
  resolve(ref: string, options: { fresh?: boolean } = {}): AgentSnapshot {
    return resolveAgent(this.workspace, this.registry, ref, this.options.cwd, this.specs(options.fresh));
  }

  /**
   * Provider, model, secrets and redaction for `agent`. `echoOnMiss`: the playground answers free-form
   * input the cassette does not know with the labelled echo double.
   */
  bind(agent: AgentSnapshot, options: { echoOnMiss?: boolean } = {}): Binding {
    const config = this.workspace.config;
    const chosen = createProvider(config.provider, config, this.options.env ?? process.env, agent);
    const provider = options.echoOnMiss && chosen.provider.name === 'cassette' ? withEchoOnMiss(chosen.provider) : chosen.provider;
    const model = chooseModel(this.options.model, config, agent);
    const patterns = agent.policies.flatMap((p) => (p.spec.redact ?? []).map((r) => r.pattern));
    return {
      agent,
      provider,
      model: model.model,
      modelSource: model.source,
      modelOverride: model.override,
      secrets: chosen.secrets,
      redactor: createRedactor({ patterns, literals: chosen.secrets }),
    };
  }

  /** The one event-log writer of this process (runs interrupted by dead processes are marked first). */
  get log(): EventLog {
    if (!this.eventLog) {
      this.registry.recoverInterrupted();
      this.traces = new CommandTraces(resolveTelemetry(this.options.env ?? process.env, this.workspace.config.telemetry), {
        flush: () => this.eventLog?.flush(),
        run: (runId) => this.registry.runs.get(runId),
        events: (runId) => this.registry.runs.events(runId),
      });
      this.eventLog = this.registry.runs.openLog({
        redact: createRedactor(),
        commitRunEnds: this.options.commitRunEnds ?? true,
        onRunFinished: this.traces.onRunFinished,
      });
    }
    return this.eventLog;
  }

  /** One run of the bound agent, as its event stream (written to the event log as it flows). */
  run(binding: Binding, request: RunRequest): AsyncGenerator<RuntimeEvent, RunFinished> {
    assertRunQuota(this.registry, binding.agent);
    if (request.live) this.assertMayRunCode(binding.agent, 'live-run');
    const history = request.sessionId ? continueSession(this.registry.runs, request.sessionId, binding.agent.name) : [];
    const log = this.log;
    log.redactWith(binding.redactor);
    const linked = request.signal ? deadline([this.signal, request.signal], Number.POSITIVE_INFINITY) : undefined;
    const stream = executeRun({
      registry: this.registry,
      agent: binding.agent,
      input: request.input,
      history,
      provider: binding.provider,
      mode: request.live ? 'live' : 'dry',
      model: binding.modelOverride,
      prices: this.prices,
      actor: this.actor,
      sessionId: request.sessionId,
      signal: linked?.signal ?? this.signal,
      log,
      recordInto: request.record ? cassetteFiles(this.workspace.root, this.options.cwd) : undefined,
    });
    return disposeAfter(stream, () => linked?.dispose());
  }

  /**
   * The agent's sample set, through the same provider, model, redaction and cancellation as its runs.
   * `record`: live model answers (runs and judges) are added to the workspace cassettes.
   */
  async evaluate(
    binding: Binding,
    options: Omit<EvaluateOptions, 'workspace' | 'registry' | 'agent' | 'provider' | 'model' | 'signal' | 'actor' | 'prices' | 'log' | 'onRecorded'> & {
      record?: boolean;
      /** Cancels this eval only (the playground's ^C); the command's cancellation always applies too. */
      signal?: AbortSignal;
    },
  ): Promise<{ report: EvalReport; gate: GateOutcome }> {
    this.assertMayRunCode(binding.agent, 'eval');
    const log = this.log;
    log.redactWith(binding.redactor);
    const cassettes = options.record ? cassetteFiles(this.workspace.root, this.options.cwd) : undefined;
    const { record: _record, signal, ...rest } = options;
    const linked = deadline([this.signal, signal], Number.POSITIVE_INFINITY);
    // Every sample in flight (--concurrency) listens to this one signal: by design, so no leak warning.
    setMaxListeners(0, linked.signal);
    try {
      // Loaded here, not with the session: run and the playground never pay for the eval code.
      const { evaluateAgent } = await import('../eval/evaluate.js');
      return await evaluateAgent({
        ...rest,
        workspace: this.workspace,
        registry: this.registry,
        agent: binding.agent,
        provider: binding.provider,
        model: binding.modelOverride,
        signal: linked.signal,
        actor: this.actor,
        prices: this.prices,
        log,
        onRecorded: cassettes ? (entries) => saveRecordings(entries, cassettes, binding.redactor) : undefined,
      });
    } finally {
      linked.dispose();
    }
  }

  /**
   * Re-executes a recorded run: its exact snapshot, model and mode, answered by the responses and tool
   * outcomes it recorded (never a live model or tool), under this command's cancellation.
   */
  replay(runId: string): { original: LoadedReplay; stream: AsyncGenerator<RuntimeEvent, RunFinished> } {
    const original = loadReplay(this.registry, runId);
    const log = this.log;
    log.redactWith(createRedactor({ patterns: original.snapshot.policies.flatMap((p) => (p.spec.redact ?? []).map((r) => r.pattern)) }));
    const stream = executeRun({
      registry: this.registry,
      agent: original.snapshot,
      input: original.run.input,
      history: original.history,
      provider: original.provider,
      tools: original.tools,
      mode: original.run.mode === 'live' ? 'live' : 'dry',
      model: original.run.model,
      prices: this.prices,
      actor: this.actor,
      sessionId: original.run.sessionId,
      replayOf: original.run.runId,
      signal: this.signal,
      log,
    });
    return { original, stream };
  }

  /**
   * Decided once, before anything runs: pulled code needs a trusted signer and --trust-code, and no
   * live tool may be handed the gateway key (whatever validate said when it was registered).
   */
  private assertMayRunCode(agent: AgentSnapshot, purpose: CodePurpose): void {
    const env = this.options.env ?? process.env;
    if (purpose === 'live-run') assertNoGatewayKeyToTools(agent, this.workspace.config.apiKeyEnv);
    assertCodeConsent({
      registry: this.registry,
      workspace: this.workspace,
      agent,
      purpose,
      trustCode: this.options.trustCode ?? false,
      trustedNow: acceptedSigners(this.workspace.stateDir, this.workspace.config.trustedKeys, ownPublicKeys(env)),
    });
  }

  /**
   * Sends the traces still queued (waiting at most the OTLP timeout) and returns the command's warnings
   * about them: at most one about runs not sent, naming the command that sends them later. Call before
   * `close()`; a command that ran nothing has nothing to say.
   */
  async finishTelemetry(): Promise<string[]> {
    const traces = this.traces;
    this.traces = undefined;
    // A cancelled command (Ctrl-C) does not wait for a slow collector: what is left is named in the warning.
    return traces ? await traces.finish(this.signal) : [];
  }

  runExitCode(status: RunFinished['status']): number {
    return runExitCode(status, this.cancellation.stoppedBy);
  }

  evalExitCode(gatePassed: boolean, partial: boolean): number {
    return evalExitCode(gatePassed, partial, this.cancellation.stoppedBy);
  }

  close(): void {
    this.cancellation.dispose();
    try {
      this.eventLog?.flush();
    } finally {
      this.registry.close();
    }
  }
}

async function* disposeAfter<T, R>(stream: AsyncGenerator<T, R>, dispose: () => void): AsyncGenerator<T, R> {
  try {
    return yield* stream;
  } finally {
    dispose();
  }
}
