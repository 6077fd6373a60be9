/** Object references: `name` or `name@<semver range>`. */
import semver from 'semver';

export interface ObjectRef {
  name: string;
  /** A semver range; `*` when the ref names no range. */
  range: string;
}

export function parseObjectRef(ref: string): ObjectRef {
  const at = ref.indexOf('@');
  return at === -1 ? { name: ref, range: '*' } : { name: ref.slice(0, at), range: ref.slice(at + 1) };
}

export function isValidRange(range: string): boolean {
  return semver.validRange(range) !== null;
}

/** The highest version that satisfies the range, prereleases included only when the range names one. */
export function bestMatch(versions: readonly string[], range: string): string | undefined {
  return semver.maxSatisfying([...versions], range) ?? undefined;
}

/** `name@version` → parts; a version must be exact semver. */
export function parseVersionRef(ref: string): { name: string; version: string | undefined } {
  const at = ref.indexOf('@');
  return at === -1 ? { name: ref, version: undefined } : { name: ref.slice(0, at), version: ref.slice(at + 1) };
}

export function compareVersions(a: string, b: string): number {
  return semver.compare(a, b);
}

export function nextPatch(version: string): string {
  return semver.inc(version, 'patch') ?? version;
}
