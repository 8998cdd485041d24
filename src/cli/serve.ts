/**
 * Long-running modes: the HTTP server (`vigil serve`) and stdio. Both run the engine (it shares
 * the work with other processes on the store), and both shut down gracefully on SIGINT/SIGTERM:
 * in-flight requests finish, the engine stops, the store closes. A stdio process also serves the
 * public routes (heartbeat pings, the Events API, status pages), so that monitoring works for a
 * user who only has an MCP client.
 */
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { isLoopbackHost } from '../core/config.js';
import { Authenticator } from '../server/auth.js';
import { buildServer } from '../server/build-server.js';
import { StartupError } from './errors.js';
import { favourMemory, holdYoungGeneration } from './heap.js';
import { upstreamAuth } from './providers.js';
import { localPrincipal, type Runtime } from './runtime.js';
import { VERSION } from './version.js';

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

export async function serveHttp(rt: Runtime): Promise<void> {
  const { config, log } = rt;
  holdYoungGeneration();
  const upstream = upstreamAuth(config, rt.providers);
  const auth = new Authenticator(config, rt.embedded.apiKeys, upstream);
  // REQUIRE_AUTH_HEADER with a provider that takes a foreign Authorization: every request brings a
  // credential that Vigil or that provider checks (one that is not Vigil's reaches only that
  // account), so none is unauthenticated: the Pingera seed's remote setup.
  const everyRequestChecked = config.requireAuthHeader && upstream !== undefined;
  if (
    !isLoopbackHost(config.httpHost) &&
    !config.allowUnauthenticated &&
    !everyRequestChecked &&
    !(await auth.configured())
  ) {
    throw new StartupError(
      `refusing to serve on ${config.httpHost} with no authentication configured: create an API key (vigil keys create), set VIGIL_JWT_SECRET or VIGIL_JWKS_URL, or set VIGIL_ALLOW_UNAUTHENTICATED=true`,
    );
  }
  const app = await httpApp(rt, auth);
  // Handlers first: a signal that arrives once the ready line is out must find them in place.
  onSignals(async (signal) => {
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    await app.close();
    await rt.close();
    log.info('stopped');
  });
  const address = await app.listen().catch((err: unknown) => {
    throw listenError(err, config.httpHost, config.httpPort);
  });
  rt.embedded.runner.start();
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const base = `http://${host}:${address.port}`;
  // Any free port (HTTP_PORT=0): ping URLs name the one taken.
  if (address.port !== config.httpPort && !config.publicUrlGiven)
    rt.embedded.ports.heartbeats.usePublicUrl(base);
  log.info(
    {
      mcp: `${base}/mcp`,
      sse: `${base}/sse`,
      health: `${base}/healthz`,
      store: rt.embedded.location,
      data_dir: config.dataDir,
      mode: config.mode,
    },
    `Vigil ${VERSION} listening: MCP ${base}/mcp (Streamable HTTP), legacy SSE ${base}/sse, health ${base}/healthz; data directory ${config.dataDir}; store ${rt.embedded.kind} at ${rt.embedded.location}; mode ${config.mode}`,
  );
}

/** A listen failure as one line: what is wrong with the address and which setting changes it. */
function listenError(err: unknown, host: string, port: number): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const at = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return new StartupError(
        `${at} is in use by another program: stop it, or set HTTP_PORT (--port) to another port (0 picks a free one)`,
      );
    case 'EACCES':
      return new StartupError(
        `not allowed to listen on ${at} (ports below 1024 need privileges): set HTTP_PORT (--port)`,
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new StartupError(
        `cannot listen on ${at}: ${host} is not an address of this machine (HTTP_HOST, --host)`,
      );
    default:
      return err instanceof Error ? err : new Error(String(err));
  }
}

/** The HTTP app on this runtime's store, as `vigil serve` runs it; with `publicOnly`, without MCP. */
export async function httpApp(rt: Runtime, auth: Authenticator, publicOnly = false) {
  const { createHttpApp } = await import('../http/app.js');
  return createHttpApp({
    config: rt.config,
    log: rt.log,
    service: rt.service,
    auth,
    health: async () => ({
      version: VERSION,
      store: rt.embedded.kind,
      store_id: await rt.embedded.storeId(),
      ...(await rt.embedded.health()),
    }),
    ingest: rt.embedded.ingest,
    schedules: rt.embedded.ports.schedules,
    heartbeats: rt.embedded.ports.heartbeats,
    statusPages: rt.embedded.ports.statusPages,
    responder: { incidents: rt.embedded.ports.incidents, directory: rt.embedded.ports.directory },
    publicOnly,
  });
}

/**
 * The public routes of a stdio process, on the configured port when it is free. When another
 * Vigil on the same store listens there, ping URLs already reach the store through it; when
 * something else does, this process listens on another port and ping URLs name that one, so a
 * ping URL always names a listener that writes to this store. Answers how to stop it.
 */
async function servePublic(rt: Runtime): Promise<() => Promise<void>> {
  const { config, log } = rt;
  const app = await httpApp(
    rt,
    new Authenticator(config, rt.embedded.apiKeys, upstreamAuth(config, rt.providers)),
    true,
  );
  const base = (port: number) =>
    `http://${config.httpHost.includes(':') ? `[${config.httpHost}]` : config.httpHost}:${port}`;
  try {
    const { port } = await app.listen();
    // Any free port (HTTP_PORT=0): ping URLs name the one taken.
    if (port !== config.httpPort && !config.publicUrlGiven)
      rt.embedded.ports.heartbeats.usePublicUrl(base(port));
    log.info({ url: base(port) }, `heartbeat pings, the Events API and status pages served at ${base(port)}`);
    return () => app.close();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
      log.warn({ err }, 'the public routes (heartbeat pings, status pages) are not served by this process');
      return async () => {};
    }
  }
  const there = base(config.httpPort);
  if ((await storeIdAt(there)) === (await rt.embedded.storeId())) {
    log.info({ url: there }, `pings reach this store through the Vigil already listening at ${there}`);
    return async () => {};
  }
  const { port } = await app.listen(0);
  const url = config.publicUrlGiven ? config.publicUrl : base(port);
  rt.embedded.ports.heartbeats.usePublicUrl(url);
  log.warn(
    { busy: there, url: base(port) },
    `${there} is taken by something else; heartbeat pings and status pages served at ${base(port)} while this process runs`,
  );
  return () => app.close();
}

/** The store id a Vigil at `base` reports, if one answers there. */
async function storeIdAt(base: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2_000) });
    const body = (await res.json()) as { store_id?: unknown };
    return typeof body.store_id === 'string' ? body.store_id : undefined;
  } catch {
    return undefined;
  }
}

export async function serveStdioMode(rt: Runtime): Promise<void> {
  const caller = { principal: localPrincipal(rt.config) };
  let stopPublic = async () => {};
  let shutdown = async () => {
    await stopPublic();
    await rt.close();
  };
  onSignals(() => shutdown());
  const handle = serveStdio(() => buildServer(rt.service, caller), {
    onerror: (err) => rt.log.error({ err }, 'stdio transport error'),
  });
  rt.log.info(
    { store: rt.embedded.location, data_dir: rt.config.dataDir, mode: rt.config.mode },
    `Vigil ${VERSION} serving MCP over stdio; data directory ${rt.config.dataDir}; store ${rt.embedded.kind} at ${rt.embedded.location}; mode ${rt.config.mode}`,
  );
  shutdown = async () => {
    await handle.close();
    await stopPublic();
    await rt.close();
  };
  process.stdin.once('end', () => void shutdown().then(() => process.exit(0)));
  // Monitoring runs as long as the client keeps this process: checks, heartbeats, pages.
  stopPublic = await servePublic(rt);
  rt.embedded.runner.start();
  favourMemory();
}
