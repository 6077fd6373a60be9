/** Object references: `name` or `name@<semver range>`. */
// Single-purpose semver modules: the package index loads every one of them (~35 ms at start-up).
import compare from 'semver/functions/compare.js';
import inc from 'semver/functions/inc.js';
import parse from 'semver/functions/parse.js';
import valid from 'semver/functions/valid.js';
import maxSatisfying from 'semver/ranges/max-satisfying.js';
import validRange from 'semver/ranges/valid.js';

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
  return validRange(range) !== null;
}

/** The highest version that satisfies the range, prereleases included only when the range names one. */
export function bestMatch(versions: readonly string[], range: string): string | undefined {
  return maxSatisfying([...versions], range) ?? undefined;
}

/** `name@version` → parts; a version must be exact semver. */
export function parseVersionRef(ref: string): { name: string; version: string | undefined } {
  const at = ref.indexOf('@');
  return at === -1 ? { name: ref, version: undefined } : { name: ref.slice(0, at), version: ref.slice(at + 1) };
}

export function compareVersions(a: string, b: string): number {
  return compare(a, b);
}

export function nextPatch(version: string): string {
  return inc(version, 'patch') ?? version;
}

export function isExactVersion(version: string): boolean {
  return valid(version) !== null;
}

export function versionParts(version: string): { major: number; minor: number; patch: number; prerelease: string } {
  const parsed = parse(version);
  return { major: parsed?.major ?? 0, minor: parsed?.minor ?? 0, patch: parsed?.patch ?? 0, prerelease: parsed?.prerelease.join('.') ?? '' };
}
