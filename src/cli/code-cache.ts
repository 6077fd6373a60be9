/**
 * Runs a bundled script with a V8 code cache kept in the user's cache directory. Node 20 caches no compiled
 * code for ES modules (module.enableCompileCache needs Node 22.1), so a command's bundle
 * (scripts/build-command-bundle.mjs) is compiled through node:vm, which accepts and produces V8 code caches.
 *
 * The cache can only make a run faster, never wrong: it is keyed by the SHA-256 of the script's text and the
 * Node version, carries its own SHA-256 (V8 checks a cache against the source's length only, and a torn or
 * corrupt file must not reach it), and anything unreadable, rejected or unwritable means a normal compile.
 * The few most recently used caches of a file are kept (see KEEP), so installs and Node versions used in turn
 * each keep theirs.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';

/** `$XDG_CACHE_HOME/agentctl/code-cache`, else `~/.cache/agentctl/code-cache`. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'agentctl', 'code-cache');
}

export interface CachedScript<T> {
  exports: T;
  /** 'hit': compiled from the cache; 'miss': no usable cache (none, corrupt, rejected by V8). */
  cache: 'hit' | 'miss';
  /**
   * Writes a cache for the next run when this one had none (after a hit it only marks the cache as recently
   * used). Call it once the code has run what it runs on start-up (the cache then holds those functions
   * compiled too). Never throws; false when nothing was written.
   */
  save(): boolean;
}

const DIGEST = 32; // bytes of SHA-256 in front of the cache data

/**
 * Runs `file`, the body of a strict `async function (require, exports, importMetaUrl, injected)`, and returns what it
 * put in `exports`; `injected` is passed as is. Throws only what reading or running the script throws; the
 * cache never makes it throw.
 */
export async function runCachedScript<T>(file: string, cacheDir?: string, injected: object = {}): Promise<CachedScript<T>> {
  const bytes = readFileSync(file);
  const text = bytes.toString('utf8');
  const dir = cacheDir ?? defaultCacheDir();
  // Strict, as the ES modules the bundle was built from are; on the wrapper's first line so that line numbers hold.
  const source = `(async function (require, __agentctlExports, __agentctlImportMetaUrl, __agentctlInjected) {"use strict";${text}\n})`;
  const stem = stemOf(file);
  const cachePath = dir === undefined ? undefined : cacheFileFor(file, bytes, dir);
  const cachedData = cachePath === undefined ? undefined : readCache(cachePath);
  const script = new vm.Script(source, { filename: file, cachedData });
  const hit = cachedData !== undefined && !script.cachedDataRejected;
  const run = script.runInThisContext() as (require: NodeJS.Require, exports: object, url: string, injected: object) => Promise<void>;
  const exports = {} as T & object;
  await run(createRequire(file), exports, pathToFileURL(file).href, injected);
  let saved = false;
  return {
    exports,
    cache: hit ? 'hit' : 'miss',
    save() {
      if (saved || dir === undefined || cachePath === undefined) return false;
      saved = true;
      if (hit) {
        touch(cachePath); // a cache in use stays among the most recent, whatever other builds write
        return false;
      }
      return writeCache(dir, stem, cachePath, script);
    },
  };
}

/** No cache rather than no playground when there is no home directory to find. */
function defaultCacheDir(): string | undefined {
  try {
    return codeCacheDir();
  } catch {
    return undefined;
  }
}

const stemOf = (file: string) => `${basename(file).replace(/\.js$/, '')}-`;

/** Where the cache of `file` holding `bytes` is kept: named by a hash of them and of the Node version. */
export function cacheFileFor(file: string, bytes: Buffer, cacheDir: string): string {
  // The bytes, not the decoded text: hashing the text would encode its ~3 MB to UTF-8 again.
  const key = createHash('sha256').update(process.version).update('\0').update(bytes).digest('hex').slice(0, 32);
  return join(cacheDir, `${stemOf(file)}${key}.bin`);
}

/** The cache's data when the file is whole (its digest matches), else undefined. */
function readCache(path: string): Buffer | undefined {
  try {
    const bytes = readFileSync(path);
    if (bytes.length <= DIGEST) return undefined;
    const data = bytes.subarray(DIGEST);
    return createHash('sha256').update(data).digest().equals(bytes.subarray(0, DIGEST)) ? data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Caches kept per file: enough for two installs or two Node versions in turn (each would otherwise delete the
 * other's cache on every start), few enough that old builds do not pile up (~1.5 MB each).
 */
export const KEEP = 4;
/** A temp file this old is a leftover of a process that died while writing, not a write under way. */
const STALE_TEMP_MS = 10 * 60_000;

/** Writes atomically (a temp file renamed over), then prunes the caches of older builds and stale temp files. */
function writeCache(dir: string, stem: string, path: string, script: vm.Script): boolean {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    const data = script.createCachedData();
    mkdirSync(dir, { recursive: true });
    writeFileSync(temp, Buffer.concat([createHash('sha256').update(data).digest(), data]));
    renameSync(temp, path);
  } catch {
    try {
      rmSync(temp, { force: true });
    } catch {}
    return false;
  }
  prune(dir, stem, path);
  return true;
}

/** Best effort: a file another process removes or renames meanwhile is skipped. */
function prune(dir: string, stem: string, current: string): void {
  try {
    const now = Date.now();
    const caches: { path: string; mtime: number }[] = [];
    for (const name of readdirSync(dir)) {
      if (!name.startsWith(stem)) continue;
      const path = join(dir, name);
      const mtime = mtimeOf(path);
      if (mtime === undefined) continue;
      if (/\.bin\.\d+\.tmp$/.test(name)) {
        if (now - mtime > STALE_TEMP_MS) rmSync(path, { force: true });
      } else if (name.endsWith('.bin') && path !== current) caches.push({ path, mtime });
    }
    caches.sort((a, b) => b.mtime - a.mtime);
    for (const { path } of caches.slice(KEEP - 1)) rmSync(path, { force: true });
  } catch {}
}

function mtimeOf(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function touch(path: string): void {
  try {
    const now = new Date();
    utimesSync(path, now, now);
  } catch {}
}
