/**
 * What the loopback fakes of SaaS APIs (fake-pagerduty.ts, fake-pingera.ts) share: reading a
 * request body, the queue of faults a test injects, and a server whose `close()` also ends the
 * requests a fault left hanging and every open connection.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A request body as JSON: undefined when empty, and `unparsable` when it is not JSON. */
export function parseJson(raw: string): { body: unknown; unparsable: boolean } {
  if (raw.trim() === '') return { body: undefined, unparsable: false };
  try {
    return { body: JSON.parse(raw), unparsable: false };
  } catch {
    return { body: undefined, unparsable: true };
  }
}

export interface FaultMatch {
  /** Only requests with this method; any when absent. */
  method?: string;
  /** The request path, the spec's template, or a RegExp on the path; any when absent. */
  path?: string | RegExp;
  /** How many matching requests get the fault (default 1). */
  times?: number;
}

/** Faults a test queued, each used up after `times` matching requests, oldest first. */
export class FaultQueue<F extends FaultMatch> {
  private readonly queued: { fault: F; left: number }[] = [];

  add(fault: F): void {
    this.queued.push({ fault, left: fault.times ?? 1 });
  }

  clear(): void {
    this.queued.length = 0;
  }

  /** The fault this request gets, counted as used; undefined when none matches. */
  take(req: { method: string; path: string; template: string | undefined }): F | undefined {
    const hit = this.queued.find(({ fault: f, left }) => {
      if (left <= 0) return false;
      if (f.method && f.method.toUpperCase() !== req.method) return false;
      if (f.path === undefined) return true;
      if (f.path instanceof RegExp) return f.path.test(req.path);
      return f.path === req.path || f.path === req.template;
    });
    if (hit) hit.left -= 1;
    return hit?.fault;
  }
}

export interface FakeServer {
  port: number;
  /** Leaves this request unanswered until close(). */
  hang(res: ServerResponse): void;
  /** Ends hanging requests and open connections, then stops listening. */
  close(): Promise<void>;
}

/** Listens on a free loopback port; a handler that throws answers 500 with the error. */
export async function listenFake(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<FakeServer> {
  const hanging = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    hang: (res) => hanging.add(res),
    async close() {
      for (const res of hanging) res.destroy();
      hanging.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
