/**
 * GitLab's own CI schema (app/assets/javascripts/editor/schema/ci.json), as vendored by the
 * gitlab-ci-local package: its bundle carries the schema as an object literal, which is cut out here
 * (string-aware brace matching) and evaluated in an empty context. Nothing is copied into this repository.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { runInNewContext } from 'node:vm';

const MARKER = '$id:"https://gitlab.com/.gitlab-ci.yml"';

export function gitlabCiSchema(): Record<string, unknown> {
  const require = createRequire(import.meta.url);
  const bundle = readFileSync(join(dirname(require.resolve('gitlab-ci-local/package.json')), 'dist/index.js'), 'utf8');
  const at = bundle.indexOf(MARKER);
  const start = bundle.lastIndexOf('{$schema:', at);
  if (at === -1 || start === -1) throw new Error('gitlab-ci-local no longer embeds the GitLab CI schema where this test expects it');
  return runInNewContext(`(${bundle.slice(start, objectEnd(bundle, start))})`, {}) as Record<string, unknown>;
}

/** The index just past the `}` that closes the object opened at `start`, skipping strings and template literals. */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === '`') {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new Error('unterminated schema object');
}
