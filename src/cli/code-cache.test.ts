import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/workspace.js';
import { cacheFileFor, codeCacheDir, KEEP, runCachedScript } from './code-cache.js';

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

  it('ignores the cache of another build of the file, and keeps both', async () => {
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
    expect(cacheFiles(cache)).toHaveLength(2);
    expect(cacheFiles(cache)).toContain(old);
  });

  it('keeps the caches of two installs of the file used in turn: each is a hit from the second round', async () => {
    const cache = join(tempDir(), 'cache');
    const installs = [1, 2].map((n) => {
      const dir = join(tempDir(), `install-${n}`);
      mkdirSync(dir);
      return { file: writeScript(dir, 100 + n), answer: 100 + n };
    });
    for (const expected of ['miss', 'hit', 'hit'] as const)
      for (const { file, answer } of installs) {
        const run = await runCachedScript<{ answer: () => number }>(file, cache);
        expect(run.cache).toBe(expected);
        expect(run.exports.answer()).toBe(answer);
        run.save();
      }
    expect(cacheFiles(cache)).toHaveLength(2);
  });

  it(`keeps the ${KEEP} most recently used caches of a file, and removes stale temp files`, async () => {
    const dir = tempDir();
    const cache = join(dir, 'cache');
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
    const build = async (n: number) => {
      mkdirSync(join(dir, `build-${n}`)); // a file of its own, same name: another install of the same script
      const file = writeScript(join(dir, `build-${n}`), 200 + n);
      const run = await runCachedScript(file, cache);
      run.save();
      const path = cacheFileFor(file, readFileSync(file), cache);
      return { file, path, run };
    };
    const first = await build(0);
    utimesSync(first.path, minutesAgo(60), minutesAgo(60));
    const others: string[] = [];
    for (let n = 1; n < KEEP; n++) {
      const { path } = await build(n);
      utimesSync(path, minutesAgo(50 - n), minutesAgo(50 - n));
      others.push(path);
    }
    // The oldest written is used again: that makes it recent.
    const used = await runCachedScript(first.file, cache);
    expect(used.cache).toBe('hit');
    expect(used.save()).toBe(false);
    const staleTemp = `${first.path}.12345.tmp`;
    const freshTemp = `${first.path}.12346.tmp`;
    writeFileSync(staleTemp, 'torn');
    utimesSync(staleTemp, minutesAgo(11), minutesAgo(11));
    writeFileSync(freshTemp, 'being written');
    const latest = await build(KEEP);
    const left = readdirSync(cache).map((name) => join(cache, name));
    expect(left.filter((p) => p.endsWith('.bin')).sort()).toEqual([first.path, ...others.slice(1), latest.path].sort());
    expect(left).not.toContain(staleTemp);
    expect(left).toContain(freshTemp);
  });

  it('runs the script in strict mode, as the ES modules it was built from', async () => {
    const dir = tempDir();
    const file = join(dir, 'strict.js');
    writeFileSync(
      file,
      [
        '__agentctlExports.thisInPlainCall = (function () { return this; })();',
        '__agentctlExports.writeFrozen = () => { const o = Object.freeze({ a: 1 }); o.a = 2; return o.a; };',
      ].join('\n'),
    );
    const run = await runCachedScript<{ thisInPlainCall: unknown; writeFrozen: () => number }>(file, join(dir, 'cache'));
    expect(run.exports.thisInPlainCall).toBeUndefined();
    expect(() => run.exports.writeFrozen()).toThrow(TypeError);
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

  it('has no import() of its own, cache or no cache: why modules come in through the injected importer', async () => {
    const dir = tempDir();
    const cache = join(dir, 'cache');
    const file = join(dir, 'imports.js');
    writeFileSync(file, "__agentctlExports.load = () => import('node:path').then(() => 'loaded', (e) => e.code);");
    for (const expected of ['miss', 'hit'] as const) {
      const run = await runCachedScript<{ load: () => Promise<string> }>(file, cache);
      expect(run.cache).toBe(expected);
      expect(await run.exports.load()).toBe('ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING');
      run.save();
    }
  });

  it('lives under XDG_CACHE_HOME, else ~/.cache', () => {
    expect(codeCacheDir({ XDG_CACHE_HOME: '/x/cache' })).toBe('/x/cache/agentctl/code-cache');
    expect(codeCacheDir({})).toMatch(/\.cache\/agentctl\/code-cache$/);
  });
});
