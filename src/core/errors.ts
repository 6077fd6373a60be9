import type { Diagnostic } from './spec/diagnostics.js';

/**
 * The one error hierarchy. Every error a user can cause says what happened, where, and how to fix it,
 * and carries the exit code the CLI turns it into (in exactly one place: src/cli/main.ts).
 */

/** Exit codes, documented in `agentctl help exit-codes`. */
export const ExitCode = {
  ok: 0,
  /** The thing checked failed: invalid spec, refused gate, immutable conflict. */
  failure: 1,
  /** The command line itself is wrong. */
  usage: 2,
  /** The environment is wrong: no workspace, unreadable registry, unreachable remote. */
  environment: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorDetails {
  /** Where it happened: a file path (optionally with :line:col), a registry ref, a URL. */
  where?: string;
  /** The command or edit that fixes it. */
  fix?: string;
  /** A stable machine-readable code for --json consumers. */
  code?: string;
  cause?: unknown;
  /** File problems behind the error, each at file:line:col (printed before the error). */
  diagnostics?: Diagnostic[];
}

export class AgentctlError extends Error {
  readonly exitCode: ExitCode;
  readonly where: string | undefined;
  readonly fix: string | undefined;
  readonly code: string;
  readonly diagnostics: Diagnostic[];

  constructor(message: string, exitCode: ExitCode, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.where = details.where;
    this.fix = details.fix;
    this.code = details.code ?? 'error';
    this.diagnostics = details.diagnostics ?? [];
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      where: this.where,
      fix: this.fix,
      exitCode: this.exitCode,
      ...(this.diagnostics.length ? { diagnostics: this.diagnostics } : {}),
    };
  }
}

/** The thing checked is wrong (exit 1). */
export class CheckFailedError extends AgentctlError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, ExitCode.failure, details);
  }
}

/** The command was called wrongly (exit 2). */
export class UsageError extends AgentctlError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, ExitCode.usage, details);
  }
}

/** The environment is not as needed (exit 3). */
export class EnvironmentError extends AgentctlError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, ExitCode.environment, details);
  }
}

export class NoWorkspaceError extends EnvironmentError {
  constructor(from: string) {
    super(`no agentctl workspace here: no .agentctl/ folder in ${from} or any folder above it`, {
      where: from,
      fix: 'run `agentctl init` to create one, or cd into an existing workspace',
      code: 'no-workspace',
    });
  }
}

/** A registered name@version exists with a different digest. */
export class ImmutableVersionError extends CheckFailedError {
  constructor(ref: string, registered: string, attempted: string, suggestion: string) {
    super(`${ref} is already registered with digest ${registered}; this content has digest ${attempted}. Registered versions never change`, {
      where: ref,
      fix: `bump the version, e.g. metadata.version: ${suggestion}`,
      code: 'immutable-version',
    });
  }
}

export class TransitionError extends CheckFailedError {}

export class PermissionError extends CheckFailedError {}

export class NotFoundError extends CheckFailedError {}

/** Use at the end of every switch over a union: the compiler proves it is never reached. */
export function checkExhaustive(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}

export function isAgentctlError(error: unknown): error is AgentctlError {
  return error instanceof AgentctlError;
}
