import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Nothing a test starts writes to the user's ~/.cache (the playground's code cache would, and would prune
    // other builds' caches there); tmux servers the tests start inherit this too. Helpers in test/support
    // point it inside each test's own folder where they can.
    env: { XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'agentctl-test-cache-')) },
  },
});
