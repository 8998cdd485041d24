/**
 * The one HTTP app: MCP over Streamable HTTP at /mcp (2026-07-28 and older clients), the legacy
 * HTTP+SSE transport at /sse + /messages, and /healthz. Every MCP route checks Host and Origin,
 * authenticates, and limits the body. close() lets in-flight requests finish.
 */
import { createHash } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server as NodeServer,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, type JSONRPCMessage } from '@modelcontextprotocol/server';
import { chatButtons } from '../core/chat-action.js';
import type { Config } from '../core/config.js';
import type { DirectoryPort } from '../core/directory.js';
import type { HeartbeatsPort } from '../core/heartbeats.js';
import type { IncidentsPort } from '../core/incidents.js';
import type { Logger } from '../core/log.js';
import type { Principal } from '../core/principal.js';
import { responderTokens } from '../core/responder-token.js';
import type { SchedulesPort } from '../core/schedules.js';
import type { StatusPagesPort } from '../core/status-pages.js';
import { subscriberTokens } from '../core/status-subscriptions.js';
import { telegramApi } from '../providers/embedded/engine/channels/telegram.js';
import type { EventIngest } from '../providers/embedded/events.js';
import { secretKey } from '../providers/embedded/store/secrets-repo.js';
import { storageFault } from '../providers/embedded/store/sql-errors.js';
import type { Authenticator } from '../server/auth.js';
import { buildServer, type Caller, type ToolService } from '../server/build-server.js';
import { parseToolList } from '../server/registry.js';
import { CALENDAR_PATH, scheduleCalendar } from './calendar-route.js';
import { SLACK_PATH, serveSlackInteractivity } from './chat/slack-route.js';
import { slackUserEmails } from './chat/slack-users.js';
import { serveTelegramWebhook, TELEGRAM_PATH } from './chat/telegram-route.js';
import { enqueue } from './events-route.js';
import { BodyTooLargeError, discardRest, readBody, rejectReason, rpcError, sendJson } from './guards.js';
import { clientOf, SseSessions } from './legacy-sse.js';
import { isProtectedResourcePath, serveProtectedResourceMetadata } from './oauth-metadata.js';
import { parsePingPath, receivePing } from './ping-route.js';
import { RESPONDER_PATH, serveResponder } from './responder/route.js';
import { type Access, clearStatusCache, pageForHost, STATUS_PATH, serveStatus } from './status/route.js';
import { viewerTokens } from './status/viewer-token.js';

export interface HttpDeps {
  config: Config;
  log: Logger;
  service: ToolService;
  auth: Authenticator;
  /** What /healthz reports; `ok: false` (with the reason) answers 503, anything else 200. */
  health: () => Promise<Health>;
  /** Events API v2 ingestion; without it `/v2/enqueue` is not served. */
  ingest?: EventIngest | undefined;
  /** Schedules for iCalendar feeds; without them `/schedules/<id>.ics` is not served. */
  schedules?: SchedulesPort | undefined;
  /** Heartbeats for ping URLs; without them `/ping/*` is not served. */
  heartbeats?: HeartbeatsPort | undefined;
  /** Status pages, served publicly at `/status/<slug>` and on their own domains; optional. */
  statusPages?: StatusPagesPort | undefined;
  /**
   * The embedded engine's incidents and people, which the links in its pages name (`/r/<token>`);
   * by default the served ones (which are a SaaS provider's when one serves the incidents toolset).
   */
  responder?: { incidents: IncidentsPort; directory: DirectoryPort } | undefined;
  /** Serve only the public routes (pings, events, status pages, calendars): a stdio process's listener. */
  publicOnly?: boolean | undefined;
}

export type Health = Record<string, unknown> & ({ ok?: true } | { ok: false; reason: string });

export interface HttpApp {
  server: NodeServer;
  /** Listens on the configured address, or on `port` instead (0: any free port). */
  listen(port?: number): Promise<AddressInfo>;
  close(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 10_000;
const NOBODY: Principal = { kind: 'anonymous', label: 'nobody', mode: 'read_only' };
const KEY_IN_URL =
  'This key can do more than read status pages, so it is not taken in a URL, where it would be kept in browser history and logs. Send it in an Authorization header, or open the page with a key made for it: vigil keys create --name viewer --mode read_only --toolsets status_pages.';

/** A credential that can do nothing but read status pages: the only kind `?key=` takes. */
const readsStatusPagesOnly = (p: Principal) =>
  p.mode === 'read_only' && p.toolsets?.length === 1 && p.toolsets[0] === 'status_pages';

export function createHttpApp(deps: HttpDeps): HttpApp {
  const { config, log, service, auth } = deps;
  const limit = config.maxBodyBytes;
  const guard = {
    bindHost: config.httpHost,
    allowedHosts: config.allowedHosts,
    allowedOrigins: config.allowedOrigins,
  };

  const mcp = createMcpHandler(
    (ctx) =>
      buildServer(service, (ctx.authInfo?.extra?.caller as Caller | undefined) ?? { principal: NOBODY }),
    { maxRequestBodySize: limit, onerror: (err) => log.debug({ err }, 'mcp request rejected') },
  );
  const mcpNode = toNodeHandler(mcp, {
    maxRequestBodySize: limit,
    onerror: (err) => log.error({ err }, 'mcp handler failed'),
  });
  const status = deps.statusPages && {
    pages: deps.statusPages,
    publicUrl: config.publicUrl,
    authorize: statusViewer,
    viewer: viewerTokens(() => secretKey(config.secretKey, config.dataDir)),
    frameAncestors: config.statusFrameAncestors,
    // Subscribers' links and forms, signed under the key the embedded engine signs their mail's links with.
    subscriptions: service.deps.ports.statusSubscriptions && {
      port: service.deps.ports.statusSubscriptions,
      tokens: subscriberTokens(() => secretKey(config.secretKey, config.dataDir)),
      sendsEmail: config.smtp.url !== undefined,
    },
  };
  // Links in pages to people (`/r/<token>`), signed under the key the embedded engine signs them with.
  const incidents = deps.responder?.incidents ?? service.deps.ports.incidents;
  const responder = incidents && {
    incidents,
    directory: deps.responder?.directory ?? service.deps.ports.directory,
    tokens: responderTokens(() => secretKey(config.secretKey, config.dataDir)),
    publicUrl: config.publicUrl,
    log,
    audit: service.deps.ports.audit,
  };
  // Clicks on Slack's and Telegram's buttons (src/http/chat), acting on the same incidents as links.
  const { telegram } = config;
  const { botToken } = config.slack;
  const chat = responder && {
    incidents: responder.incidents,
    directory: responder.directory,
    buttons: chatButtons(() => secretKey(config.secretKey, config.dataDir)),
    log,
    audit: responder.audit,
    maxBodyBytes: limit,
    slackSigningSecret: config.slack.signingSecret,
    slackUserEmail: botToken ? slackUserEmails({ botToken, apiUrl: config.slack.apiUrl }, log) : undefined,
    telegram: telegram?.webhookSecret
      ? { webhookSecret: telegram.webhookSecret, call: telegramApi(telegram) }
      : undefined,
  };
  // A change made here is on the page at once; one made by another process within a second.
  deps.statusPages?.onChange?.(clearStatusCache);
  const sse = new SseSessions({
    maxSessions: config.maxSessions,
    maxPerClient: config.maxSessionsPerClient,
    idleMs: config.sessionIdleSeconds * 1000,
    log,
  });

  /** Authenticates the request; answers 401 itself and returns undefined when refused. */
  async function callerOf(req: IncomingMessage, res: ServerResponse): Promise<Caller | undefined> {
    const outcome = await auth.authenticate(req.headers.authorization);
    if (!outcome.ok) {
      sendJson(res, 401, rpcError(-32001, outcome.message), { 'www-authenticate': outcome.challenge });
      return undefined;
    }
    const choice = {
      tools: parseToolList(req.headers['x-mcp-tools']),
      toolsets: parseToolList(req.headers['x-mcp-toolsets']),
    };
    const problem = service.exposure.problemWith(choice);
    if (problem) {
      sendJson(res, 400, rpcError(-32602, problem));
      return undefined;
    }
    return {
      principal: outcome.principal,
      choice,
      address: req.socket.remoteAddress,
      // Each provider in use reads its caller's own credential from the request.
      credentials: service.deps.credentialsOf?.({
        headers: req.headers,
        foreignAuthorization: outcome.upstream,
      }),
    };
  }

  /**
   * Who may see a private status page: a caller with a real credential (an API key or JWT, as
   * /mcp takes it — never an anonymous one, even where /mcp lets anonymous callers in) that is
   * allowed the status_pages toolset. `key` is `?key=`, for browsers and feed readers.
   */
  async function statusViewer(req: IncomingMessage, key: string | undefined): Promise<Access> {
    const header = req.headers.authorization || (key ? `Bearer ${key}` : undefined);
    const outcome = header ? await auth.authenticate(header) : undefined;
    if (outcome && !outcome.ok)
      return { ok: false, status: 401, message: outcome.message, challenge: outcome.challenge };
    if (!outcome || outcome.principal.kind === 'anonymous') {
      return {
        ok: false,
        status: 401,
        message:
          'This status page is private: open it with a Vigil API key or JWT in an Authorization header, or with ?key= and a key limited to reading status pages.',
        challenge: 'Bearer realm="vigil"',
      };
    }
    const { toolsets } = outcome.principal;
    if (toolsets && !toolsets.includes('status_pages'))
      return { ok: false, status: 403, message: 'This credential is not allowed the status_pages toolset.' };
    // A key in a URL ends up in browser history, server logs and shared links: there, only a key
    // that can do nothing but read status pages is taken.
    if (key && !req.headers.authorization && !readsStatusPagesOnly(outcome.principal))
      return { ok: false, status: 403, message: KEY_IN_URL };
    return { ok: true };
  }

  /** Whose an SSE session is: the Authorization, and every credential a provider read from the request. */
  const ownerOf = (req: IncomingMessage, caller: Caller) =>
    createHash('sha256')
      .update(req.headers.authorization ?? '')
      .update('\0')
      .update(JSON.stringify(Object.entries(caller.credentials ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))))
      .digest('hex');

  async function handleMcp(req: IncomingMessage, res: ServerResponse) {
    const caller = await callerOf(req, res);
    if (!caller) return;
    (req as IncomingMessage & { auth?: unknown }).auth = {
      token: '',
      clientId: caller.principal.label,
      scopes: [],
      extra: { caller },
    };
    await mcpNode(req as Parameters<typeof mcpNode>[0], res);
  }

  async function openSse(req: IncomingMessage, res: ServerResponse) {
    const caller = await callerOf(req, res);
    if (!caller) return;
    const client = clientOf(caller.principal, req.headers.authorization, req.socket.remoteAddress);
    const opened = await sse.open(res, ownerOf(req, caller), client, buildServer(service, caller));
    if ('status' in opened)
      return sendJson(res, opened.status, rpcError(-32000, opened.message), { 'retry-after': '30' });
    log.debug({ sessionId: opened.sessionId, principal: caller.principal.label }, 'SSE session opened');
  }

  async function postMessage(req: IncomingMessage, res: ServerResponse, url: URL) {
    const session = sse.get(url.searchParams.get('sessionId') ?? '');
    if (!session)
      return sendJson(res, 404, rpcError(-32000, 'Unknown or closed sessionId; open a new stream at /sse.'));
    const caller = await callerOf(req, res);
    if (!caller) return;
    if (session.owner !== ownerOf(req, caller)) {
      return sendJson(res, 403, rpcError(-32000, 'This session belongs to another credential.'));
    }
    const body = await readBody(req, limit);
    let message: JSONRPCMessage;
    try {
      message = JSON.parse(body) as JSONRPCMessage;
    } catch {
      return sendJson(res, 400, rpcError(-32700, 'Parse error: the body is not valid JSON.'));
    }
    if (
      typeof message !== 'object' ||
      message === null ||
      (message as { jsonrpc?: unknown }).jsonrpc !== '2.0'
    ) {
      return sendJson(res, 400, rpcError(-32600, 'Invalid Request: expected a JSON-RPC 2.0 message object.'));
    }
    session.deliver(message);
    res.writeHead(202, { 'content-type': 'text/plain' }).end('Accepted');
  }

  async function route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      const { ok, ...health } = await deps.health();
      // 503 while the store refuses writes, so a load balancer or orchestrator turns away from it.
      if (ok === false)
        return sendJson(res, 503, { status: 'unavailable', sse_sessions: sse.size, ...health });
      return sendJson(res, 200, { status: 'ok', sse_sessions: sse.size, ...health });
    }
    if (isProtectedResourcePath(path)) return serveProtectedResourceMetadata(req, res, auth);
    if (path === '/v2/enqueue' && deps.ingest) {
      const reason = rejectReason(req, guard);
      if (reason) return sendJson(res, 403, { status: 'forbidden', message: reason });
      if (req.method !== 'POST')
        return sendJson(res, 405, { status: 'method not allowed', message: 'Use POST.' }, { allow: 'POST' });
      return enqueue(req, res, deps.ingest, log, service.deps.ports.audit);
    }
    const ping = deps.heartbeats ? parsePingPath(path) : undefined;
    if (ping && deps.heartbeats) {
      const reason = rejectReason(req, guard);
      if (reason) return sendJson(res, 403, { error: { code: 'FORBIDDEN', message: reason } });
      if ('error' in ping)
        return sendJson(res, 400, { error: { code: 'VALIDATION_ERROR', message: ping.error } });
      return receivePing(
        req,
        res,
        { heartbeats: deps.heartbeats, log, maxBodyBytes: limit, auth, audit: service.deps.ports.audit },
        ping,
      );
    }
    const calendar = CALENDAR_PATH.exec(path);
    if (calendar && deps.schedules)
      return serveCalendar(req, res, url, deps.schedules, calendar[1] as string);
    const responderLink = responder && RESPONDER_PATH.exec(path);
    if (responder && responderLink)
      return serveResponder(req, res, responder, responderLink[1] as string, url);
    // Signed by Slack and Telegram themselves, from their servers: no Host or Origin check applies.
    if (chat && path === SLACK_PATH) return serveSlackInteractivity(req, res, chat);
    if (chat && path === TELEGRAM_PATH) return serveTelegramWebhook(req, res, chat);
    const isMcp = path === '/mcp' || path === '/sse' || path === '/messages';
    if (!isMcp && status) {
      const m = STATUS_PATH.exec(path);
      if (m) return serveStatus(req, res, status, { ref: m[1] as string, rest: m[2] ?? '' });
      const page = await pageForHost(status, req.headers.host);
      if (page) return serveStatus(req, res, status, { page, rest: path === '/' ? '' : path });
    }
    if (!isMcp)
      return sendJson(res, 404, {
        error: { code: 'NOT_FOUND', message: `No route ${req.method} ${url.pathname}.` },
      });
    if (deps.publicOnly)
      return sendJson(res, 404, {
        error: {
          code: 'NOT_FOUND',
          message: 'This process serves MCP over stdio only; run `vigil serve` for MCP over HTTP.',
        },
      });
    const reason = rejectReason(req, guard);
    if (reason) return sendJson(res, 403, rpcError(-32000, reason));
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return refuseTooLarge(req, res);
    if (path === '/mcp') return handleMcp(req, res);
    if (path === '/sse' && req.method === 'GET') return openSse(req, res);
    if (path === '/messages' && req.method === 'POST') return postMessage(req, res, url);
    return sendJson(res, 405, rpcError(-32000, `Method ${req.method} not allowed on ${path}.`), {
      allow: path === '/sse' ? 'GET' : 'POST',
    });
  }

  async function serveCalendar(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    schedules: SchedulesPort,
    id: string,
  ) {
    const reason = rejectReason(req, guard);
    if (reason) return sendJson(res, 403, { error: { code: 'FORBIDDEN', message: reason } });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendJson(
        res,
        405,
        { error: { code: 'VALIDATION_ERROR', message: 'Use GET.' } },
        { allow: 'GET, HEAD' },
      );
    }
    // Calendar apps subscribe by URL alone: a key may come as `?key=` instead of a header.
    const key = url.searchParams.get('key');
    if (key && !req.headers.authorization) req.headers.authorization = `Bearer ${key}`;
    const caller = await callerOf(req, res);
    if (!caller) return;
    const { toolsets } = caller.principal;
    if (toolsets && !toolsets.includes('oncall')) {
      return sendJson(res, 403, {
        error: { code: 'FORBIDDEN', message: 'This credential is not allowed the oncall toolset.' },
      });
    }
    return scheduleCalendar(res, req, schedules, id);
  }

  function refuseTooLarge(req: IncomingMessage, res: ServerResponse) {
    sendJson(res, 413, rpcError(-32000, `Request body over ${limit} bytes (VIGIL_MAX_BODY_BYTES).`));
    discardRest(req);
  }

  let inflight = 0;
  let idle: (() => void) | undefined;
  const server = createServer((req, res) => {
    inflight++;
    res.on('close', () => {
      inflight--;
      if (inflight === 0) idle?.();
    });
    route(req, res).catch((err: unknown) => {
      if (err instanceof BodyTooLargeError) return refuseTooLarge(req, res);
      // The path only: a query may carry `?key=` (private status pages, calendars).
      log.error({ err, path: (req.url ?? '').split('?')[0] }, 'HTTP request failed');
      // A store that cannot answer (full, read-only, unreachable) makes the server unavailable, not
      // broken: the caller learns why and when to come back.
      const fault = storageFault(err);
      if (fault) return sendJson(res, 503, rpcError(-32603, fault), { 'retry-after': '5' });
      sendJson(res, 500, rpcError(-32603, 'Internal error; the server log has the details.'));
    });
  });
  server.headersTimeout = 30_000;
  // Idle keep-alive sockets stay open longer than clients keep theirs (undici: 4 s), so a client
  // never sends on a socket the server is closing at that moment ("other side closed").
  server.keepAliveTimeout = 20_000;
  server.requestTimeout = 0; // SSE streams stay open; idle sessions are closed by SseSessions.

  return {
    server,
    listen: (port?: number) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port ?? config.httpPort, config.httpHost, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    async close() {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await sse.closeAll();
      if (inflight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => {
            idle = resolve;
          }),
          new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref()),
        ]);
      }
      await mcp.close();
      server.closeAllConnections();
      await stopped;
    },
  };
}
