import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, writeFile } from '../../../test/support/workspace.js';
import { JsSandbox } from './sandbox.js';

let sandbox: JsSandbox | undefined;
afterEach(() => sandbox?.close());

function check(body: string): { dir: string; url: string } {
  const dir = tempDir();
  const file = writeFile(dir, 'check.mjs', body);
  return { dir, url: pathToFileURL(file).href };
}

async function run(body: string, timeoutMs = 5000) {
  const { dir, url } = check(body);
  sandbox = new JsSandbox({ readDir: dir, memoryMb: 64 });
  return {
    dir,
    result: await sandbox.call(url, 'default', 'the answer', { input: 'q' }, timeoutMs).catch((error: Error) => ({ ok: false, error: error.message })),
  };
}

describe('the assertion sandbox', () => {
  it('runs a check with the output and the context', async () => {
    const { result } = await run('export default (output, ctx) => ({ pass: output === "the answer" && ctx.input === "q", reason: "seen" });');
    expect(result).toMatchObject({ ok: true, result: { pass: true, reason: 'seen' } });
  });

  it.each([
    [
      'read a file outside its folder',
      'import { readFileSync } from "node:fs"; export default () => readFileSync("/etc/passwd", "utf8").length > 0;',
      /ERR_ACCESS_DENIED|permission|restricted/i,
    ],
    [
      'spawn a process',
      'import { execSync } from "node:child_process"; export default () => String(execSync("id"));',
      /ERR_ACCESS_DENIED|permission|restricted/i,
    ],
    [
      'start a worker',
      'import { Worker } from "node:worker_threads"; export default () => { new Worker("1", { eval: true }); return true; };',
      /ERR_ACCESS_DENIED|permission|restricted/i,
    ],
  ])('refuses to %s', async (_what, body, error) => {
    const { result } = await run(body);
    expect(result.ok).toBe(false);
    expect(String((result as { error?: string }).error)).toMatch(error);
  });

  it('refuses to write, and writes nothing', async () => {
    const { dir, url } = check('');
    writeFile(
      dir,
      'check.mjs',
      `import { writeFileSync } from "node:fs"; export default () => { writeFileSync(${JSON.stringify(join(dir, 'pwned.txt'))}, "x"); return true; };`,
    );
    sandbox = new JsSandbox({ readDir: dir });
    const result = await sandbox.call(url, 'default', '', {}, 5000);
    expect(result.ok).toBe(false);
    expect(existsSync(join(dir, 'pwned.txt'))).toBe(false);
  });

  it('sees an empty environment: no gateway key, no AGENTCTL_*', async () => {
    process.env.AGENTCTL_GATEWAY_KEY = 'sk-live-secret-in-parent-0123456789';
    const { result } = await run('export default () => ({ pass: true, reason: JSON.stringify(process.env) });');
    delete process.env.AGENTCTL_GATEWAY_KEY;
    expect(result).toMatchObject({ ok: true });
    expect(JSON.stringify(result)).not.toContain('sk-live-secret');
    expect(JSON.stringify(result)).not.toContain('AGENTCTL');
  });

  it('stops a check that never returns at its timeout, and one that eats memory at its cap', async () => {
    const started = Date.now();
    const loop = await run('export default () => { for (;;) {} };', 500);
    expect(loop.result).toMatchObject({ ok: false, error: expect.stringContaining('did not return within 500 ms') });
    expect(Date.now() - started).toBeLessThan(5000);
    const hog = await run('export default () => { const a = []; for (;;) a.push(new Array(1e6).fill(1)); };', 20_000);
    expect(hog.result).toMatchObject({ ok: false, error: expect.stringMatching(/memory cap|crashed/) });
  });
});
