/**
 * dist/cli/playground.js (scripts/build-playground-bundle.mjs) runs through node:vm from a V8 code cache:
 * it must hold no module syntax and no dynamic import() of its own (Node 20 loses the import callback of a
 * script compiled from a cache), and must take core/errors from the CLI instead of carrying a copy.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/core/util/package-root.js';

describe('the playground bundle', () => {
  const text = readFileSync(join(packageRoot(), 'dist/cli/playground.js'), 'utf8');

  it('has no import or export statement and no dynamic import() but the sandbox runner text', () => {
    expect(text).not.toMatch(/^\s*(import|export)\s[^(]/m);
    const imports = [...text.matchAll(/(^|[^\w$.])import\(/gm)].map((m) => text.slice(m.index, m.index + 40));
    expect(imports.filter((s) => !s.includes('import(call.url)'))).toEqual([]);
  });

  it("imports a module tool's file through the CLI's loader", () => {
    expect(text).toMatch(/await __agentctlInjected\.importModule\([^;]*\(context\.toolDir, impl\.path\)\)/);
  });

  it('shares core/errors instead of copying it', () => {
    expect(text).toContain('module.exports = __agentctlInjected.errors;');
    expect(text).not.toMatch(/class AgentctlError\b/);
  });
});
