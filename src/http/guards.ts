/**
 * Host and Origin validation (DNS-rebinding and cross-site protection) and small response
 * helpers shared by the routes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopbackHost } from '../core/config.js';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]', '::1'];

export interface GuardOptions {
  bindHost: string;
  allowedHosts: readonly string[] | undefined;
  allowedOrigins: readonly string[];
}

function hostname(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.split(':')[0] ?? '';
}

/** Why the request is refused (403), or undefined when Host and Origin are acceptable. */
export function rejectReason(req: IncomingMessage, opts: GuardOptions): string | undefined {
  const host = req.headers.host;
  if (!host) return 'Missing Host header.';
  const name = hostname(host);
  const allowedHosts = opts.allowedHosts?.map((h) => h.toLowerCase());
  if (allowedHosts) {
    if (!allowedHosts.includes(name)) return `Host '${name}' is not allowed (VIGIL_ALLOWED_HOSTS).`;
  } else if (isLoopbackHost(opts.bindHost) && !LOOPBACK_NAMES.includes(name)) {
    return `Host '${name}' is not allowed on a loopback server (set VIGIL_ALLOWED_HOSTS).`;
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let originHost: string;
    try {
      originHost = new URL(origin).hostname.toLowerCase();
    } catch {
      return `Origin '${origin}' is not a valid origin.`;
    }
    const allowed =
      LOOPBACK_NAMES.includes(originHost) ||
      LOOPBACK_NAMES.includes(`[${originHost}]`) ||
      opts.allowedOrigins.some((o) => o.toLowerCase() === origin.toLowerCase()) ||
      (allowedHosts?.includes(originHost) ?? false);
    if (!allowed) return `Origin '${origin}' is not allowed (VIGIL_ALLOWED_ORIGINS).`;
  }
  return undefined;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** A JSON-RPC error body, for transport-level failures of MCP endpoints. */
export function rpcError(
  code: number,
  message: string,
): { jsonrpc: '2.0'; id: null; error: { code: number; message: string } } {
  return { jsonrpc: '2.0', id: null, error: { code, message } };
}

export class BodyTooLargeError extends Error {}

/** Reads a request body up to `limit` bytes; larger bodies reject with BodyTooLargeError. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const DRAIN_LIMIT = 64 * 1024 * 1024;

/**
 * Reads and drops the rest of a refused request's body, so the client can read the answer
 * (closing mid-upload makes most clients report a broken pipe instead). Past a bound, the
 * connection is cut.
 */
export function discardRest(req: IncomingMessage): void {
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT) req.destroy();
  });
  req.resume();
}
