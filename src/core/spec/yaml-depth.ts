/**
 * How deeply a YAML text nests, found by one linear pass over its characters, before the parser sees
 * it. The yaml library composes documents recursively: 10,000 nested "[" overflow the stack, and the
 * column where "Maximum call stack size exceeded" surfaces changes from run to run. This scan has no
 * recursion, so the first position that nests too deeply is the same on every run.
 *
 * It counts block levels (an indentation stack, plus each compact "- " or "? " on a line) and flow
 * levels ("[" and "{" at a value's start, or anywhere inside a flow collection), skipping quoted
 * strings, comments and block scalars. It may over-count a little on odd layouts, never under-count a
 * flow nesting, which is the one that overflows.
 */

/** Far beyond any real spec (JSON Schemas included), far below what overflows the parser. */
export const MAX_YAML_DEPTH = 64;

export interface TooDeep {
  line: number;
  col: number;
  depth: number;
}

export function findTooDeep(source: string, maxDepth = MAX_YAML_DEPTH): TooDeep | undefined {
  const lines = source.split('\n');
  const indents: number[] = [];
  let flow = 0;
  let quote: '"' | "'" | undefined;
  let blockScalarIndent: number | undefined;

  for (let n = 0; n < lines.length; n++) {
    const text = (lines[n] as string).replace(/\r$/, '');
    let i = 0;
    while (i < text.length && text[i] === ' ') i++;
    const blank = i === text.length || text[i] === '#';

    if (blockScalarIndent !== undefined) {
      if (blank || i > blockScalarIndent) continue;
      blockScalarIndent = undefined;
    }
    if (blank && quote === undefined) continue;

    let block = indents.length;
    if (flow === 0 && quote === undefined) {
      while (indents.length > 0 && (indents[indents.length - 1] as number) >= i) indents.pop();
      indents.push(i);
      block = indents.length;
    }
    let valueStart = flow === 0 && quote === undefined;
    for (let c = i; c < text.length; c++) {
      const ch = text[c] as string;
      if (quote !== undefined) {
        if (quote === '"' && ch === '\\') c++;
        else if (ch === quote) {
          if (quote === "'" && text[c + 1] === "'") c++;
          else quote = undefined;
        }
        continue;
      }
      if (ch === '#' && (c === 0 || text[c - 1] === ' ' || text[c - 1] === '\t')) break;
      if (ch === ' ' || ch === '\t') continue;
      if ((ch === '"' || ch === "'") && (valueStart || flow > 0)) {
        quote = ch;
        valueStart = false;
        continue;
      }
      if ((ch === '[' || ch === '{') && (valueStart || flow > 0)) {
        flow++;
        if (block + flow > maxDepth) return { line: n + 1, col: c + 1, depth: block + flow };
        valueStart = true;
        continue;
      }
      if ((ch === ']' || ch === '}') && flow > 0) {
        flow--;
        continue;
      }
      if (flow > 0) {
        valueStart = ch === ',' || ch === ':';
        continue;
      }
      // Block context: "- " and "? " open a level; ": " starts a value; "|" or ">" there opens a block scalar.
      const next = text[c + 1];
      if ((ch === '-' || ch === '?') && valueStart && (next === ' ' || next === undefined)) {
        block++;
        if (block > maxDepth) return { line: n + 1, col: c + 1, depth: block };
        continue;
      }
      if (ch === ':' && (next === ' ' || next === undefined)) {
        valueStart = true;
        continue;
      }
      if ((ch === '|' || ch === '>') && valueStart) {
        blockScalarIndent = i;
        break;
      }
      valueStart = false;
    }
    if (flow === 0 && quote === undefined && block > maxDepth) return { line: n + 1, col: i + 1, depth: block };
  }
  return undefined;
}
