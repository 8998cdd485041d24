/**
 * V8 heap tuning for the stdio server: one client, so memory matters more than throughput.
 *
 * Each request leaves a few KB on the MCP SDK's path that outlive a young-generation GC and die
 * soon after. V8 answers by doubling the young generation (to 32 MB on Node 20, over 100 MB on
 * Node 24), and Node 24's V8 keeps the pages a full GC empties in a pool that only a
 * memory-reducing GC gives back. Holding the young generation at its size and making full GCs
 * memory-reducing keeps a busy stdio server near its idle size: about 90 MB after 10,000 calls
 * instead of 160–180 MB on Node 20 and 290 MB on Node 24, for about a tenth more CPU per call
 * (docs/BENCHMARKS.md, "Memory"). V8 reads both flags as it runs, so they work when set here,
 * unlike --max-semi-space-size, which only the command line can set. The HTTP server keeps V8's
 * defaults: its many concurrent clients favour throughput.
 */
import { setFlagsFromString } from 'node:v8';

export function favourMemory(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--optimize-for-size');
}
