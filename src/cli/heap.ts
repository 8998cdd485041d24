/**
 * V8 heap settings for the servers, set once they are up (set before, they would slow the first
 * answer by a fifth). Each saves memory measured in docs/BENCHMARKS.md, section 4.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** When the one early full GC runs: after start-up and the first answers, before load builds up. */
const FIRST_GC_MS = 500;

/**
 * For the HTTP server: keeps the young generation at its size, which requests' short-lived
 * garbage would otherwise double again and again (on Node 24, 280 MB after a 50-client run
 * instead of 390 MB, at the same throughput).
 */
export function holdYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

/**
 * For stdio, whose one client makes memory matter more than throughput: full GCs also give
 * memory back (85–90 MB after 10,000 calls instead of 160–180 MB, for a tenth more CPU a call),
 * and one runs early, because V8's first old-generation limit sits far above where a server
 * settles (on Node 24 the peak is about 150 MB with it, 190–205 MB without).
 */
export function favourMemory(): void {
  holdYoungGeneration();
  setFlagsFromString('--optimize-for-size');
  setTimeout(collectOnce, FIRST_GC_MS).unref();
}

/** One full GC (about 25 ms). Node has no gc() without --expose-gc, so it is on only while one context is made to take gc from. */
function collectOnce(): void {
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  setFlagsFromString('--no-expose-gc');
  if (typeof gc === 'function') gc();
}
