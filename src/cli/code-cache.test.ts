import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/workspace.js';
import { cacheFileFor, codeCacheDir, runCachedScript } from './code-cache.js';

/** A script in the loader's shape: it awaits at its top level, requires a built-in, and exports through the object. */
function writeScript(dir: string, answer: number): string {
  const file = join(dir, 'tui.js');
  writeFileSync(
    file,
    [
      "const { basename } = require('node:path');",
      'await Promise.resolve();',
      'function work(n) { let s = 0; for (let i = 0; i < n; i++) s += i % 7; return s; }',
      `__agentctlExports.answer = () => ${answer} + work(0);`,
      '__agentctlExports.name = basename(new URL(__agentctlImportMetaUrl).pathname);',
    ].join('\n'),
  );
  return file;
}

const cacheFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.bin'));

describe('runCachedScript', () => {
  it('runs the script without a cache, writes one when asked, and compiles from it on the next run', async () => {
    const dir = tempDir();
    const cache = join(dir, 'cache');
    const file = writeScript(dir, 41);
    const first = await runCachedScript<{ answer: () => number; name: string }>(file, cache);
    expect(first.cache).toBe('miss');
    expect(first.exports.answer()).toBe(41);
    expect(first.exports.name).toBe('tui.js');
    expect(first.save()).toBe(true);
    expect(first.save()).toBe(false); // once
    expect(cacheFiles(cache)).toHaveLength(1);
    const second = await runCachedScript<{ answer: () => number }>(file, cache);
    expect(second.cache).toBe('hit');
    expect(second.exports.answer()).toBe(41);
    expect(second.save()).toBe(false); // nothing to write: the cache it used is current
  });

  it('ignores the cache of another build of the file, and replaces it', async () => {
    const dir = tempDir();
    const cache = join(dir, 'cache');
    const file = writeScript(dir, 1);
    (await runCachedScript(file, cache)).save();
    const [old] = cacheFiles(cache);
    writeScript(dir, 2); // same length, different code: V8 alone would only compare the lengths
    const rebuilt = await runCachedScript<{ answer: () => number }>(file, cache);
    expect(rebuilt.cache).toBe('miss');
    expect(rebuilt.exports.answer()).toBe(2);
    rebuilt.save();
    expect(cacheFiles(cache)).toHaveLength(1);
    expect(cacheFiles(cache)[0]).not.toBe(old);
  });

  it.each([
    ['truncated', (bytes: Buffer) => bytes.subarray(0, bytes.length - 100)],
    ['corrupt', (bytes: Buffer) => Buffer.concat([bytes.subarray(0, 40), Buffer.from([(bytes[40] as number) ^ 0xff]), bytes.subarray(41)])],
    ['empty', () => Buffer.alloc(0)],
  ])('runs normally from a %s cache file, and writes a good one', async (_name, damage) => {
    const dir = tempDir();
    const cache = join(dir, 'cache');
    const file = writeScript(dir, 7);
    (await runCachedScript(file, cache)).save();
    const path = join(cache, cacheFiles(cache)[0] as string);
    writeFileSync(path, damage(readFileSync(path)));
    const run = await runCachedScript<{ answer: () => number }>(file, cache);
    expect(run.cache).toBe('miss');
    expect(run.exports.answer()).toBe(7);
    expect(run.save()).toBe(true);
    expect((await runCachedScript(file, cache)).cache).toBe('hit');
  });

  it('runs normally when V8 rejects the cache (a whole file whose data is not a code cache)', async () => {
    const dir = tempDir();
    const cache = join(dir, 'cache');
    // Code this process has not compiled yet: V8 would take a script it already holds from its own cache
    // without looking at the cache data at all.
    const file = writeScript(dir, 1000 + Math.floor(Math.random() * 1000));
    const data = Buffer.from('not a V8 code cache, but its digest is right'.repeat(20));
    mkdirSync(cache);
    writeFileSync(cacheFileFor(file, readFileSync(file), cache), Buffer.concat([createHash('sha256').update(data).digest(), data]));
    const run = await runCachedScript<{ answer: () => number }>(file, cache);
    expect(run.cache).toBe('miss');
    expect(run.exports.answer()).toBeGreaterThanOrEqual(1000);
    expect(run.save()).toBe(true);
  });

  it('runs normally where the cache cannot be written', async () => {
    const dir = tempDir();
    const file = writeScript(dir, 5);
    writeFileSync(join(dir, 'not-a-dir'), '');
    const blocked = join(dir, 'not-a-dir', 'cache'); // a file where a directory should be: mkdir fails even as root
    const run = await runCachedScript<{ answer: () => number }>(file, blocked);
    expect(run.exports.answer()).toBe(5);
    expect(run.save()).toBe(false);
    if (process.getuid?.() !== 0) {
      const readOnly = join(dir, 'ro');
      mkdirSync(readOnly);
      chmodSync(readOnly, 0o500);
      expect((await runCachedScript(file, readOnly)).save()).toBe(false);
      expect(readdirSync(readOnly)).toEqual([]);
    }
  });

  it('imports modules through the importer it is given, compiled from the cache too', async () => {
    const dir = tempDir();
    const cache = join(dir, 'cache');
    writeFileSync(join(dir, 'tool.mjs'), "export default (x) => 'tool saw ' + x;\n");
    const file = join(dir, 'uses-tool.js');
    writeFileSync(file, `__agentctlExports.call = async (x) => (await __agentctlInjected.importModule(${JSON.stringify(join(dir, 'tool.mjs'))})).default(x);`);
    const injected = { importModule: (specifier: string) => import(specifier) };
    for (const expected of ['miss', 'hit'] as const) {
      const run = await runCachedScript<{ call: (x: string) => Promise<string> }>(file, cache, injected);
      expect(run.cache).toBe(expected);
      expect(await run.exports.call('hi')).toBe('tool saw hi');
      run.save();
    }
  });

  it('lives under XDG_CACHE_HOME, else ~/.cache', () => {
    expect(codeCacheDir({ XDG_CACHE_HOME: '/x/cache' })).toBe('/x/cache/agentctl/code-cache');
    expect(codeCacheDir({})).toMatch(/\.cache\/agentctl\/code-cache$/);
  });
});
