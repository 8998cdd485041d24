/**
 * V8 heap sizing for a long-running server, set before other modules allocate (the CLI imports
 * this first). Each request leaves a few KB on the MCP SDK's path that outlive a young-generation
 * GC and die soon after. V8 answers by doubling the young generation (to 32 MB on Node 20, over
 * 100 MB on Node 24) and by letting the old generation reach about four times its live size before
 * a full GC. Held at its first size, and allowed to double, a busy stdio server stays near 100 MB
 * instead of 135–180 MB, for the same GC time (docs/BENCHMARKS.md, "Memory"). V8 reads both flags
 * at each GC, so they work when set here, unlike --max-semi-space-size or --max-old-space-size,
 * which only the command line can set.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--semi-space-growth-factor=1');
setFlagsFromString('--heap-growing-percent=100');
