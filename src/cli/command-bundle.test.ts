import { describe, expect, it } from 'vitest';
// @ts-expect-error: a build script (plain JavaScript, no declarations)
import { COMMAND_BUNDLES } from '../../scripts/build-command-bundle.mjs';
import { DEFERRED_IMPORTS } from './command-bundle.js';

describe('deferred imports of the command bundles', () => {
  const deferred = (COMMAND_BUNDLES as { name: string; deferred: Record<string, string[]> }[]).flatMap((b) => Object.values(b.deferred).flat());

  it('each import a bundle leaves out has a loader the CLI passes in (a missing one fails only when that path runs)', () => {
    expect(deferred.length).toBeGreaterThan(0);
    for (const specifier of deferred) expect(Object.keys(DEFERRED_IMPORTS)).toContain(specifier);
  });

  it('each loader loads its module', async () => {
    for (const specifier of deferred) expect(Object.keys((await DEFERRED_IMPORTS[specifier]?.()) as object).length).toBeGreaterThan(0);
  }, 30_000);
});
