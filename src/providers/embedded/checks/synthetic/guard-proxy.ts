/**
 * The browser's only way out: an HTTP proxy (plain requests and CONNECT tunnels) on a Unix socket
 * that connects through the target guard. The browser, in a network namespace of its own, reaches
 * it through a bridge on its loopback (bridge.ts). Chromium is told to send everything here, loopback included
 * (Playwright proxies loopback by default), so the guard judges the address each request really
 * connects to, after DNS, as it does for the other probes. Refused requests are recorded, so the
 * run can say what the page tried to reach.
 */

import { chmodSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { checkLiteral, guardedLookup, TargetRefusedError } from '../target-guard.js';

export interface GuardProxy {
  /** The Unix socket it listens on. */
  path: string;
  /** What was refused, in order: the URL (or host:port of a tunnel) and why. */
  refused: { url: string; reason: string }[];
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
const MAX_RECORDED = 20;

export async function startGuardProxy(blockPrivate: boolean, path: string): Promise<GuardProxy> {
  const refused: GuardProxy['refused'] = [];
  const sockets = new Set<Socket>();
  const lookup = guardedLookup(blockPrivate) as never;
  const refuse = (url: string, err: unknown): boolean => {
    if (!(err instanceof TargetRefusedError)) return false;
    if (refused.length < MAX_RECORDED) refused.push({ url, reason: err.message });
    return true;
  };

  const server: Server = createServer((req, res) => {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
      if (target.protocol !== 'http:') throw new Error('not http');
      checkLiteral(target.hostname, blockPrivate);
    } catch (err) {
      const refusedHere = refuse(req.url ?? '', err);
      res.writeHead(refusedHere ? 403 : 400, { 'content-type': 'text/plain', connection: 'close' });
      res.end(refusedHere ? `Refused by Vigil: ${(err as Error).message}` : 'Bad proxy request');
      return;
    }
    const upstream = httpRequest(
      {
        host: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port || 80,
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers: forwardable(req),
        lookup,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, forwardable(answer));
        answer.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      const refusedHere = refuse(target.href, err);
      if (res.headersSent) return void res.destroy();
      res.writeHead(refusedHere ? 403 : 502, { 'content-type': 'text/plain', connection: 'close' });
      res.end(`${refusedHere ? 'Refused by Vigil' : 'Upstream error'}: ${err.message}`);
    });
    req.pipe(upstream);
  });

  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    const [, host = '', port = '443'] = /^\[?([^\]]*?)\]?:(\d+)$/.exec(req.url ?? '') ?? [];
    const fail = (err: unknown) => {
      const status = refuse(req.url ?? '', err) ? '403 Forbidden' : '502 Bad Gateway';
      client.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
    };
    try {
      checkLiteral(host, blockPrivate);
    } catch (err) {
      return fail(err);
    }
    const upstream = connect({ host, port: Number(port), lookup });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    let established = false;
    upstream.once('connect', () => {
      established = true;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', (err) => (established ? client.destroy() : fail(err)));
    client.on('close', () => upstream.destroy());
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve) => server.listen(path, resolve));
  // The browser runs as another user; the socket's directory keeps out those who cannot list it.
  chmodSync(path, 0o666);
  return {
    path,
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function forwardable(m: IncomingMessage): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(m.headers)) {
    if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  }
  return out;
}
