/**
 * The heap of a command that streams many runs (eval, release, export). Each sample's objects die young and what
 * stays alive is small and flat (about 25 MB at 100,000 samples), but V8 sizes the old generation by how
 * fast the program allocates: up to several times the live size between full collections, so an eval's
 * memory grew with its size (250 MB at 100,000 samples, nearly all garbage). Letting the heap grow by at
 * most 30% of what is live after each full collection keeps it flat, for more full collections of a small
 * heap (about a dozen milliseconds each). `heap_growing_percent` is read at every collection, so setting
 * it after start-up takes effect; the other heap sizes are fixed when the process starts.
 */
import { setFlagsFromString } from 'node:v8';

export const STREAMING_HEAP_GROWTH_PERCENT = 30;

let tuned = false;

export function flatHeapForStreaming(): void {
  if (tuned) return;
  tuned = true;
  setFlagsFromString(`--heap-growing-percent=${STREAMING_HEAP_GROWTH_PERCENT}`);
}
