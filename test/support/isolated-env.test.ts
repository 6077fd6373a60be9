/** The test run's own environment: nothing the tests start may write to the user's real cache folder. */
import { realpathSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeCacheDir } from '../../src/cli/code-cache.js';

const inside = (parent: string, child: string) => !relative(parent, child).startsWith('..');

describe('the test run environment', () => {
  it('sets XDG_CACHE_HOME to a temp folder, away from the real ~/.cache', () => {
    const cacheHome = process.env.XDG_CACHE_HOME;
    expect(cacheHome).toBeTruthy();
    const real = realpathSync(cacheHome as string);
    expect(inside(realpathSync(tmpdir()), real)).toBe(true);
    expect(inside(join(homedir(), '.cache'), real)).toBe(false);
    expect(inside(join(homedir(), '.cache'), codeCacheDir())).toBe(false);
  });
});
