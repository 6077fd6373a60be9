import { isAgentctlError } from '../../core/errors.js';
import { formatDiagnostic } from './diagnostics.js';
import { outputRedactor } from './redact.js';
import { err } from './style.js';

/** The error as printed, redacted: a gateway that quotes the key in its 401 body never gets it onto the terminal. */
export function formatError(error: unknown): string {
  return outputRedactor().text(formatUnredacted(error));
}

/** The --json error line (one line on stderr), redacted like the text form. */
export function formatJsonError(error: { toJSON(): unknown }): string {
  return outputRedactor().json({ error: error.toJSON() });
}

function formatUnredacted(error: unknown): string {
  if (isAgentctlError(error)) {
    const lines = [...error.diagnostics.map(formatDiagnostic), `${err.red('error:')} ${error.message}`];
    if (error.where) lines.push(`  ${err.dim('where:')} ${error.where}`);
    if (error.fix) lines.push(`  ${err.cyan('fix:')}   ${error.fix}`);
    return lines.join('\n');
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return `${err.red('internal error:')} ${message}\n  ${err.cyan('fix:')}   this is a bug in agentctl; please report it with the command you ran`;
}
