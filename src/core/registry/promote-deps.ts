/**
 * `promote --with-deps`: dependencies follow their stage, so a version's locked sub-agents and tools are
 * promoted first (their own dependencies before them), step by step (draft → dev → canary → prod), each
 * move through its own gates and audited like any other. It never takes a stage away from a newer version
 * of a dependency: that would re-route other consumers, so it says so and stops.
 */
import { CheckFailedError } from '../errors.js';
import { compareVersions } from '../spec/refs.js';
import { plan, STAGES, type Stage, type State } from './lifecycle.js';
import type { Actor, Registry, VersionRow } from './registry.js';

const RANK: Record<Stage, number> = { dev: 0, canary: 1, prod: 2 };

export function promoteDependencies(
  registry: Registry,
  root: VersionRow,
  stage: Stage,
  actor: Actor,
  reason: string | null,
  guard: (row: VersionRow, next: State | null) => void,
): string[] {
  // The version itself must be able to take the step before anything is moved for it.
  plan(`${root.name}@${root.version}`, root, { action: 'promote', to: stage });
  const steps: string[] = [];
  const seen = new Set<string>();
  const visit = (row: VersionRow) => {
    for (const dep of registry.dependenciesOf(row.name, row.version)) {
      const key = `${dep.name}@${dep.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const current = registry.resolve(key);
      visit(current);
      if (current.status === 'active' && current.holds.some((s) => RANK[s] >= RANK[stage])) continue;
      if (current.status === 'deprecated' || current.status === 'disabled') {
        throw new CheckFailedError(`${key} is ${current.status}: it cannot be promoted for ${row.name}@${row.version}`, {
          where: key,
          fix: `register a version of ${row.name} that uses an active ${dep.name}`,
          code: 'dependency-not-promotable',
        });
      }
      // An active version can only move up from the stage it reached (the lifecycle never repeats a stage).
      const path = STAGES.slice(current.status === 'draft' ? 0 : RANK[current.stage] + 1, RANK[stage] + 1);
      // Never take any stage on the way from a newer version: that would re-route its consumers. Checked
      // for every step before the first one is taken.
      for (const next of path) {
        const holder = registry.stages.holder(dep.name, next);
        if (holder !== undefined && compareVersions(holder, dep.version) > 0) {
          throw new CheckFailedError(
            `${dep.name}@${next} is ${holder}, newer than ${key} that ${row.name}@${row.version} locks: promoting it would route every consumer back`,
            {
              where: key,
              fix: `register a version of ${row.name} that uses ${dep.name}@${holder}, or promote ${key} yourself if you mean it`,
              code: 'would-route-back',
            },
          );
        }
      }
      for (const next of path) {
        const before = registry.resolve(key);
        if (before.status === 'active' && before.holds.includes(next)) continue;
        const expect = registry.stages.holder(dep.name, next) ?? null;
        registry.transition(key, { action: 'promote', to: next }, actor, reason ?? `with ${root.name}@${root.version}`, guard, expect);
        steps.push(`${key} → ${next} (a dependency of ${row.name}@${row.version})`);
      }
    }
  };
  visit(root);
  return steps;
}
