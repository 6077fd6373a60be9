/**
 * The one line after a command's human output that says what to do next. Guidance, not data: it goes
 * to stderr, and only when a person reads the output — never under --json, never when stdout or stderr
 * is piped. AGENTCTL_HINTS=1 forces it on (tests read it through pipes), AGENTCTL_HINTS=0 turns it off.
 */
import type { CliContext } from '../context.js';
import { note } from './output.js';
import { err } from './style.js';

/** Whether next-step hints are printed for this command's output. */
export function hintsOn(ctx: CliContext, options: { json?: boolean } = {}): boolean {
  if (options.json) return false;
  const forced = ctx.env.AGENTCTL_HINTS;
  if (forced === '0' || forced === 'false') return false;
  if (forced === '1' || forced === 'true') return true;
  return Boolean((ctx.stdout as NodeJS.WriteStream).isTTY && (ctx.stderr as NodeJS.WriteStream).isTTY);
}

/**
 * Prints `Next: <command>` (and why, briefly). `command` is a real, runnable command line with the
 * user's actual values (agent name, version, remote), never a placeholder the user must guess.
 */
export function nextStep(ctx: CliContext, command: string, why?: string, options: { json?: boolean } = {}): void {
  if (!hintsOn(ctx, options)) return;
  note(ctx, `${err.bold('Next:')} ${err.cyan(command)}${why ? err.dim(`  # ${why}`) : ''}`);
}
