/**
 * stdio round trip and memory. One client calls the timed tool sequentially over stdio
 * (Vigil: `get_users` for a team of SEED_USERS; baseline: `echo`). After `warmup` untimed
 * calls, `reps` windows of `calls` timed calls each give p50/p99 per window; the reported
 * figure is the median over the windows. Then untimed calls continue up to `total` calls in
 * all, and the server process's VmRSS / VmHWM (peak) are read from /proc, with its CPU time.
 */
import { performance } from 'node:perf_hooks';
import { call, cpuMs, median, memoryMb, percentile, startStdio } from './lib.mjs';

export async function stdioRun(target, dataDir, seed, opts = {}) {
  const { warmup = 1000, calls = 2000, reps = 3, total = 10_000 } = opts;
  const server = await startStdio(target, dataDir);
  const args = target.args(seed);
  const invoke = () => call(server.client, target.tool, args);
  try {
    const idle = memoryMb(server.pid);
    for (let i = 0; i < warmup; i++) await invoke();
    const windows = [];
    const cpu0 = cpuMs(server.pid);
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) {
      const ms = new Float64Array(calls);
      for (let i = 0; i < calls; i++) {
        const start = performance.now();
        await invoke();
        ms[i] = performance.now() - start;
      }
      ms.sort();
      windows.push({
        p50: percentile(ms, 50),
        p99: percentile(ms, 99),
        mean: ms.reduce((a, b) => a + b) / calls,
      });
    }
    const timedCalls = reps * calls;
    const serverCpuUsPerCall = ((cpuMs(server.pid) - cpu0) * 1000) / timedCalls;
    const wallUsPerCall = ((performance.now() - t0) * 1000) / timedCalls;
    for (let i = warmup + timedCalls; i < total; i++) await invoke();
    const after = memoryMb(server.pid);
    return {
      p50Ms: median(windows.map((w) => w.p50)),
      p99Ms: median(windows.map((w) => w.p99)),
      meanMs: median(windows.map((w) => w.mean)),
      windows,
      serverCpuUsPerCall,
      wallUsPerCall,
      memory: {
        idleRssMb: idle.rss,
        calls: Math.max(total, warmup + timedCalls),
        rssMb: after.rss,
        peakRssMb: after.peak,
      },
    };
  } finally {
    await server.close();
  }
}
