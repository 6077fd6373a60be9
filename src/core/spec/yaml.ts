/**
 * Safe YAML: a size cap, no aliases (so no alias bombs), duplicate keys are errors, no custom tags,
 * one document per file. Every node can be located at line:col for diagnostics.
 */
import { type Document, isAlias, isMap, isNode, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from 'yaml';
import type { Diagnostic, PathSegment } from './diagnostics.js';
import { findTooDeep, MAX_YAML_DEPTH } from './yaml-depth.js';
import { parsePlainYaml } from './yaml-plain.js';

/** Specs are small; anything bigger is a mistake or an attack. */
export const MAX_SPEC_BYTES = 1024 * 1024;

const STANDARD_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq', 'binary'].map((t) => `tag:yaml.org,2002:${t}`));

export interface Located {
  line: number;
  col: number;
}

export interface ParsedYaml {
  value: unknown;
  /** Where the value at `path` starts; falls back to the nearest existing ancestor. */
  locate(path: readonly PathSegment[]): Located;
  /** Where the key `key` of the mapping at `path` is written, if it is. */
  locateKey(path: readonly PathSegment[], key: string): Located | undefined;
}

/**
 * `diagnostics` on success: errors that did not stop the parse (duplicate keys, when the caller asked
 * to go on after them, so they do not hide the file's other errors). Callers must still report them.
 */
export type ParseResult = { ok: true; parsed: ParsedYaml; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

export interface ParseOptions {
  /** Report duplicate keys but still return the document (the later key wins), so later checks run. */
  continueAfterDuplicateKeys?: boolean;
}

/**
 * The parse-level ceiling for data files specs reference (cassettes, sample sets). The cap users meet is
 * lower and configurable (limits.referencedFileBytes, default 16 MiB): it is enforced when the file is read.
 */
export const MAX_DATA_BYTES = 256 * MAX_SPEC_BYTES;

export function parseYamlSafely(file: string, source: string, maxBytes = MAX_SPEC_BYTES, options: ParseOptions = {}): ParseResult {
  const bytes = Buffer.byteLength(source);
  if (bytes > maxBytes) return { ok: false, diagnostics: [tooLarge(file, bytes, maxBytes)] };
  const deep = findTooDeep(source);
  if (deep) {
    const diagnostic: Diagnostic = {
      file,
      line: deep.line,
      col: deep.col,
      path: '',
      code: 'too-deep',
      message: `nesting deeper than ${MAX_YAML_DEPTH} levels at ${deep.line}:${deep.col}`,
      fix: 'flatten the structure; no spec or data file needs this much nesting',
      severity: 'error',
    };
    return { ok: false, diagnostics: [diagnostic] };
  }

  // Most specs are plain YAML, read ~10× faster by yaml-plain.ts; positions are then found only if a
  // diagnostic asks for one, by parsing again with the library.
  const plain = parsePlainYaml(source);
  if (plain !== undefined) return { ok: true, parsed: { value: plain, ...lazyLocator(source) }, diagnostics: [] };

  const { doc, at } = parseWithPositions(source);
  const diagnostics: Diagnostic[] = [];

  for (const error of doc.errors) {
    const pos = at(error.pos[0]);
    const duplicate = error.code === 'DUPLICATE_KEY';
    diagnostics.push({
      file,
      ...pos,
      path: '',
      code: duplicate ? 'duplicate-key' : 'yaml-syntax',
      message: firstLine(error.message),
      fix: duplicate ? 'remove or rename one of the two keys' : 'fix the YAML syntax at this position',
      severity: 'error',
    });
  }
  for (const warning of doc.warnings) {
    if (warning.code !== 'TAG_RESOLVE_FAILED') continue;
    diagnostics.push({
      file,
      ...at(warning.pos[0]),
      path: '',
      code: 'custom-tag',
      message: 'custom YAML tags are not allowed in specs',
      fix: 'remove the tag (the part starting with "!")',
      severity: 'error',
    });
  }
  // An alias is written with `*` and a tag with `!`: a source with neither has no node to look for.
  const mayBeUnsafe = source.includes('*') || source.includes('!');
  if (mayBeUnsafe && (diagnostics.length === 0 || diagnostics.every((d) => d.code === 'duplicate-key'))) diagnostics.push(...unsafeNodes(file, doc, at));
  const onlyDuplicates = diagnostics.every((d) => d.code === 'duplicate-key');
  if (diagnostics.length > 0 && !(onlyDuplicates && options.continueAfterDuplicateKeys)) return { ok: false, diagnostics };

  return { ok: true, parsed: { value: doc.toJS({ maxAliasCount: 0 }), ...locator(doc, at) }, diagnostics };
}

function parseWithPositions(source: string): { doc: Document; at: (offset: number) => Located } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, uniqueKeys: true, merge: false, prettyErrors: false, strict: true });
  return { doc, at: (offset) => lineCounter.linePos(offset) };
}

function lazyLocator(source: string): Omit<ParsedYaml, 'value'> {
  let built: Omit<ParsedYaml, 'value'> | undefined;
  const get = () => {
    if (!built) {
      const { doc, at } = parseWithPositions(source);
      built = locator(doc, at);
    }
    return built;
  };
  return { locate: (path) => get().locate(path), locateKey: (path, key) => get().locateKey(path, key) };
}

function unsafeNodes(file: string, doc: Document, at: (offset: number) => Located): Diagnostic[] {
  const found: Diagnostic[] = [];
  visit(doc, (_key, node) => {
    if (isAlias(node)) {
      found.push({
        file,
        ...at(node.range?.[0] ?? 0),
        path: '',
        code: 'yaml-alias',
        message: `YAML aliases (*${node.source}) are not allowed in specs`,
        fix: 'write the value out in full instead of referring to an anchor',
        severity: 'error',
      });
      return undefined;
    }
    if ((isScalar(node) || isMap(node) || isSeq(node)) && node.tag && !STANDARD_TAGS.has(node.tag)) {
      found.push({
        file,
        ...at(node.range?.[0] ?? 0),
        path: '',
        code: 'custom-tag',
        message: `the YAML tag ${node.tag} is not allowed in specs`,
        fix: 'remove the tag (the part starting with "!")',
        severity: 'error',
      });
    }
    return undefined;
  });
  return found;
}

function locator(doc: Document, at: (offset: number) => Located): Omit<ParsedYaml, 'value'> {
  const walk = (path: readonly PathSegment[]): { node: Node | null; depth: number } => {
    let node: Node | null = isNode(doc.contents) ? doc.contents : null;
    let depth = 0;
    for (const segment of path) {
      const next = node === null ? undefined : child(node, segment);
      if (next === undefined) break;
      node = next;
      depth++;
    }
    return { node, depth };
  };
  return {
    locate(path) {
      const { node } = walk(path);
      return at(node?.range?.[0] ?? 0);
    },
    locateKey(path, key) {
      const { node, depth } = walk(path);
      if (depth !== path.length || !isMap(node)) return undefined;
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      return pair && isNode(pair.key) ? at(pair.key.range?.[0] ?? 0) : undefined;
    },
  };
}

function child(node: Node, segment: PathSegment): Node | undefined {
  if (isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
    return pair && isNode(pair.value) ? pair.value : undefined;
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return isNode(item) ? item : undefined;
  }
  return undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

export function tooLarge(file: string, bytes: number, cap = MAX_SPEC_BYTES): Diagnostic {
  return {
    file,
    line: 1,
    col: 1,
    path: '',
    code: 'too-large',
    message: `the file is ${(bytes / 1024 / 1024).toFixed(1)} MiB; ${cap === MAX_SPEC_BYTES ? 'spec files' : 'data files'} are capped at ${cap / 1024 / 1024} MiB`,
    fix: 'move large content (knowledge, datasets) into referenced files, or split the spec',
    severity: 'error',
  };
}
