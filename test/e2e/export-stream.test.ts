/**
 * export at scale, through the built binary: the same bytes as the whole-string export it replaced
 * (golden files written by it), flat memory under a small heap, a slow reader on the pipe, and Ctrl-C
 * during --out leaving no file behind.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { agentctl, BIN } from '../support/cli.js';
import { seedRuns } from '../support/seed-runs.js';
import { tempDir } from '../support/workspace.js';

const golden = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/export', name), 'utf8');
const env = (cwd: string) => ({ XDG_CONFIG_HOME: join(cwd, '.x'), NO_COLOR: '1', CI: 'true' });

describe('export', () => {
  it('writes the same bytes as the whole-string export did, to stdout and to --out, filtered or not', async () => {
    const cwd = tempDir();
    seedRuns(cwd, 40);
    for (const format of ['jsonl', 'otlp']) {
      // execa strips the final newline from stdout; the file keeps it.
      expect(`${(await agentctl(['export', '--format', format], { cwd })).stdout}\n`).toBe(golden(`export.${format}`));
      const filtered = await agentctl(['export', '--format', format, '--agent', 'planner', '--since', '2026-11-01T00:00:05Z', '--out', `f.${format}`], { cwd });
      expect(filtered.exitCode).toBe(0);
      expect(readFileSync(join(cwd, `f.${format}`), 'utf8')).toBe(golden(`filtered.${format}`));
    }
  });

  it('secrets in the environment are redacted in --out files as on stdout', async () => {
    const cwd = tempDir();
    seedRuns(cwd, 3);
    // "question 2" is in run 2's events; as the value of a secret variable it must not be written.
    const secret = { ...env(cwd), BENCH_API_KEY: 'question 2' };
    await execa('node', [BIN, 'export', '--out', 'e.jsonl'], { cwd, env: secret });
    const written = readFileSync(join(cwd, 'e.jsonl'), 'utf8');
    expect(written).not.toContain('question 2');
    expect(written).toContain('[REDACTED]');
    expect(written).toContain('question 1');
  });

  it('20,000 runs export under a 100 MB heap, complete and parseable, in both formats', { timeout: 120_000 }, async () => {
    const cwd = tempDir();
    seedRuns(cwd, 20_000);
    const run = (args: string[]) => execa('node', ['--max-old-space-size=100', BIN, 'export', ...args], { cwd, env: env(cwd), reject: false });
    const jsonl = await run(['--out', 'all.jsonl']);
    expect(jsonl.stderr).not.toContain('heap');
    expect(jsonl.exitCode).toBe(0);
    const lines = readFileSync(join(cwd, 'all.jsonl'), 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(20_000 * 12);
    expect(JSON.parse(lines.at(-1) as string)).toMatchObject({ runId: '01J00000000000000000019999', type: 'run.finished' });
    const otlp = await run(['--format', 'otlp', '--out', 'all.otlp.json']);
    expect(otlp.exitCode).toBe(0);
    const spans = JSON.parse(readFileSync(join(cwd, 'all.otlp.json'), 'utf8')).resourceSpans[0].scopeSpans[0].spans;
    expect(spans).toHaveLength(20_000 * 3);
  });

  it('a slow reader on the pipe gets every byte (stdout waits for it instead of buffering)', { timeout: 60_000 }, async () => {
    const cwd = tempDir();
    seedRuns(cwd, 2_000);
    await agentctl(['export', '--out', 'ref.jsonl'], { cwd });
    const expected = createHash('sha256')
      .update(readFileSync(join(cwd, 'ref.jsonl')))
      .digest('hex');
    const child = spawn('node', [BIN, 'export'], { cwd, env: { ...process.env, ...env(cwd) }, stdio: ['ignore', 'pipe', 'pipe'] });
    const hash = createHash('sha256');
    let bytes = 0;
    let paused = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
      // Stop reading for a while, again and again: the pipe fills and the export must wait.
      if (paused++ % 20 === 0) {
        child.stdout.pause();
        setTimeout(() => child.stdout.resume(), 25);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(bytes).toBe(readFileSync(join(cwd, 'ref.jsonl')).length);
    expect(hash.digest('hex')).toBe(expected);
  });

  it('Ctrl-C during --out stops with 130 and leaves neither the file nor a temporary one', { timeout: 60_000 }, async () => {
    const cwd = tempDir();
    seedRuns(cwd, 20_000);
    const child = execa('node', [BIN, 'export', '--format', 'otlp', '--out', 'stopped.json'], { cwd, env: env(cwd), reject: false });
    // Wait until the export is under way: its temporary file exists.
    const started = Date.now();
    while (!readdirSync(cwd).some((f) => f.endsWith('.tmp')) && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain('stopped.json was not written');
    expect(existsSync(join(cwd, 'stopped.json'))).toBe(false);
    expect(readdirSync(cwd).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
