/**
 * The legacy HTTP+SSE transport (protocol 2024-11-05) for clients configured with
 * `"transport": "sse"`: GET /sse opens an event stream whose first event names the POST
 * endpoint; POST /messages?sessionId=… delivers client messages, answered on the stream.
 * SDK v2 has no server for it, so this is a small Transport of our own over the same server
 * factory. Sessions are capped and closed when idle.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { JSONRPCMessage, Server, Transport } from '@modelcontextprotocol/server';
import type { Logger } from '../core/log.js';

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
  idleMs: number;
  log: Logger;
}

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

  /** Opens a session on `res`, or answers 503 when the cap is reached. */
  async open(res: ServerResponse, owner: string, server: Server): Promise<string | undefined> {
    if (this.sessions.size >= this.opts.maxSessions) return undefined;
    const transport = new SseTransport(res, '/messages', owner);
    this.sessions.set(transport.sessionId, { transport, server });
    transport.onclose = () => {
      this.sessions.delete(transport.sessionId);
      void server.close().catch(() => undefined);
    };
    await server.connect(transport);
    return transport.sessionId;
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
