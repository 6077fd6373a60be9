/**
 * The heap of a command that streams many runs (eval, release, export). Each sample's objects die young and what
 * stays alive is small and flat (about 25 MB at 100,000 samples), but V8 sizes the old generation by how
 * fast the program allocates: up to several times the live size between full collections, so an eval's
 * memory grew with its size (250 MB at 100,000 samples, nearly all garbage). Letting the heap grow by at
 * most 30% of what is live after each full collection keeps it flat, for more full collections of a small
 * heap (about a dozen milliseconds each). `heap_growing_percent` is read at every collection, so setting
 * it after start-up takes effect; the other heap sizes are fixed when the process starts.
 *
 * It is set as the command starts, and that has a known price: V8 stamps every code cache with a hash of the flags
 * that differ from their defaults and refuses a cache stamped otherwise, so each of Node's built-in modules loaded
 * after it is compiled from source, not from Node's embedded cache. The built-ins an eval loads are therefore
 * loaded first (STREAMING_BUILTINS: 11-16 ms compiled from source, 3-4 ms from the cache).
 * The whole start of an eval's write thread still pays it (~30 ms more CPU on that thread). Setting the flag at
 * the first result instead was tried: no change in wall time was measurable, and a 100,000-sample eval's peak
 * rose from ~175 to 206-216 MB, because the start's large allocations (the sample set, the snapshot) then ran
 * under V8's default growth.
 */
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';

export const STREAMING_HEAP_GROWTH_PERCENT = 30;

/**
 * The public built-ins an eval (or release, or export) loads after the flag would be set: the event log's write
 * thread, the gateway's HTTP client, the progress view's terminal check, timers and files. A test runs an eval
 * and lists what was still loaded after the flag (test/e2e/streaming-heap.test.ts). An offline eval or an export
 * loads node:http for nothing: ~2 ms from the cache, where the eval that needs it saves ~10.
 */
export const STREAMING_BUILTINS = ['node:fs/promises', 'node:http', 'node:timers/promises', 'node:tty', 'node:worker_threads'];

let tuned = false;

export function flatHeapForStreaming(): void {
  if (tuned) return;
  tuned = true;
  const load = createRequire(import.meta.url);
  for (const name of STREAMING_BUILTINS) load(name);
  setFlagsFromString(`--heap-growing-percent=${STREAMING_HEAP_GROWTH_PERCENT}`);
}
