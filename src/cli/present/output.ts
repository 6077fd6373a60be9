/**
 * stdout carries data (only data under --json); everything else goes to stderr. Every print goes
 * through the process-wide redactor here, so no command can print a secret by forgetting to.
 */
import type { CliContext } from '../context.js';
import { outputRedactor } from './redact.js';

export function printJson(ctx: CliContext, data: unknown): void {
  ctx.stdout.write(`${outputRedactor().json(data, 2)}\n`);
}

export function printLine(ctx: CliContext, line = ''): void {
  ctx.stdout.write(`${outputRedactor().text(line)}\n`);
}

/** Raw text for stdout (exports, schemas), redacted like every other print. */
export function printText(ctx: CliContext, text: string): void {
  ctx.stdout.write(outputRedactor().text(text));
}

export function note(ctx: CliContext, line = ''): void {
  ctx.stderr.write(`${outputRedactor().text(line)}\n`);
}

/** A plain aligned table; no box drawing, so it pipes and greps well. */
export function table(rows: readonly (readonly string[])[], header: readonly string[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => visibleLength(r[i] ?? ''))));
  return all
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visibleLength(cell)))).join('  '))
    .join('\n');
}

function visibleLength(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI colour codes
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}
