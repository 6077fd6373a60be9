import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverSpecFiles } from './discover.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'agentctl-discover-'));
  dirs.push(root);
  for (const name of ['a', 'b/c']) {
    mkdirSync(join(root, 'tools', name), { recursive: true });
    writeFileSync(join(root, 'tools', name, 'tool.yaml'), 'x: 1\n');
  }
  return root;
}

describe('discoverSpecFiles', () => {
  it('finds specs in nested plain folders, sorted', () => {
    const root = tree();
    expect(discoverSpecFiles(join(root, 'tools')).map((f) => f.slice(root.length))).toEqual(['/tools/a/tool.yaml', '/tools/b/c/tool.yaml']);
  });

  it('lists each folder once per command when given the listings already read', () => {
    const root = tree();
    const listings = new Map();
    const first = discoverSpecFiles(join(root, 'tools'), 8, listings);
    mkdirSync(join(root, 'tools', 'late'));
    writeFileSync(join(root, 'tools', 'late', 'tool.yaml'), 'x: 1\n');
    expect(discoverSpecFiles(join(root, 'tools'), 8, listings)).toEqual(first);
    expect(discoverSpecFiles(join(root, 'tools'))).toHaveLength(first.length + 1);
  });

  it('walks a linked folder inside the tree once, skips one leading out, and ends on a link loop', () => {
    const root = tree();
    const outside = tree();
    symlinkSync(join(root, 'tools', 'b'), join(root, 'tools', 'again'));
    symlinkSync(join(outside, 'tools', 'a'), join(root, 'tools', 'out'));
    symlinkSync(join(root, 'tools'), join(root, 'tools', 'b', 'loop'));
    const found = discoverSpecFiles(join(root, 'tools')).map((f) => f.slice(root.length));
    // tools/b is reached twice (as itself and as `again`): one of the two paths is listed, never both.
    expect(found.filter((f) => f.endsWith('/c/tool.yaml'))).toHaveLength(1);
    expect(found).toContain('/tools/a/tool.yaml');
    expect(found.some((f) => f.startsWith('/tools/out'))).toBe(false);
  });
});
