/** The pure parts of MCP support: the answer rule, names, side effects, command lines, the environment. */
import { describe, expect, it } from 'vitest';
import { mcpServerEnv, parseServerArgument, splitCommandLine } from './connect.js';
import { mcpAnswer } from './result.js';
import { sideEffectsFrom, toolNameFor } from './to-spec.js';

describe('mcpAnswer: structuredContent, else JSON text, else { text }', () => {
  it('prefers structuredContent over the text that mirrors it', () => {
    expect(mcpAnswer({ content: [{ type: 'text', text: '{"a":1}' }], structuredContent: { a: 2 } })).toEqual({ ok: true, output: { a: 2 } });
  });
  it('parses JSON text, and wraps other text', () => {
    expect(mcpAnswer({ content: [{ type: 'text', text: '[1,2]' }] })).toEqual({ ok: true, output: [1, 2] });
    expect(
      mcpAnswer({
        content: [
          { type: 'text', text: 'hi' },
          { type: 'image', mimeType: 'image/png' },
        ],
      }),
    ).toEqual({ ok: true, output: { text: 'hi\n[image image/png]' } });
  });
  it('isError is a tool error with the text', () => {
    expect(mcpAnswer({ content: [{ type: 'text', text: 'no such file' }], isError: true })).toEqual({ ok: false, error: 'no such file' });
  });
});

describe('names and side effects of listed tools', () => {
  it('derives DNS labels', () => {
    expect(toolNameFor('read_text_file')).toBe('read-text-file');
    expect(toolNameFor('Weather.Lookup', 'fs-')).toBe('fs-weather-lookup');
    expect(toolNameFor('___')).toBe('mcp-tool');
    expect(toolNameFor('x'.repeat(80))).toHaveLength(63);
  });
  it('reads only readOnlyHint as read; everything else may write (the MCP defaults)', () => {
    expect(sideEffectsFrom({ readOnlyHint: true }).sideEffects).toBe('read');
    expect(sideEffectsFrom({ destructiveHint: true }).sideEffects).toBe('write');
    expect(sideEffectsFrom(undefined)).toEqual({ sideEffects: 'write', because: expect.stringContaining('no readOnlyHint') });
  });
});

describe('server arguments', () => {
  it('splits command lines with quotes, and tells URLs apart', () => {
    expect(splitCommandLine(`npx -y "@scope/server x" 'a b' c\\ d`)).toEqual(['npx', '-y', '@scope/server x', 'a b', 'c d']);
    expect(() => splitCommandLine('node "unclosed')).toThrow(/unclosed/);
    expect(parseServerArgument('https://example.com/mcp')).toEqual({ url: 'https://example.com/mcp' });
    expect(parseServerArgument('node server.js')).toEqual({ command: ['node', 'server.js'] });
  });
  it('gives a server its declared variables, PATH and HOME, and removes the SDK defaults', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the spec's ${NAME} pass-through syntax, not a template
    const env = mcpServerEnv({ TOKEN: '${SECRET}', MODE: 'x' }, { SECRET: 's', HOME: '/home/u', USER: 'u', AGENTCTL_GATEWAY_KEY: 'k' });
    expect(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined))).toEqual({
      TOKEN: 's',
      MODE: 'x',
      HOME: '/home/u',
      PATH: expect.any(String),
    });
    expect(Object.keys(env)).toContain('USER');
  });
});
