import { relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { displayPath } from './workspace.js';

/** What displayPath printed before its shortcut: relative() always. */
const reference = (root: string, absolute: string) => {
  const rel = relative(root, absolute);
  return rel.startsWith('..') ? absolute : rel.split(sep).join('/');
};

describe('displayPath', () => {
  it('shows a path below the root relative to it, and one outside as it is', () => {
    expect(displayPath('/w', '/w/tools/a/tool.yaml')).toBe('tools/a/tool.yaml');
    expect(displayPath('/w', '/elsewhere/tool.yaml')).toBe('/elsewhere/tool.yaml');
  });

  it('prints what relative() gives, odd paths included', () => {
    const roots = ['/w', '/w/', '/', '/a/./w', '/a/../w', 'w', '/w/x'];
    const tails = ['', '/', '/t.yaml', '/a/b.yaml', '/a/', '/./a', '/../a', '//a', '/a/../../b', '/a/.', '/..', 'x/t.yaml', '/.hidden/t.yaml'];
    for (const root of roots) {
      for (const tail of tails) {
        for (const absolute of [`${root}${tail}`, `/w${tail}`, `/ww${tail}`]) {
          expect(displayPath(root, absolute), `${root} ${absolute}`).toBe(reference(root, absolute));
        }
      }
    }
  });
});
