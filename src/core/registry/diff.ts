/** What changed between two registered versions: spec fields by path, and referenced files line by line. */
import type { BlobStore } from './blobs.js';
import type { Bundle } from './bundle.js';

export interface FieldChange {
  path: string;
  change: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

export interface FileChange {
  path: string;
  change: 'added' | 'removed' | 'changed';
  /** Unified-style lines (" ", "-", "+"), only for changed text files of reasonable size. */
  lines?: string[];
}

export interface BundleDiff {
  from: { ref: string; digest: string };
  to: { ref: string; digest: string };
  identical: boolean;
  spec: FieldChange[];
  files: FileChange[];
}

export function diffBundles(from: Bundle & { digest: string }, to: Bundle & { digest: string }, blobs: BlobStore): BundleDiff {
  const spec: FieldChange[] = [];
  diffValues('', from.spec.spec, to.spec.spec, spec);
  diffValues('metadata', { ...from.spec.metadata, version: undefined }, { ...to.spec.metadata, version: undefined }, spec);
  const files: FileChange[] = [];
  const before = new Map(from.files.map((f) => [f.path, f]));
  const after = new Map(to.files.map((f) => [f.path, f]));
  for (const path of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const a = before.get(path);
    const b = after.get(path);
    if (!a) files.push({ path, change: 'added' });
    else if (!b) files.push({ path, change: 'removed' });
    else if (a.digest !== b.digest) {
      const lines =
        blobs.has(a.digest) && blobs.has(b.digest) ? diffLines(blobs.get(a.digest).toString('utf8'), blobs.get(b.digest).toString('utf8')) : undefined;
      files.push({ path, change: 'changed', ...(lines ? { lines } : {}) });
    }
  }
  return {
    from: { ref: `${from.name}@${from.version}`, digest: from.digest },
    to: { ref: `${to.name}@${to.version}`, digest: to.digest },
    identical: spec.length === 0 && files.length === 0,
    spec,
    files,
  };
}

function diffValues(path: string, a: unknown, b: unknown, out: FieldChange[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    for (const key of [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort()) {
      const child = path ? `${path}.${key}` : `spec.${key}`;
      if (ao[key] === undefined && bo[key] !== undefined) out.push({ path: child, change: 'added', after: bo[key] });
      else if (bo[key] === undefined && ao[key] !== undefined) out.push({ path: child, change: 'removed', before: ao[key] });
      else diffValues(child, ao[key], bo[key], out);
    }
    return;
  }
  out.push({ path: path || 'spec', change: 'changed', before: a, after: b });
}

/** A longest-common-subsequence line diff; files beyond ~2,000 lines are reported changed without lines. */
export function diffLines(before: string, after: string): string[] | undefined {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length * b.length > 4_000_000) return undefined;
  const lcs: Uint32Array[] = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    const row = lcs[i] as Uint32Array;
    const below = lcs[i + 1] as Uint32Array;
    for (let j = b.length - 1; j >= 0; j--) row[j] = a[i] === b[j] ? (below[j + 1] ?? 0) + 1 : Math.max(below[j] ?? 0, row[j + 1] ?? 0);
  }
  const lines: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push(` ${a[i]}`);
      i++;
      j++;
    } else if (j < b.length && (i === a.length || (lcs[i]?.[j + 1] ?? 0) >= (lcs[i + 1]?.[j] ?? 0))) lines.push(`+${b[j++]}`);
    else lines.push(`-${a[i++]}`);
  }
  return lines;
}
