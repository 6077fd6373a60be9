/**
 * dist/cli/playground.js and dist/cli/eval.js (scripts/build-command-bundle.mjs) run through node:vm from a V8
 * code cache: each must hold no module syntax and no dynamic import() of its own (a script compiled by node:vm
 * has no import callback unless given one, cache or not), and must take core/errors from the CLI instead of
 * carrying a copy.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/core/util/package-root.js';

describe.each(['playground', 'eval'])('the %s bundle', (name) => {
  const text = readFileSync(join(packageRoot(), `dist/cli/${name}.js`), 'utf8');

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

describe('the eval bundle', () => {
  const text = readFileSync(join(packageRoot(), 'dist/cli/eval.js'), 'utf8');

  it('leaves out what an eval needs only on some paths (the Ink view, execa, the MCP client), loaded by the CLI when used', () => {
    for (const left of ['node_modules/ink/', 'node_modules/react-reconciler/', 'node_modules/execa/', 'node_modules/@modelcontextprotocol/'])
      expect(text).not.toContain(`// ${left}`);
    expect(text).toContain('await __agentctlInjected.deferred["../../tui/eval/index.js"]()');
  });
});
