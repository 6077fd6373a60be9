import type { Diagnostic } from '../../core/spec/diagnostics.js';
import { out } from './style.js';

/** `file:line:col  error  message` then the fix, like a compiler, so editors can jump to it. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = out.bold(`${d.file}:${d.line}:${d.col}`);
  const severity = d.severity === 'error' ? out.red('error') : out.yellow('warning');
  const path = d.path ? out.dim(` [${d.path}]`) : '';
  const fix = d.fix ? `\n    ${out.cyan('fix:')} ${d.fix}` : '';
  return `${where}  ${severity}  ${d.message}${path}${fix}`;
}
