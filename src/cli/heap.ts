/**
 * V8 heap tuning for the servers, set once they are up (during start-up it would cost a fifth
 * more time to the first answer).
 *
 * Each request leaves a few KB on the MCP SDK's path that outlive a young-generation GC and die
 * soon after. V8 answers by doubling the young generation (to 32 MB on Node 20, over 100 MB on
 * Node 24), and Node 24's V8 keeps the pages a full GC empties in a pool that only a
 * memory-reducing GC gives back. V8 reads the flags below as it runs, so they work when set from
 * here, unlike --max-semi-space-size, which only the command line can set. docs/BENCHMARKS.md,
 * section 4, has the figures (and the lab notebook it names, the measurements of each setting).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** When the one early full GC runs: after start-up and the first answers, before load builds up. */
const FIRST_GC_MS = 500;

/**
 * Keeps the young generation at the size it has. For the HTTP server: on Node 24 its memory after
 * a 50-client run falls from about 390 to 280 MB, with the same throughput (no change on Node 20).
 */
export function holdYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

/**
 * Also makes full GCs memory-reducing, and runs one soon. For the stdio server, which has one
 * client, so memory matters more than throughput: after 10,000 calls 85–90 MB instead of
 * 160–180 MB on Node 20, 105–110 MB instead of 290 MB on Node 24, for about a tenth more CPU per
 * call. The early full GC is for the climb before V8's first one: V8 sets the old generation's
 * first limit at start-up, far above where a server settles (only the limits after a full GC
 * follow the live size), so on Node 24 a busy server reached about 200 MB first; with it, 133 MB.
 */
export function favourMemory(): void {
  holdYoungGeneration();
  setFlagsFromString('--optimize-for-size');
  setTimeout(collectOnce, FIRST_GC_MS).unref();
}

/**
 * One full GC, about 25 ms. Node offers no GC call without --expose-gc, so the flag is on only
 * while one new context is made to take `gc` from, and off again for every other context.
 */
function collectOnce(): void {
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  setFlagsFromString('--no-expose-gc');
  if (typeof gc === 'function') gc();
}
