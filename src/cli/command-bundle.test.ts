import { describe, expect, it } from 'vitest';
import { COMMAND_BUNDLES } from '../../scripts/build-command-bundle.mjs';
import { DEFERRED_IMPORTS } from './command-bundle.js';

describe('deferred imports of the command bundles', () => {
  const deferred = (COMMAND_BUNDLES as { name: string; deferred: Record<string, string[]> }[]).flatMap((b) => Object.values(b.deferred).flat());

  it('each import a bundle leaves out has a loader the CLI passes in (a missing one fails only when that path runs)', () => {
    expect(deferred.length).toBeGreaterThan(0);
    for (const specifier of deferred) expect(Object.keys(DEFERRED_IMPORTS)).toContain(specifier);
  });

  it('each loader loads the module its key names (what the bundle uses of it is there)', async () => {
    const used: Record<string, string> = {
      '../../tui/eval/index.js': 'mountEvalView',
      execa: 'execa',
      '@modelcontextprotocol/sdk/client/index.js': 'Client',
      '@modelcontextprotocol/sdk/client/streamableHttp.js': 'StreamableHTTPClientTransport',
      '@modelcontextprotocol/sdk/client/stdio.js': 'StdioClientTransport',
    };
    expect(Object.keys(used).sort()).toEqual([...deferred].sort());
    for (const specifier of deferred) {
      const load = DEFERRED_IMPORTS[specifier] as () => Promise<Record<string, unknown>>;
      expect(typeof (await load())[used[specifier] as string]).toBe('function');
    }
  }, 30_000);
});
