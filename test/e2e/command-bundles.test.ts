/**
 * dist/cli/playground.js and dist/cli/eval.js (scripts/build-command-bundle.mjs) run through node:vm from a V8
 * code cache: each must hold no module syntax and no dynamic import() of its own (a script compiled by node:vm
 * has no import callback unless given one, cache or not), and must take core/errors from the CLI instead of
 * carrying a copy.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asciiOnly } from '../../scripts/build-command-bundle.mjs';
import { packageRoot } from '../../src/core/util/package-root.js';

describe.each(['playground', 'eval'])('the %s bundle', (name) => {
  const text = readFileSync(join(packageRoot(), `dist/cli/${name}.js`), 'utf8');

  it('has no import or export statement and no dynamic import() but the sandbox runner text', () => {
    expect(text).not.toMatch(/^\s*(import|export)\s[^(]/m);
    const imports = [...text.matchAll(/(^|[^\w$.])import\(/gm)].map((m) => text.slice(m.index, m.index + 40));
    expect(imports.filter((s) => !s.includes('import(call.url)'))).toEqual([]);
  });

  it('is ASCII, so the CLI reads it as one-byte text', () => {
    expect(text.match(/[\u0080-\uffff]/g) ?? []).toEqual([]);
  });

  it("imports a module tool's file through the CLI's loader", () => {
    expect(text).toMatch(/await __agentctlInjected\.importModule\([^;]*\(context\.toolDir, impl\.path\)\)/);
  });

  it('makes one namespace per CommonJS module for all its importers, reading through to the module', () => {
    // esbuild's helpers, as the bundle has them: from its first line to the end of __toESMCopy's definition
    const helpers = text.slice(0, text.indexOf('\n\n', text.indexOf('var __toESMCopy')));
    const toESM = new Function(`${helpers}\nreturn __toESM;`)() as (mod: unknown, nodeMode?: number) => Record<string, unknown>;
    const mod: Record<string, unknown> = { readFileSync: 'first' };
    const namespace = toESM(mod, 1);
    expect(toESM(mod, 1)).toBe(namespace);
    expect(namespace.default).toBe(mod);
    mod.readFileSync = 'changed';
    expect(namespace.readFileSync).toBe('changed');
    expect(toESM({ readFileSync: 'other' }, 1)).not.toBe(namespace);
    // the other mode is its own namespace: an ES module compiled to CommonJS keeps its own default there
    const esModule = { __esModule: true, default: 'its default' };
    expect(toESM(esModule).default).toBe('its default');
    expect(toESM(esModule, 1).default).toBe(esModule);
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

describe('asciiOnly, as the bundles are written', () => {
  it('escapes non-ASCII characters in comments, strings, templates and names, and the code means the same', async () => {
    const source = [
      '// nothing is a multiple of zero \u2014 a comment',
      "const café = 'naïve — 😀';",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: JavaScript source, with a template in it
      'const line = `${café} · …`;',
      "return [café, line, new RegExp('é+—').test('xéé—'), café.length, [...line].length];",
    ].join('\n');
    const escaped = await asciiOnly(source, 'x.js');
    expect(escaped.match(/[\u0080-\uffff]/g)).toBeNull();
    expect(new Function(escaped)()).toEqual(new Function(source)());
  });

  it.each([
    ['a raw template', 'const s = String.raw`é`;'],
    ['an identity escape in a tagged template', 'const s = tag`\\é`;'],
    ['a regular expression', 'const r = /é+/u;'],
    ['a line separator in a comment', '// a comment \u2028 x = 1'],
  ])('refuses %s, where an escape would change the code', async (_, source) => {
    await expect(asciiOnly(source, 'x.js')).rejects.toThrow(/x\.js: a (non-ASCII character outside a comment|line or paragraph separator)/);
  });
});
