/**
 * Long-running modes: the HTTP server (`vigil serve`) with the engine lease, and stdio.
 * Both shut down gracefully on SIGINT/SIGTERM: in-flight requests finish, the store closes.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { isLoopbackHost } from '../core/config.js';
import { Authenticator } from '../server/auth.js';
import { buildServer } from '../server/build-server.js';
import { StartupError } from './errors.js';
import { favourMemory, holdYoungGeneration } from './heap.js';
import { upstreamAuth } from './providers.js';
import { localPrincipal, type Runtime } from './runtime.js';
import { VERSION } from './version.js';

const LEASE_TTL_MS = 30_000;
/** The longest the engine sleeps: work written by other processes is seen within this. */
const ENGINE_POLL_MS = 1_000;
/** New work from this process is picked up this soon, several writes sharing one pass. */
const NUDGE_MS = 20;

function onSignals(shutdown: (signal: string) => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      shutdown(signal).then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

/**
 * Holds the engine lease while this process lives and, while it does, runs the engine when work
 * falls due, when this process writes new work, and at least every second; logs when it gains or
 * loses the lease. Leadership ends at the lease's expiry by this process's own clock unless a
 * renewal succeeded, so a renewal that hangs or fails never leaves two engines running.
 */
function runLease(rt: Runtime): () => Promise<void> {
  const holder = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  let expiresAt = 0;
  let leader = false;
  const update = (now: boolean) => {
    if (now === leader) return;
    leader = now;
    if (leader) rt.embedded.scheduler.start();
    else void rt.embedded.scheduler.stop();
    rt.log.info(
      { holder },
      leader ? 'this process now runs the engine' : 'another process runs the engine; serving MCP only',
    );
  };
  const renew = async () => {
    try {
      const held = await rt.embedded.lease.acquire('engine', holder, LEASE_TTL_MS);
      expiresAt = held?.expiresAt ?? 0;
      update(held !== undefined);
    } catch (err) {
      rt.log.warn({ err }, 'engine lease renewal failed');
      update(Date.now() < expiresAt);
    }
  };
  const { engine } = rt.embedded;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let busy = false;
  let again = false;
  /** Runs a pass, then sleeps until the next thing falls due (at most ENGINE_POLL_MS). */
  const work = async () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    clearTimeout(timer);
    let wait = ENGINE_POLL_MS;
    do {
      again = false;
      if (leader && Date.now() < expiresAt) wait = await pass();
    } while (again && !stopped);
    busy = false;
    if (stopped) return;
    timer = setTimeout(() => void work(), wait);
    timer.unref();
  };
  /** A pass; answers how long to sleep after it. */
  const pass = async (): Promise<number> => {
    try {
      const { startedAt, more } = await engine.tick();
      if (more) return 0;
      const next = await engine.nextDue();
      // Due before the pass began and still there: something it cannot take; do not spin on it.
      if (next === undefined || next <= startedAt) return ENGINE_POLL_MS;
      return Math.min(ENGINE_POLL_MS, Math.max(0, next - Date.now()));
    } catch (err) {
      rt.log.error({ err }, 'engine pass failed');
      return ENGINE_POLL_MS;
    }
  };
  let nudged: NodeJS.Timeout | undefined;
  engine.onWork(() => {
    nudged ??= setTimeout(() => {
      nudged = undefined;
      void work();
    }, NUDGE_MS);
  });
  void renew().then(work);
  const renewal = setInterval(() => void renew(), LEASE_TTL_MS / 3);
  renewal.unref();
  return async () => {
    stopped = true;
    engine.onWork(undefined);
    clearInterval(renewal);
    clearTimeout(timer);
    clearTimeout(nudged);
    await engine.idle();
    await rt.embedded.scheduler.stop();
    if (leader) await rt.embedded.lease.release('engine', holder).catch(() => undefined);
  };
}

export async function serveHttp(rt: Runtime): Promise<void> {
  const { config, log } = rt;
  holdYoungGeneration();
  const auth = new Authenticator(config, rt.embedded.apiKeys, upstreamAuth(config));
  if (!isLoopbackHost(config.httpHost) && !config.allowUnauthenticated && !(await auth.configured())) {
    throw new StartupError(
      `refusing to serve on ${config.httpHost} with no authentication configured: create an API key (vigil keys create), set VIGIL_JWT_SECRET or VIGIL_JWKS_URL, or set VIGIL_ALLOW_UNAUTHENTICATED=true`,
    );
  }
  const { createHttpApp } = await import('../http/app.js');
  const app = createHttpApp({
    config,
    log,
    service: rt.service,
    auth,
    health: async () => ({ version: VERSION, store: rt.embedded.kind }),
    ingest: rt.embedded.ingest,
    schedules: rt.embedded.ports.schedules,
    heartbeats: rt.embedded.ports.heartbeats,
    statusPages: rt.embedded.ports.statusPages,
  });
  let stopLease = async () => {};
  // Handlers first: a signal that arrives once the ready line is out must find them in place.
  onSignals(async (signal) => {
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    await app.close();
    await stopLease();
    await rt.close();
    log.info('stopped');
  });
  const address = await app.listen();
  stopLease = runLease(rt);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const base = `http://${host}:${address.port}`;
  log.info(
    {
      mcp: `${base}/mcp`,
      sse: `${base}/sse`,
      health: `${base}/healthz`,
      store: rt.embedded.location,
      mode: config.mode,
    },
    `Vigil ${VERSION} listening: MCP ${base}/mcp (Streamable HTTP), legacy SSE ${base}/sse, health ${base}/healthz; store ${rt.embedded.kind} at ${rt.embedded.location}; mode ${config.mode}`,
  );
}

export async function serveStdioMode(rt: Runtime): Promise<void> {
  const caller = { principal: localPrincipal(rt.config) };
  let shutdown = async () => rt.close();
  onSignals(() => shutdown());
  const handle = serveStdio(() => buildServer(rt.service, caller), {
    onerror: (err) => rt.log.error({ err }, 'stdio transport error'),
  });
  rt.log.info(
    { store: rt.embedded.location, mode: rt.config.mode },
    `Vigil ${VERSION} serving MCP over stdio; store ${rt.embedded.kind} at ${rt.embedded.location}; mode ${rt.config.mode}`,
  );
  shutdown = async () => {
    await handle.close();
    await rt.close();
  };
  process.stdin.once('end', () => void shutdown().then(() => process.exit(0)));
  favourMemory();
}
