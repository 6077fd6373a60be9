/**
 * The heap of a command that streams many runs (eval, release, export). Each sample's objects die young and what
 * stays alive is small and flat (about 25 MB at 100,000 samples), but V8 sizes the old generation by how
 * fast the program allocates: up to several times the live size between full collections, so an eval's
 * memory grew with its size (250 MB at 100,000 samples, nearly all garbage). Letting the heap grow by at
 * most 30% of what is live after each full collection keeps it flat, for more full collections of a small
 * heap (about a dozen milliseconds each). `heap_growing_percent` is read at every collection, so setting
 * it after start-up takes effect; the other heap sizes are fixed when the process starts.
 *
 * Turn it on once start-up is over, never before: V8 stamps every code cache with a hash of the flags that
 * differ from their defaults, and refuses a cache whose stamp differs. While this flag was set at an eval's
 * start, every built-in module loaded after it (node:http, node:worker_threads and the write thread's own
 * start) was compiled from source instead of from Node's embedded cache: ~13 ms more on the main thread and
 * ~25 ms more on the write thread in a 500-sample eval. An eval turns it on at its first result, after the
 * bundle's own cache has been saved (so that cache is stamped for the defaults it is compiled under).
 */
import { setFlagsFromString } from 'node:v8';

export const STREAMING_HEAP_GROWTH_PERCENT = 30;

let tuned = false;

export function flatHeapForStreaming(): void {
  if (tuned) return;
  tuned = true;
  setFlagsFromString(`--heap-growing-percent=${STREAMING_HEAP_GROWTH_PERCENT}`);
}
