/**
 * V8 heap tuning for the stdio server: one client, so memory matters more than throughput.
 *
 * Each request leaves a few KB on the MCP SDK's path that outlive a young-generation GC and die
 * soon after. V8 answers by doubling the young generation (to 32 MB on Node 20, over 100 MB on
 * Node 24), and Node 24's V8 keeps the pages a full GC empties in a pool that only a
 * memory-reducing GC gives back. Holding the young generation at its size and making full GCs
 * memory-reducing keeps a busy stdio server near its idle size: after 10,000 calls 85–90 MB
 * instead of 160–180 MB on Node 20, 105–110 MB instead of 290 MB on Node 24, for about a tenth
 * more CPU per call
 * (docs/BENCHMARKS.md, "Memory"). V8 reads both flags as it runs, so they work when set here,
 * unlike --max-semi-space-size, which only the command line can set. Set once the server is up:
 * during start-up they would cost a fifth more time to the first answer. The HTTP server keeps
 * V8's defaults: its many concurrent clients favour throughput.
 */
import { setFlagsFromString } from 'node:v8';

export function favourMemory(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--optimize-for-size');
}
