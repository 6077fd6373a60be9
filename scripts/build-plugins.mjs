// esbuild plugins for scripts/build.mjs: two start-up costs of Ink's dependencies that the playground's
// first frame paid for nothing (measured with --cpu-prof; scripts/bench-playground-startup.mjs). Each
// rewrite checks the exact text it replaces and fails the build when a dependency update changes it.
import { readFile } from 'node:fs/promises';

/** Replaces `from` in `source` (once, and it must be there) with `to`. */
function rewrite(path, source, from, to) {
  if (!source.includes(from)) throw new Error(`${path}: expected text not found (the dependency changed): revisit scripts/build-plugins.mjs\n  ${from}`);
  return source.replace(from, () => to); // a function: `to` holds `$'`, which a replacement string would expand
}

/**
 * Yoga (Ink's layout engine) embeds its WebAssembly as a base64 data: URL and, when `fetch` exists, loads
 * it with fetch(). On Node 20 the first touch of the global `fetch` loads undici: ~30-40 ms spent to
 * decode a string already in memory. Yoga's own synchronous decoder is used instead (the path it takes
 * where fetch is missing).
 */
export const yogaWithoutFetch = {
  name: 'yoga-without-fetch',
  setup(build) {
    build.onLoad({ filter: /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      return { contents: rewrite(path, source, 'function ya(){return w||"function"!=typeof fetch?', 'function ya(){return true?'), loader: 'js' };
    });
  },
};

/**
 * Code points string-width 8 measures as one column, each its own grapheme cluster (no marks, joiners,
 * format characters, emoji or East Asian wide forms): Latin-1 without the soft hyphen, general punctuation
 * without separators and bidi controls, arrows, box drawing and blocks. test/build/string-width.test.ts
 * checks every one of them against the unpatched package.
 */
export const NARROW_CLASS = '\\u00A1-\\u00AC\\u00AE-\\u00FF\\u2010-\\u2027\\u2030-\\u205E\\u2190-\\u21FF\\u2500-\\u259F';

/**
 * string-width 8 builds `/^\p{RGI_Emoji}$/v` when its module loads (~20 ms: V8 expands the emoji
 * property of strings) and runs every non-ASCII string through Intl.Segmenter and that regex. The
 * playground's first frame has a few such characters (· › …) and no emoji. The regex is built on first
 * use instead, and strings of ASCII plus the characters above take the same shortcut printable ASCII
 * takes (width = length), for the default ambiguousIsNarrow only; anything else goes the original way.
 */
export const stringWidthFastPath = {
  name: 'string-width-fast-path',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]string-width[\\/]index\.js$/ }, async ({ path }) => {
      let source = await readFile(path, 'utf8');
      // wrap-ansi's nested string-width 7 has neither the eager regex nor the shortcut: left alone.
      if (!source.includes('const rgiEmojiRegex = ')) return undefined;
      source = rewrite(
        path,
        source,
        'const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;',
        "let rgiEmojiRegexBuilt;\nconst rgiEmojiRegex = {test: (segment) => (rgiEmojiRegexBuilt ??= new RegExp('^\\\\p{RGI_Emoji}$', 'v')).test(segment)};",
      );
      source = rewrite(
        path,
        source,
        'if (/^[\\u0020-\\u007E]*$/.test(string)) {',
        `if (/^[\\u0020-\\u007E]*$/.test(string) || (ambiguousIsNarrow && /^[\\u0020-\\u007E${NARROW_CLASS}]*$/.test(string))) {`,
      );
      return { contents: source, loader: 'js' };
    });
  },
};

/**
 * better-sqlite3 is bundled, and every connection passes the path of its native addon (`nativeBinding`,
 * src/core/registry/db.ts). The package's fallback, `bindings`, finds the addon from its caller's file, which
 * in a bundle is ours, not the package's: it stays out, and a connection opened without the option fails at once.
 */
export const sqliteWithoutBindings = {
  name: 'sqlite-without-bindings',
  setup(build) {
    build.onResolve({ filter: /^bindings$/ }, ({ importer }) =>
      /better-sqlite3[\\/]lib[\\/]database\.js$/.test(importer) ? { path: 'bindings', namespace: 'sqlite-without-bindings' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'sqlite-without-bindings' }, () => ({
      contents: `module.exports = () => { throw new Error('better-sqlite3 is opened with nativeBinding in agentctl (src/core/registry/db.ts)'); };`,
      loader: 'js',
    }));
  },
};
