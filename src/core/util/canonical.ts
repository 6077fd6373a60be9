/** Canonical JSON (sorted keys, no whitespace) and sha256 digests: identical on every machine. */
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

export function sha256(data: string | Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Text is compared by content, not by platform: no BOM, LF line endings. Binary stays as it is. */
export function normalizeText(bytes: Buffer): Buffer {
  if (bytes.includes(0)) return bytes;
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return Buffer.from(text.replace(/\r\n?/g, '\n'), 'utf8');
}
