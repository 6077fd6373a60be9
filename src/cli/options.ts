/**
 * The one parser for numeric flags. Every numeric option of every command goes through `intOption`, used as
 * commander's `.argParser`, so `--limit abc` is a usage error (exit 2) that names the flag, the value and
 * an example — never a NaN that reaches core and surfaces as an internal error.
 */
import { UsageError } from '../core/errors.js';

export interface IntRange {
  min?: number;
  max?: number;
  /** A value shown in the fix, e.g. 20 for `--limit 20`. Defaults to `min` (or 1). */
  example?: number;
}

/** Parses a whole number within [min, max]; throws a UsageError naming `flag` otherwise. */
export function parseIntFlag(flag: string, text: string, range: IntRange = {}): number {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
  const example = range.example ?? range.min ?? 1;
  const trimmed = text.trim();
  // Number() alone would accept "", "0x10", "1e3" and " 4 "; a flag value is plain decimal digits.
  const n = /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  const bounds =
    range.min !== undefined && range.max !== undefined
      ? `between ${range.min} and ${range.max}`
      : range.min !== undefined
        ? `≥ ${range.min}`
        : range.max !== undefined
          ? `≤ ${range.max}`
          : '';
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be a whole number${bounds ? ` ${bounds}` : ''}, got "${text}"`, {
      where: flag,
      fix: `e.g. ${flag} ${example}`,
      code: 'invalid-number',
    });
  }
  return n;
}

/** A commander `.argParser` for a whole-number flag: `.option('--limit <n>', …).argParser(intOption('--limit', {min: 1}))`. */
export function intOption(flag: string, range: IntRange = {}): (value: string) => number {
  return (value) => parseIntFlag(flag, value, range);
}
