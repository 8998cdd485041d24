/**
 * Streamable HTTP throughput: `clients` MCP clients (separate Client instances and transports,
 * default 2025-era connect, so each call is one POST) each call the timed tool in a closed
 * loop. After `warmupS` seconds of untimed load, calls completed in the next `seconds` give
 * calls/s and the latency percentiles. The load generator shares the machine with the server,
 * so the server's own CPU time per call (from /proc) and the generator's are reported too.
 * With `apiKey`, every request carries it as a bearer token.
 */
import { performance } from 'node:perf_hooks';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { call, cpuMs, memoryMb, percentile, startHttp } from './lib.mjs';

export async function httpRun(target, dataDir, seed, opts = {}) {
  const { clients = 50, seconds = 10, warmupS = 2, nodeArgs = [], apiKey } = opts;
  const server = await startHttp(target, dataDir, nodeArgs);
  const args = target.args(seed);
  const requestInit = apiKey ? { headers: { authorization: `Bearer ${apiKey}` } } : undefined;
  const pool = await Promise.all(
    Array.from({ length: clients }, async () => {
      const client = new Client({ name: 'vigil-bench', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(server.url, { requestInit }));
      return client;
    }),
  );
  try {
    const latencies = [];
    let phase = 'warmup';
    let failures = 0;
    const loop = async (client) => {
      while (phase !== 'done') {
        const start = performance.now();
        try {
          await call(client, target.tool, args);
        } catch (err) {
          if (++failures === 1)
            process.stderr.write(`bench: ${target.tool} over HTTP failed: ${err.message}\n`);
          continue;
        }
        if (phase === 'measure') latencies.push(performance.now() - start);
      }
    };
    const loops = pool.map(loop);
    await sleep(warmupS * 1000);
    phase = 'measure';
    const cpu0 = cpuMs(server.pid);
    const self0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(seconds * 1000);
    phase = 'done';
    const elapsedS = (performance.now() - t0) / 1000;
    const measured = latencies.length; // calls still in flight at the end are not counted
    const serverCpuMs = cpuMs(server.pid) - cpu0;
    const self = process.cpuUsage(self0);
    await Promise.all(loops);
    const sorted = Float64Array.from(latencies).sort();
    return {
      callsPerSecond: measured / elapsedS,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      calls: measured,
      failures,
      serverCpuUsPerCall: (serverCpuMs * 1000) / measured,
      serverCpuShare: serverCpuMs / 1000 / elapsedS,
      loadGeneratorCpuShare: (self.user + self.system) / 1e6 / elapsedS,
      serverRssMb: memoryMb(server.pid).rss,
    };
  } finally {
    await Promise.all(pool.map((c) => c.close().catch(() => undefined)));
    await server.stop();
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
