import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../context.js';
import { printJsonStreaming, writeChunks } from './output.js';

const contextWriting = (stdout: NodeJS.WritableStream): CliContext =>
  ({ cwd: process.cwd(), flags: {}, env: {}, interactive: false, stdout, stderr: new PassThrough() }) as CliContext;

function collect(): { stream: Writable; text: () => string } {
  const parts: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      parts.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => parts.join('') };
}

describe('printJsonStreaming', () => {
  it('prints the same bytes as JSON.stringify(…, 2) would with the streamed arrays filled in, at any depth', async () => {
    const results = [
      { sampleId: 's1', assertions: [{ type: 'contains', pass: true }] },
      { sampleId: 's2', output: 'a\nb' },
    ];
    const out = collect();
    const report = { evalId: 'E', results: () => results.values(), summary: { passed: 2 } };
    await printJsonStreaming(contextWriting(out.stream), [
      { ...report, gate: { passed: true } },
      { evalId: 'F', results: () => [] },
    ]);
    expect(out.text()).toBe(
      `${JSON.stringify(
        [
          { evalId: 'E', results, summary: { passed: 2 }, gate: { passed: true } },
          { evalId: 'F', results: [] },
        ],
        null,
        2,
      )}\n`,
    );
  });

  it('redacts the streamed items like every other print', async () => {
    const out = collect();
    await printJsonStreaming(contextWriting(out.stream), { results: () => [{ output: 'key sk-proj-abcdefghijklmnopqrstuvwxyz0123456789' }] });
    expect(out.text()).not.toContain('sk-proj-abcdefghij');
    expect(JSON.parse(out.text()).results[0].output).toContain('[REDACTED]');
  });

  it('pulls the next items only when a slow reader has drained the stream (back-pressure)', async () => {
    let pulled = 0;
    const items = function* () {
      for (let i = 0; i < 5000; i++) {
        pulled++;
        yield { i, padding: 'x'.repeat(200) };
      }
    };
    const received: string[] = [];
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk, _enc, done) {
        received.push(String(chunk));
        setTimeout(done, 5);
      },
    });
    const printing = printJsonStreaming(contextWriting(slow), { results: items });
    await new Promise((r) => setTimeout(r, 30));
    // The writer waits for 'drain': only a few 64 KB chunks were produced, not all 5,000 items.
    expect(pulled).toBeLessThan(2000);
    await printing;
    expect(pulled).toBe(5000);
    expect(JSON.parse(received.join('')).results).toHaveLength(5000);
  });
});

describe('writeChunks', () => {
  it('writes everything in order, batching small chunks', async () => {
    const out = collect();
    const writes: number[] = [];
    const counting = new Writable({
      write(chunk, _enc, done) {
        writes.push(String(chunk).length);
        out.stream.write(chunk, done);
      },
    });
    await writeChunks(
      counting,
      Array.from({ length: 10_000 }, (_, i) => `${i},`),
    );
    expect(out.text()).toBe(Array.from({ length: 10_000 }, (_, i) => `${i},`).join(''));
    expect(writes.length).toBeLessThan(5);
  });
});
