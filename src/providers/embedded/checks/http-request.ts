/**
 * One HTTP request on a fresh connection, timed phase by phase (DNS, connect, TLS, first byte,
 * download), with the peer certificate when it is HTTPS and redirects followed when asked.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { checkLiteral, guardedLookup } from './target-guard.js';

/** The most of a body kept for assertions. */
const MAX_BODY = 1024 * 1024;
const MAX_REDIRECTS = 5;

export interface RequestSpec {
  method: string;
  url: string;
  headers?: Record<string, string> | undefined;
  body?: string | undefined;
}

export interface Timings {
  dns: number;
  connect: number;
  tls: number;
  first_byte: number;
  download: number;
  total: number;
}

export interface TlsInfo {
  valid_to: string;
  days_remaining: number;
  issuer: string;
  subject: string;
  authorized: boolean;
  error: string | null;
}

export interface HttpOutcome {
  url: string;
  status_code: number;
  headers: IncomingHttpHeaders;
  body: string;
  body_bytes: number;
  ip: string | null;
  timings: Timings;
  tls: TlsInfo | null;
  redirects: string[];
}

export interface RequestOptions {
  deadline: number;
  followRedirects: boolean;
  verifyTls: boolean;
  blockPrivate: boolean;
}

export class TimeoutError extends Error {}

const round = (ms: number) => Math.max(0, Math.round(ms * 10) / 10);

export async function timedRequest(spec: RequestSpec, opts: RequestOptions): Promise<HttpOutcome> {
  const redirects: string[] = [];
  let current = spec;
  for (;;) {
    const outcome = await once(current, opts);
    const location = outcome.headers.location;
    const redirect = outcome.status_code >= 300 && outcome.status_code < 400 && location;
    if (!redirect || !opts.followRedirects) return { ...outcome, redirects };
    if (redirects.length >= MAX_REDIRECTS) throw new Error(`More than ${MAX_REDIRECTS} redirects`);
    const next = new URL(location, current.url).toString();
    redirects.push(next);
    // Credentials go no further than their origin, as browsers do.
    const headers =
      new URL(next).origin === new URL(current.url).origin
        ? current.headers
        : withoutCredentials(current.headers);
    // 303, and 301/302 after a POST, continue as GET without the body, as browsers do.
    const keep = outcome.status_code === 307 || outcome.status_code === 308;
    current = keep ? { ...current, url: next, headers } : { method: 'GET', url: next, headers };
  }
}

const CREDENTIALS = new Set(['authorization', 'cookie', 'proxy-authorization']);

function withoutCredentials(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  return (
    headers && Object.fromEntries(Object.entries(headers).filter(([k]) => !CREDENTIALS.has(k.toLowerCase())))
  );
}

function once(spec: RequestSpec, opts: RequestOptions): Promise<Omit<HttpOutcome, 'redirects'>> {
  const url = new URL(spec.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(new Error(`Only http:// and https:// URLs can be checked, not ${url.protocol}`));
  }
  checkLiteral(url.hostname, opts.blockPrivate);
  const https = url.protocol === 'https:';
  const start = performance.now();
  const marks = { lookup: 0, connect: 0, secure: 0, response: 0 };
  return new Promise((resolve, reject) => {
    const left = opts.deadline - Date.now();
    if (left <= 0) return reject(new TimeoutError('Timed out'));
    const req = (https ? httpsRequest : httpRequest)(url, {
      method: spec.method,
      headers: { 'user-agent': 'Vigil uptime check', ...spec.headers },
      agent: false,
      lookup: guardedLookup(opts.blockPrivate) as never,
      rejectUnauthorized: opts.verifyTls,
    });
    const timer = setTimeout(
      () => req.destroy(new TimeoutError(`Timed out after ${Math.round(left)} ms`)),
      left,
    );
    req.on('socket', (socket) => {
      socket.once('lookup', () => {
        marks.lookup = performance.now();
      });
      socket.once('connect', () => {
        marks.connect = performance.now();
      });
      socket.once('secureConnect', () => {
        marks.secure = performance.now();
      });
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.on('response', (res) => {
      marks.response = performance.now();
      // Read now: the socket is gone once the body has ended.
      const ip = res.socket?.remoteAddress ?? null;
      const tls = https ? tlsInfo(res.socket as TLSSocket) : null;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < MAX_BODY) chunks.push(c.subarray(0, MAX_BODY - size));
        size += c.length;
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      res.on('end', () => {
        clearTimeout(timer);
        const end = performance.now();
        const lookup = marks.lookup || start;
        const connect = marks.connect || lookup;
        const secure = marks.secure || connect;
        resolve({
          url: spec.url,
          status_code: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          body_bytes: size,
          ip,
          timings: {
            dns: round(lookup - start),
            connect: round(connect - lookup),
            tls: https ? round(secure - connect) : 0,
            first_byte: round(marks.response - secure),
            download: round(end - marks.response),
            total: round(end - start),
          },
          tls,
        });
      });
    });
    req.end(spec.body);
  });
}

function tlsInfo(socket: TLSSocket): TlsInfo | null {
  const cert = socket.getPeerCertificate?.();
  if (!cert?.valid_to) return null;
  const validTo = new Date(cert.valid_to);
  const error = socket.authorizationError;
  return {
    valid_to: validTo.toISOString(),
    days_remaining: Math.floor((validTo.getTime() - Date.now()) / 86_400_000),
    issuer: String(cert.issuer?.CN ?? ''),
    subject: String(cert.subject?.CN ?? ''),
    authorized: socket.authorized,
    error: error ? String(error) : null,
  };
}
