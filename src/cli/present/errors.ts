import { isAgentctlError } from '../../core/errors.js';
import { formatDiagnostic } from './diagnostics.js';
import { err } from './style.js';

export function formatError(error: unknown): string {
  if (isAgentctlError(error)) {
    const lines = [...error.diagnostics.map(formatDiagnostic), `${err.red('error:')} ${error.message}`];
    if (error.where) lines.push(`  ${err.dim('where:')} ${error.where}`);
    if (error.fix) lines.push(`  ${err.cyan('fix:')}   ${error.fix}`);
    return lines.join('\n');
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return `${err.red('internal error:')} ${message}\n  ${err.cyan('fix:')}   this is a bug in agentctl; please report it with the command you ran`;
}
