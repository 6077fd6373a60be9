/** The body of an answer of the node:http transport, as an async iterable of its chunks. */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';

/**
 * The body's chunks through 'data'/'end'/'error' listeners. A Readable's own async iterator costs a
 * generator, an end-of-stream watcher and several promises per answer, which in a latency-bound eval
 * sat between each answer and the slot's next request. It ends with `failure(error)` when the stream
 * errors or closes before its end — so an abort (the transport destroys the request) ends it at once
 * with the signal's reason — and a reader that stops early destroys the message, so a half-read
 * connection never goes back to the pool. At most HIGH_WATER chunks are held: beyond, the socket pauses.
 */
export class BodyReader implements AsyncIterator<Uint8Array> {
  private readonly queue: Buffer[] = [];
  private ended = false;
  private error: unknown;
  private waiting: { resolve(r: IteratorResult<Uint8Array>): void; reject(e: unknown): void } | undefined;
  private source: Readable | undefined;

  constructor(
    private readonly message: IncomingMessage,
    private readonly failure: (error: unknown) => unknown,
  ) {}

  next(): Promise<IteratorResult<Uint8Array>> {
    let source = this.source;
    if (!source) {
      const opened = decoded(this.message);
      if (opened instanceof Promise) return opened.then((s) => this.open(s)).then(() => this.next());
      source = this.open(opened);
    }
    const chunk = this.queue.shift();
    if (chunk) {
      if (this.queue.length < HIGH_WATER && source.isPaused()) source.resume();
      return Promise.resolve({ done: false, value: chunk });
    }
    if (this.error !== undefined) return Promise.reject(this.error);
    if (this.ended) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<Uint8Array>> {
    if (!this.ended) {
      this.ended = true;
      this.message.destroy();
      this.source?.destroy();
    }
    return Promise.resolve({ done: true, value: undefined });
  }

  private open(source: Readable): Readable {
    this.source = source;
    const fail = (error: unknown) => {
      if (this.ended || this.error !== undefined) return;
      this.error = this.failure(error);
      this.take()?.reject(this.error);
    };
    // Cut (or aborted) before the reader began: its 'error' and 'close' have been and gone.
    if (source.destroyed) {
      if (source.readableEnded) this.ended = true;
      else fail(source.errored ?? new Error('premature close'));
      return source;
    }
    source.on('data', (chunk: Buffer) => {
      const waiting = this.take();
      if (waiting) waiting.resolve({ done: false, value: chunk });
      else if (this.queue.push(chunk) >= HIGH_WATER) source.pause();
    });
    source.once('end', () => {
      this.ended = true;
      this.take()?.resolve({ done: true, value: undefined });
    });
    source.on('error', fail);
    // Closed without 'end' and without an error (destroyed quietly): still not a complete body.
    source.once('close', () => {
      // Every answer closes after its end: an Error (and its stack) is built only for one that did not.
      if (!this.ended) fail(new Error('premature close'));
    });
    return source;
  }

  private take() {
    const waiting = this.waiting;
    this.waiting = undefined;
    return waiting;
  }
}

const HIGH_WATER = 16;

/** The body as sent, or through zlib (loaded only then) if the server compressed it although it was not asked to. */
function decoded(message: IncomingMessage): Readable | Promise<Readable> {
  const encoding = (message.headers['content-encoding'] ?? '').trim().toLowerCase();
  // Synchronous when plain: the answer's first chunk is handed on in the same turn.
  if (!['gzip', 'x-gzip', 'deflate', 'br'].includes(encoding)) return message;
  return inflated(message, encoding);
}

async function inflated(message: IncomingMessage, encoding: string): Promise<Readable> {
  const zlib = await import('node:zlib');
  const decoder = encoding === 'br' ? zlib.createBrotliDecompress() : encoding === 'deflate' ? zlib.createInflate() : zlib.createGunzip();
  message.on('error', (error) => decoder.destroy(error));
  message.pipe(decoder);
  return decoder;
}
