/**
 * Cold start: wall time from spawning the server over stdio to the answer of the first
 * `tools/list` (so: process start, module loading, opening the store, `initialize`, then
 * `tools/list`). One discarded run per server warms the OS file cache; then `runs` runs,
 * alternating the servers, each reported by its median. Vigil opens an already-migrated store
 * (an ordinary launch); each round also times Vigil's first launch on an empty data directory
 * (`freshStoreMedianMs`, which includes running the migrations).
 */
import { performance } from 'node:perf_hooks';
import { median, scratchDir, startStdio } from './lib.mjs';

async function once(target, dataDir) {
  const t0 = performance.now();
  const server = await startStdio(target, dataDir);
  const { tools } = await server.client.listTools();
  const ms = performance.now() - t0;
  await server.close();
  return { ms, tools: tools.length };
}

export async function coldStart(targets, dataDir, { runs = 7 } = {}) {
  const samples = Object.fromEntries(Object.keys(targets).map((name) => [name, []]));
  const fresh = [];
  const tools = {};
  for (const target of Object.values(targets)) await once(target, dataDir);
  for (let i = 0; i < runs; i++) {
    for (const [name, target] of Object.entries(targets)) {
      const r = await once(target, dataDir);
      samples[name].push(r.ms);
      tools[name] = r.tools;
    }
    if (targets.vigil) {
      const empty = scratchDir();
      fresh.push((await once(targets.vigil, empty.dir)).ms);
      empty.remove();
    }
  }
  const out = {};
  for (const [name, ms] of Object.entries(samples)) {
    out[name] = {
      medianMs: median(ms),
      minMs: Math.min(...ms),
      maxMs: Math.max(...ms),
      tools: tools[name],
      samplesMs: ms,
    };
  }
  if (targets.vigil) out.vigil.freshStoreMedianMs = median(fresh);
  return out;
}
