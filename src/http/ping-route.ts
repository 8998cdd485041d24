/**
 * Heartbeat pings: `/ping/<token>` (success), `/ping/<token>/start`, `/ping/<token>/fail`,
 * `/ping/<token>/<exit-code>` (0 is a success), and Pingera's `/v1/heartbeats/<id>/ping`.
 * GET, POST or HEAD; the first 10 KB of a body are kept as the ping's log. The answer comes
 * only once the ping is committed; a ping the store could not write is answered 503 with why.
 *
 * The token in a ping URL is its secret; a heartbeat id is not (every listing shows it). So once
 * the server has authentication set up, a ping by id must bring the ping token (`?token=`) or a
 * credential allowed to write heartbeats; before that it is as open as the rest of the server.
 * Each ping is counted in the audit trail per heartbeat, hour and outcome, not logged one by one.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditOutcome, AuditPort } from '../core/audit.js';
import {
  type HeartbeatsPort,
  MAX_PING_BODY_BYTES,
  type PingInput,
  type PingOutcome,
} from '../core/heartbeats.js';
import type { Logger } from '../core/log.js';
import { storageFault } from '../providers/embedded/store/sql-errors.js';
import type { Authenticator } from '../server/auth.js';
import { discardRest, sendJson } from './guards.js';

export const PING_PATH = /^\/ping\/([A-Za-z0-9_-]{1,64})(?:\/(start|fail|\d{1,3}))?$/;
export const PINGERA_PING_PATH = /^\/v1\/heartbeats\/([A-Za-z0-9]{1,64})\/ping$/;

type Ping = {
  by: { id: string } | { token: string };
  kind: PingInput['kind'];
  exitCode?: number;
  pingera: boolean;
};

/** The ping a path names, or an error to answer with. */
export function parsePingPath(path: string): Ping | { error: string } | undefined {
  const pingera = PINGERA_PING_PATH.exec(path);
  if (pingera) return { by: { id: pingera[1] as string }, kind: 'success', pingera: true };
  const m = PING_PATH.exec(path);
  if (!m) return undefined;
  const by = { token: m[1] as string };
  const suffix = m[2];
  if (suffix === undefined) return { by, kind: 'success', pingera: false };
  if (suffix === 'start' || suffix === 'fail') return { by, kind: suffix, pingera: false };
  const code = Number(suffix);
  if (code > 255) return { error: `Exit code ${code} is out of range: use 0-255.` };
  return { by, kind: code === 0 ? 'success' : 'fail', exitCode: code, pingera: false };
}

/** Reads a body, keeping its first 10 KB; over `limit` in all, undefined (the caller answers 413). */
async function readLog(
  req: IncomingMessage,
  limit: number,
): Promise<{ text: string; truncated: boolean } | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return undefined;
  const kept: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    if (size < MAX_PING_BODY_BYTES) kept.push(buf.subarray(0, MAX_PING_BODY_BYTES - size));
    size += buf.length;
    if (size > limit) return undefined;
  }
  return { text: Buffer.concat(kept).toString('utf8'), truncated: size > MAX_PING_BODY_BYTES };
}

export interface PingDeps {
  heartbeats: HeartbeatsPort;
  log: Logger;
  maxBodyBytes: number;
  /** Decides whether pings by heartbeat id need a token or a credential, and checks it. */
  auth: Pick<Authenticator, 'guarded' | 'authenticate'>;
  /** Where pings are counted. */
  audit?: AuditPort | undefined;
}

type Refusal = { status: 401 | 403; message: string; challenge?: string };

const REALM = 'Bearer realm="vigil"';
const digest = (s: string) => createHash('sha256').update(s).digest();

/** Whether a ping by heartbeat id may be recorded; undefined when it may, else why not. */
async function refusePingById(
  req: IncomingMessage,
  id: string,
  { heartbeats, auth }: PingDeps,
): Promise<Refusal | undefined> {
  if (!(await auth.guarded())) return undefined;
  const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token');
  if (token) {
    // The token is the last part of the heartbeat's ping URL; compared in constant time.
    const known = (await heartbeats.getHeartbeat(id))?.ping_url.split('/').pop();
    if (known && timingSafeEqual(digest(known), digest(token))) return undefined;
    return {
      status: 401,
      message: "The token is not this heartbeat's ping token (the last part of its ping_url).",
      challenge: REALM,
    };
  }
  const header = req.headers.authorization;
  const outcome = header ? await auth.authenticate(header) : undefined;
  if (outcome && !outcome.ok) return { status: 401, message: outcome.message, challenge: outcome.challenge };
  if (!outcome || outcome.principal.kind === 'anonymous') {
    return {
      status: 401,
      message:
        "This server has authentication set up, so a ping by heartbeat id needs the ping token (?token=, the last part of the heartbeat's ping_url) or an API key or JWT in Authorization. The ping_url itself needs neither.",
      challenge: REALM,
    };
  }
  if (outcome.principal.mode !== 'read_write')
    return {
      status: 403,
      message: 'This credential is read-only, and a ping is a write: use a read_write key or the ping token.',
    };
  const { toolsets } = outcome.principal;
  if (toolsets && !toolsets.includes('heartbeats'))
    return { status: 403, message: 'This credential is not allowed the heartbeats toolset.' };
  return undefined;
}

export async function receivePing(
  req: IncomingMessage,
  res: ServerResponse,
  deps: PingDeps,
  ping: Ping,
): Promise<void> {
  const { heartbeats, log, maxBodyBytes } = deps;
  // A ping by token is counted under its heartbeat's id once known: the token is a secret.
  const route = ping.pingera ? '/v1/heartbeats/{id}/ping' : '/ping';
  const count = (outcome: AuditOutcome, heartbeatId = 'id' in ping.by ? ping.by.id : undefined) =>
    deps.audit?.count({ route, objectId: heartbeatId, outcome });
  const text = (status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : `${body}\n`);
  };
  if (req.method !== 'GET' && req.method !== 'POST' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, POST, HEAD');
    return text(405, 'Use GET, POST or HEAD.');
  }
  if ('id' in ping.by) {
    const refused = await refusePingById(req, ping.by.id, deps);
    if (refused) {
      discardRest(req);
      const code = refused.status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN';
      count(code);
      return sendJson(
        res,
        refused.status,
        { error: { code, message: refused.message } },
        refused.challenge ? { 'www-authenticate': refused.challenge } : {},
      );
    }
  }
  const body = await readLog(req, maxBodyBytes);
  if (!body) {
    discardRest(req);
    count('TOO_LARGE');
    return text(413, `Ping body over ${maxBodyBytes} bytes (VIGIL_MAX_BODY_BYTES); nothing was recorded.`);
  }
  let outcome: PingOutcome | undefined;
  try {
    outcome = await heartbeats.ping(ping.by, {
      kind: ping.kind,
      exitCode: ping.exitCode,
      sourceIp: req.socket.remoteAddress,
      userAgent: req.headers['user-agent'],
      body: body.text || undefined,
      truncated: body.truncated,
    });
  } catch (err) {
    const fault = storageFault(err);
    if (!fault) throw err;
    // Not stored, so never a 2xx: the sender's retry (curl --retry, a job's next run) is what counts.
    log.error({ err }, 'ping not recorded: the store refused the write');
    count('UNAVAILABLE');
    res.setHeader('retry-after', '5');
    const message = `Ping not recorded: ${fault}`;
    if (ping.pingera) return sendJson(res, 503, { error: { code: 'UNAVAILABLE', message } });
    return text(503, message);
  }
  if (!outcome) {
    count('NOT_FOUND');
    if (ping.pingera)
      return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'No heartbeat with this id.' } });
    return text(404, 'Not found: no heartbeat has this ping URL.');
  }
  const { heartbeat } = outcome;
  count('ok', heartbeat.id);
  const note = heartbeat.active ? '' : ' (the heartbeat is paused: recorded, status unchanged)';
  if (ping.pingera) {
    return sendJson(res, 200, {
      check_id: heartbeat.id,
      status: heartbeat.status,
      message: `Ping received${note}`,
      next_expected_ping: heartbeat.next_expected_ping,
    });
  }
  text(200, `OK${body.truncated ? ' (body truncated to 10 KB)' : ''}${note}`);
}
