/**
 * The heartbeats port on Pingera. Heartbeats are `/v1/heartbeats` (listed with `per_page`, not the
 * seed's `page_size`), addressed by `check_id` in paths; pings are read at
 * `/v1/heartbeats/{id}/pings` (`start_date`/`end_date`, `per_page`) and sent with
 * `POST /v1/heartbeats/{id}/ping` (reference/pingera-notes.md §1.5, §2.2).
 *
 * What Pingera's heartbeats do not have is NOT_SUPPORTED rather than quietly dropped: cron
 * schedules (Pingera expects a ping every `period_seconds`), start and fail pings and exit codes
 * (a Pingera ping only says "it ran"), and pings by token (Pingera pings by id).
 */
import type { Page } from '../../core/directory.js';
import { NotSupportedError, ValidationError } from '../../core/errors.js';
import {
  DEFAULT_GRACE_SECONDS,
  type Heartbeat,
  type HeartbeatInput,
  type HeartbeatPing,
  type HeartbeatStatus,
  type HeartbeatsPort,
  type PingInput,
  type PingOutcome,
} from '../../core/heartbeats.js';
import type { PingeraClient } from './client.js';
import {
  arr,
  at,
  bool,
  defined,
  isNotFound,
  iso,
  isoOr,
  num,
  obj,
  orNotFound,
  record,
  seg,
  str,
} from './raw.js';

/** Pingera's largest page: a status filter (which Pingera lacks) reads pages of this size. */
const SCAN_PAGE = 100;
/** The most heartbeats a status-filtered listing reads from Pingera. */
const MAX_SCAN = 5_000;

export class PingeraHeartbeats implements HeartbeatsPort {
  constructor(private readonly client: PingeraClient) {}

  async getHeartbeat(id: string): Promise<Heartbeat | undefined> {
    const raw = await this.client.find(`/v1/heartbeats/${seg(id)}`);
    return raw === undefined ? undefined : toHeartbeat(raw, true);
  }

  /**
   * Pingera cannot filter heartbeats by status, so a status filter reads the list page by page
   * and keeps the matching ones until it has `offset + limit` and one more.
   */
  async listHeartbeats(f: {
    status?: HeartbeatStatus | undefined;
    limit: number;
    offset: number;
  }): Promise<Page<Heartbeat>> {
    if (!f.status) {
      const listed = await this.client.list('/v1/heartbeats', 'checks', {}, 'per_page', f.limit, f.offset);
      return { items: listed.items.map((h) => toHeartbeat(h, false)), more: listed.more };
    }
    const matching: Heartbeat[] = [];
    let unread = false;
    for (let offset = 0; ; offset += SCAN_PAGE) {
      // Pingera cannot filter by status: the scan reads at most MAX_SCAN heartbeats.
      if (offset >= MAX_SCAN) {
        unread = true;
        break;
      }
      const listed = await this.client.list('/v1/heartbeats', 'checks', {}, 'per_page', SCAN_PAGE, offset);
      for (const raw of listed.items) {
        const h = toHeartbeat(raw, false);
        if (h.status === f.status) matching.push(h);
      }
      if (matching.length > f.offset + f.limit || !listed.more) break;
    }
    return {
      items: matching.slice(f.offset, f.offset + f.limit),
      more: matching.length > f.offset + f.limit,
      ...(unread && {
        notice: `Pingera cannot filter heartbeats by status; only the first ${MAX_SCAN} were searched. List without \`status\` to page through all.`,
      }),
    };
  }

  async createHeartbeat(input: HeartbeatInput): Promise<Heartbeat> {
    noCron(input);
    if (input.period_seconds == null) {
      throw new ValidationError('Give the heartbeat a schedule: period_seconds (every so many seconds).', {
        parameter: 'heartbeat_data.period_seconds',
      });
    }
    // time_zone only places a cron expression, which Pingera does not have: it has nothing to set.
    const body = defined({
      name: input.name,
      period_seconds: input.period_seconds,
      grace_seconds: input.grace_seconds,
      active: input.active,
    });
    return toHeartbeat(await this.client.send('POST', '/v1/heartbeats', body), false);
  }

  async updateHeartbeat(id: string, patch: Partial<HeartbeatInput>): Promise<Heartbeat> {
    noCron(patch);
    const body = defined({
      name: patch.name,
      period_seconds: patch.period_seconds ?? undefined,
      grace_seconds: patch.grace_seconds,
      active: patch.active,
    });
    if (Object.keys(body).length === 0) {
      const found = await orNotFound(
        this.client.get(`/v1/heartbeats/${seg(id)}`),
        'heartbeat',
        id,
        'heartbeat_id',
      );
      return toHeartbeat(found, true);
    }
    const path = `/v1/heartbeats/${seg(id)}`;
    return toHeartbeat(
      await orNotFound(this.client.send('PATCH', path, body), 'heartbeat', id, 'heartbeat_id'),
      false,
    );
  }

  async deleteHeartbeat(id: string): Promise<void> {
    const path = `/v1/heartbeats/${seg(id)}`;
    await orNotFound(this.client.send('DELETE', path), 'heartbeat', id, 'heartbeat_id');
  }

  /**
   * `POST /v1/heartbeats/{id}/ping` with the ping's JSON as its body (Pingera keeps it as
   * `ping_data`; a body that is not a JSON object is sent as `{"body": "<text>"}`). Pingera answers
   * `{check_id, status, message, next_expected_ping}`, not the ping, so the heartbeat is read
   * back and the ping is its newest recent one.
   */
  async ping(by: { id: string } | { token: string }, input: PingInput): Promise<PingOutcome | undefined> {
    if (!('id' in by))
      throw new NotSupportedError('pings by token (Pingera pings a heartbeat by its id)', 'pingera');
    if (input.kind !== 'success') {
      throw new NotSupportedError(`${input.kind} pings (a Pingera ping only says the job ran)`, 'pingera');
    }
    if (input.exitCode !== undefined && input.exitCode !== 0) {
      throw new NotSupportedError('exit codes in pings (a Pingera ping only says the job ran)', 'pingera');
    }
    const path = `/v1/heartbeats/${seg(by.id)}`;
    let answer: unknown;
    try {
      answer = await this.client.send('POST', `${path}/ping`, pingBody(input.body));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    const raw = await this.client.find(path);
    if (raw === undefined) return undefined;
    const heartbeat = toHeartbeat(raw, true);
    const said = obj(answer);
    const next = iso(said?.next_expected_ping);
    const received = new Date().toISOString();
    const ping = heartbeat.recent_pings?.[0] ?? {
      // Pingera recorded the ping but does not show it yet: described as sent, without an id.
      id: '',
      check_id: by.id,
      received_at: received,
      kind: 'success' as const,
      exit_code: null,
      source_ip: null,
      user_agent: input.userAgent ?? null,
      ping_data: parsed(input.body),
      truncated: false,
    };
    return { heartbeat: { ...heartbeat, ...(next && { next_expected_ping: next }) }, ping };
  }

  async listPings(
    id: string,
    f: { since?: number | undefined; until?: number | undefined; limit: number; offset: number },
  ): Promise<Page<HeartbeatPing>> {
    const query = { start_date: at(f.since), end_date: at(f.until) };
    const listed = await orNotFound(
      this.client.list(`/v1/heartbeats/${seg(id)}/pings`, 'pings', query, 'per_page', f.limit, f.offset),
      'heartbeat',
      id,
      'heartbeat_id',
    );
    return { items: listed.items.map((p) => toPing(p, id)), more: listed.more };
  }
}

function noCron(input: Partial<HeartbeatInput>): void {
  if (input.cron != null || input.period_seconds === null) {
    throw new NotSupportedError(
      'cron schedules for heartbeats (Pingera expects a ping every period_seconds)',
      'pingera',
    );
  }
}

function parsed(body: string | undefined): unknown {
  if (body === undefined) return null;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

function pingBody(body: string | undefined): Record<string, unknown> {
  const data = parsed(body);
  if (data === null) return {};
  return obj(data) ?? { body: typeof data === 'string' ? data : JSON.stringify(data) };
}

/**
 * A HeartbeatCheck (or HeartbeatCheckDetail) as Vigil's Heartbeat. Statuses: Pingera's `up`,
 * `down` and `paused` are Vigil's; `grace` (past the period, within the grace time) is Vigil's
 * `late`; an active heartbeat that has never been pinged and is not yet late or down is `new`, as
 * Vigil says it; an inactive one is `paused`. Pingera has no cron, time zone or start pings:
 * `cron` and `last_start_at` are null, `time_zone` is UTC.
 */
function toHeartbeat(v: unknown, withPings: boolean): Heartbeat {
  const r = record(v, 'a heartbeat');
  const active = bool(r.active) ?? true;
  const lastPing = iso(r.last_ping_at);
  const said = str(r.status);
  let status: HeartbeatStatus;
  if (!active || said === 'paused') status = 'paused';
  else if (said === 'grace') status = 'late';
  else if (said === 'down') status = 'down';
  else status = lastPing ? 'up' : 'new';
  return {
    id: r.id,
    name: str(r.name) ?? '',
    status,
    active,
    period_seconds: num(r.period_seconds) ?? null,
    cron: null,
    time_zone: 'UTC',
    grace_seconds: num(r.grace_seconds) ?? DEFAULT_GRACE_SECONDS,
    ping_url: str(r.ping_url) ?? '',
    last_ping_at: lastPing,
    last_start_at: null,
    next_expected_ping: iso(r.next_expected_ping),
    created_at: isoOr(r.created_at, r.updated_at),
    updated_at: isoOr(r.updated_at, r.created_at),
    ...(withPings && { recent_pings: arr(r.recent_pings).map((p) => toPing(p, r.id)) }),
  };
}

/** A HeartbeatPing: every Pingera ping is a success, with no exit code; its body is `ping_data`. */
function toPing(v: unknown, heartbeatId: string): HeartbeatPing {
  const r = obj(v) ?? {};
  return {
    id: str(r.id) ?? '',
    check_id: str(r.check_id) ?? heartbeatId,
    received_at: isoOr(r.received_at),
    kind: 'success',
    exit_code: null,
    source_ip: str(r.source_ip) ?? null,
    user_agent: str(r.user_agent) ?? null,
    ping_data: r.ping_data ?? null,
    truncated: false,
  };
}
