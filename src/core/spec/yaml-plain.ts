/**
 * A fast path for the plain YAML that specs are written in: block mappings and sequences, one-line flow
 * collections, plain and simply quoted one-line scalars, comments. Anything outside that subset — anchors,
 * aliases, tags, block scalars, escapes, multi-line scalars, floats, odd keys, duplicate keys, documents
 * markers, tabs — returns undefined, and the caller parses the text with the yaml library as before (which
 * also reports every error). Registering 1,000 specs spent 45% of its time in the library's parser.
 *
 * Every text it accepts must give exactly what the library's toJS() gives (yaml-plain.test.ts checks it on
 * every scaffold and on a list of edge cases), so a spec's digest does not depend on which path read it.
 */

/**
 * Characters whose meaning the subset leaves to the library: control characters, indicators, escapes, and
 * the Unicode spaces that trim() takes for whitespace but YAML keeps as text (a key's value ending in a
 * no-break space is that text, not a trimmed one).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const OUTSIDE = /[\t\r&*!|>\\\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;
const PLAIN_KEY = /^([A-Za-z_][A-Za-z0-9_./-]*):(?= |$)/;
const QUOTED_KEY = /^(?:"([^"]+)"|'((?:[^']|'')+)'):(?= |$)/;
/** Keys the library would not read as the same string (null, booleans), or that an object cannot hold plainly. */
const ODD_KEY = /^(?:~|[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE|__proto__)$/;
const INT = /^(?:0|-?[1-9][0-9]{0,14})$/;
const FLOAT = /^-?(?:0|[1-9][0-9]{0,14})\.[0-9]{1,15}$/;
/** Every other form the core schema reads as a number (floats, .inf, .nan, octal, hex, signed or zero-led ints). */
const NUMBER = /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|0o[0-7]+|0x[0-9a-fA-F]+)$/;

interface Line {
  indent: number;
  content: string;
}

class Outside extends Error {}

function outside(): never {
  throw new Outside();
}

/** The value of `source` when it is a mapping written in the plain subset; undefined otherwise. */
export function parsePlainYaml(source: string): Record<string, unknown> | undefined {
  if (OUTSIDE.test(source)) return undefined;
  const lines: Line[] = [];
  for (const raw of source.split('\n')) {
    const content = raw.trimStart();
    if (content === '' || content.startsWith('#')) continue;
    if (raw.startsWith('---') || raw.startsWith('...')) return undefined;
    lines.push({ indent: raw.length - content.length, content: content.trimEnd() });
  }
  if (lines.length === 0 || lines[0]?.indent !== 0) return undefined;
  try {
    const reader = new Reader(lines);
    const value = reader.mapping(0);
    return reader.done() ? value : undefined;
  } catch (error) {
    if (error instanceof Outside) return undefined;
    throw error;
  }
}

class Reader {
  private pos = 0;
  constructor(private readonly lines: Line[]) {}

  done(): boolean {
    return this.pos === this.lines.length;
  }

  private block(indent: number): unknown {
    const line = this.lines[this.pos] ?? outside();
    return isItem(line.content) ? this.sequence(indent) : this.mapping(indent);
  }

  mapping(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let line = this.lines[this.pos]; line && line.indent >= indent; line = this.lines[this.pos]) {
      if (line.indent > indent || isItem(line.content)) outside();
      const { key, rest } = entry(line.content) ?? outside();
      if (Object.hasOwn(out, key)) outside();
      this.pos++;
      const next = this.lines[this.pos];
      if (rest === '' || rest.startsWith('#')) {
        if (next && next.indent > indent) out[key] = this.block(next.indent);
        else if (next && next.indent === indent && isItem(next.content)) out[key] = this.sequence(indent);
        else out[key] = null;
      } else {
        out[key] = inline(rest);
        // A deeper line after an inline value continues a multi-line scalar: the library's business.
        if (next && next.indent > indent) outside();
      }
    }
    return out;
  }

  private sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    for (let line = this.lines[this.pos]; line && line.indent >= indent; line = this.lines[this.pos]) {
      if (line.indent > indent || !isItem(line.content)) break;
      const after = line.content.slice(1);
      const item = after.trimStart();
      if (item === '' || item.startsWith('#')) {
        this.pos++;
        const next = this.lines[this.pos];
        out.push(next && next.indent > indent ? this.block(next.indent) : null);
      } else if (isItem(item)) {
        outside();
      } else if (entry(item)) {
        // `- key: value`: a mapping whose keys sit where this one does.
        const at = indent + 1 + (after.length - item.length);
        this.lines[this.pos] = { indent: at, content: item };
        out.push(this.mapping(at));
      } else {
        out.push(inline(item));
        this.pos++;
        const next = this.lines[this.pos];
        if (next && next.indent > indent) outside();
      }
    }
    const stray = this.lines[this.pos];
    if (stray && stray.indent > indent) outside();
    return out;
  }
}

const isItem = (content: string) => content === '-' || content.startsWith('- ');

function entry(content: string): { key: string; rest: string } | undefined {
  const plain = PLAIN_KEY.exec(content);
  const quoted = plain ? undefined : QUOTED_KEY.exec(content);
  const match = plain ?? quoted;
  if (!match) return undefined;
  const key = plain ? (plain[1] as string) : quoted?.[1] !== undefined ? quoted[1] : (quoted?.[2] ?? '').replace(/''/g, "'");
  if (ODD_KEY.test(key) || key.length > 1000) outside();
  return { key, rest: content.slice(match[0].length).trimStart() };
}

/** A value written on its key's line: a quoted or plain scalar, or a one-line flow collection. */
function inline(text: string): unknown {
  const first = text[0];
  if (first === '{' || first === '[' || first === '"' || first === "'") {
    const flow = new Flow(text);
    const value = flow.value();
    flow.end();
    return value;
  }
  const hash = text.indexOf(' #');
  const scalar = (hash < 0 ? text : text.slice(0, hash)).trimEnd();
  if (/[{}[\]]|: |:$/.test(scalar)) outside();
  return plainScalar(scalar);
}

/** The core schema's reading of a plain scalar, for the forms the subset keeps (others go to the library). */
function plainScalar(text: string): unknown {
  if (text === '' || text === '~' || text === 'null' || text === 'Null' || text === 'NULL') return null;
  if (text === 'true' || text === 'True' || text === 'TRUE') return true;
  if (text === 'false' || text === 'False' || text === 'FALSE') return false;
  if (INT.test(text) || FLOAT.test(text)) return Number(text);
  // Other numbers, and indicator characters at the start (`- x`, `? x`, `%`, `@`, …): the library decides.
  if (NUMBER.test(text) || /^(?:[?:,#'"%@`]|-(?: |$))/.test(text)) outside();
  return text;
}

/** One-line flow collections and quoted scalars. */
class Flow {
  private i = 0;
  constructor(private readonly text: string) {}

  private spaces(): void {
    while (this.text[this.i] === ' ') this.i++;
  }

  end(): void {
    this.spaces();
    if (this.i < this.text.length && this.text[this.i] !== '#') outside();
    if (this.text[this.i] === '#' && this.text[this.i - 1] !== ' ') outside();
  }

  value(): unknown {
    this.spaces();
    const c = this.text[this.i];
    if (c === '{') return this.map();
    if (c === '[') return this.seq();
    if (c === '"' || c === "'") return this.quoted(c);
    return this.plain();
  }

  private quoted(q: string): string {
    let out = '';
    for (let j = this.i + 1; j < this.text.length; j++) {
      if (this.text[j] !== q) continue;
      if (q === "'" && this.text[j + 1] === "'") {
        out += `${this.text.slice(this.i + 1, j)}'`;
        this.i = j + 1;
        j++;
        continue;
      }
      out += this.text.slice(this.i + 1, j);
      this.i = j + 1;
      return out;
    }
    return outside();
  }

  private plain(): unknown {
    const start = this.i;
    while (this.i < this.text.length && !',]}'.includes(this.text[this.i] as string)) this.i++;
    const text = this.text.slice(start, this.i).trim();
    // A flow plain scalar holds no flow indicator, no `: ` (it would be a key) and no comment.
    if (text === '' || /[#[{]|: |:$/.test(text)) outside();
    return plainScalar(text);
  }

  private key(): string {
    this.spaces();
    const rest = this.text.slice(this.i);
    const match = PLAIN_KEY.exec(rest) ?? QUOTED_KEY.exec(rest) ?? outside();
    const { key } = entry(match[0]) ?? outside();
    this.i += match[0].length;
    return key;
  }

  private map(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.i++;
    for (;;) {
      this.spaces();
      if (this.text[this.i] === '}') break;
      const key = this.key();
      if (Object.hasOwn(out, key)) outside();
      out[key] = this.value();
      this.spaces();
      if (this.text[this.i] === ',') this.i++;
      else if (this.text[this.i] !== '}') outside();
    }
    this.i++;
    return out;
  }

  private seq(): unknown[] {
    const out: unknown[] = [];
    this.i++;
    for (;;) {
      this.spaces();
      if (this.text[this.i] === ']') break;
      out.push(this.value());
      this.spaces();
      if (this.text[this.i] === ',') this.i++;
      else if (this.text[this.i] !== ']') outside();
    }
    this.i++;
    return out;
  }
}
