/**
 * The legacy HTTP+SSE transport (protocol 2024-11-05) for clients configured with
 * `"transport": "sse"`: GET /sse opens an event stream whose first event names the POST
 * endpoint; POST /messages?sessionId=… delivers client messages, answered on the stream.
 * SDK v2 has no server for it, so this is a small Transport of our own over the same server
 * factory. Sessions are capped — in all, and per client, so that one client cannot take every
 * slot — and closed when idle.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { JSONRPCMessage, Server, Transport } from '@modelcontextprotocol/server';
import type { Logger } from '../core/log.js';
import type { Principal } from '../core/principal.js';

const KEEPALIVE_MS = 15_000;

class SseTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;
  sessionId: string;
  lastActivity = Date.now();
  private closed = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly endpoint: string,
    /** Identifies the credential that opened the session; every POST must carry the same. */
    readonly owner: string,
    /** Whom the session counts against for the per-client cap (see clientOf). */
    readonly client: string,
  ) {
    this.sessionId = randomUUID();
  }

  async start(): Promise<void> {
    this.res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
    });
    this.res.write(`event: endpoint\ndata: ${this.endpoint}?sessionId=${this.sessionId}\n\n`);
    this.res.on('close', () => void this.close());
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) throw new Error('SSE session is closed');
    this.res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  deliver(message: JSONRPCMessage): void {
    this.lastActivity = Date.now();
    this.onmessage?.(message);
  }

  ping(): void {
    if (!this.closed) this.res.write(': keepalive\n\n');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.res.end();
    this.onclose?.();
  }
}

export interface SseOptions {
  maxSessions: number;
  /** Most sessions one client (see clientOf) keeps open at once. */
  maxPerClient: number;
  idleMs: number;
  log: Logger;
}

/**
 * Whom a session counts against: a verified API key, or a JWT's subject (its tokens count
 * together); anyone else — anonymous, or with a credential only a SaaS provider can judge, which
 * anyone can make up — by network address.
 */
export function clientOf(
  principal: Principal,
  authorization: string | undefined,
  address: string | undefined,
) {
  if (principal.kind === 'api_key') {
    const key = (authorization ?? '')
      .trim()
      .replace(/^Bearer\s+/i, '')
      .trim();
    return `key:${createHash('sha256').update(key).digest('hex')}`;
  }
  if (principal.kind === 'jwt') return principal.label;
  return `address:${address ?? 'unknown'}`;
}

export type SseOpened = { sessionId: string } | { status: 429 | 503; message: string };

export class SseSessions {
  private readonly sessions = new Map<string, { transport: SseTransport; server: Server }>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly opts: SseOptions) {
    this.timer = setInterval(() => this.sweep(), Math.min(KEEPALIVE_MS, opts.idleMs / 2));
    this.timer.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Opens a session on `res`, or says why not: the client's cap (429) or the server's (503). */
  async open(res: ServerResponse, owner: string, client: string, server: Server): Promise<SseOpened> {
    let mine = 0;
    for (const { transport } of this.sessions.values()) if (transport.client === client) mine++;
    if (mine >= this.opts.maxPerClient)
      return {
        status: 429,
        message: `This client already has ${mine} SSE sessions open (VIGIL_MAX_SESSIONS_PER_CLIENT=${this.opts.maxPerClient}); close one, or try again later.`,
      };
    if (this.sessions.size >= this.opts.maxSessions)
      return {
        status: 503,
        message: `Too many open SSE sessions (VIGIL_MAX_SESSIONS=${this.opts.maxSessions}). Try again later.`,
      };
    const transport = new SseTransport(res, '/messages', owner, client);
    this.sessions.set(transport.sessionId, { transport, server });
    transport.onclose = () => {
      this.sessions.delete(transport.sessionId);
      void server.close().catch(() => undefined);
    };
    await server.connect(transport);
    return { sessionId: transport.sessionId };
  }

  get(sessionId: string): SseTransport | undefined {
    return this.sessions.get(sessionId)?.transport;
  }

  private sweep(): void {
    const now = Date.now();
    for (const { transport } of this.sessions.values()) {
      if (now - transport.lastActivity > this.opts.idleMs) {
        this.opts.log.info({ sessionId: transport.sessionId }, 'closing idle SSE session');
        void transport.close();
      } else {
        transport.ping();
      }
    }
  }

  async closeAll(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.sessions.values()].map(({ transport }) => transport.close()));
  }
}
