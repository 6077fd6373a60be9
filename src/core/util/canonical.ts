/** Canonical JSON (sorted keys, no whitespace) and sha256 digests: identical on every machine. */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('non-finite number in canonical JSON');
    return JSON.stringify(value) ?? 'null';
  }
  // Plain loops and string appends: the entries/filter/sort/map/join chain was a tenth of registering
  // 1,000 versions. The output is the same: keys in code-unit order (sort()'s default), undefined left out.
  if (Array.isArray(value)) {
    let out = '[';
    // A hole in a sparse array stays empty, as map() and join() left it.
    for (let i = 0; i < value.length; i++) out += `${i === 0 ? '' : ','}${i in value ? canonicalJson(value[i] === undefined ? null : value[i]) : ''}`;
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  let out = '{';
  for (const key of Object.keys(record).sort()) {
    const v = record[key];
    if (v === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

export type Digest = `sha256:${string}`;

/**
 * A long string is hashed a slice at a time: Node encodes a string to a temporary buffer of its whole UTF-8
 * size, and freeing a buffer of megabytes (a 100,000-sample set is 10 MB) makes glibc keep up to twice that
 * size of freed memory for the rest of the process. Slices stay under glibc's mmap threshold (128 KB).
 */
const HASH_SLICE = 1 << 15;

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

export function sha256(data: string | Uint8Array): Digest {
  const hash = createHash('sha256');
  if (typeof data !== 'string' || data.length <= HASH_SLICE) hash.update(data);
  else {
    for (let i = 0; i < data.length; ) {
      let end = Math.min(i + HASH_SLICE, data.length);
      // A surrogate pair stays in one slice: halves apart would each be encoded as U+FFFD. Only a pair: a lone
      // high surrogate before one must not take the next pair's first half.
      if (end < data.length && isHighSurrogate(data.charCodeAt(end - 1)) && isLowSurrogate(data.charCodeAt(end))) end++;
      hash.update(data.slice(i, end));
      i = end;
    }
  }
  return `sha256:${hash.digest('hex')}`;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** Text is compared by content, not by platform: no BOM, LF line endings. Binary stays as it is. */
export function normalizeText(bytes: Buffer): Buffer {
  if (bytes.includes(0)) return bytes;
  // Most text already is: valid UTF-8 (decoding would replace what is not), no CR, no BOM. It is returned
  // as it is instead of decoded and encoded again (two more copies of a 10 MB sample set).
  const bom = UTF8_BOM.every((b, i) => bytes[i] === b);
  if (!bom && !bytes.includes(13) && isUtf8(bytes)) return bytes;
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return Buffer.from(text.replace(/\r\n?/g, '\n'), 'utf8');
}

/** The digest of `normalizeText(Buffer.from(text))`, without making either buffer. */
export function textDigest(text: string): Digest {
  if (text.includes('\0')) return sha256(text);
  const unmarked = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return sha256(unmarked.includes('\r') ? unmarked.replace(/\r\n?/g, '\n') : unmarked);
}
