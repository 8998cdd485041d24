/**
 * Heartbeats on the embedded store: the heartbeat with its state, its pings and its state
 * changes. A ping and the state it causes are one transaction, committed before it is answered.
 */
import { randomBytes } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Clock } from '../../../core/clock.js';
import type { Page } from '../../../core/directory.js';
import { NotFoundError, ValidationError } from '../../../core/errors.js';
import {
  afterChange,
  afterPing,
  atTime,
  type Flip,
  type HeartbeatState,
} from '../../../core/heartbeat-state.js';
import {
  checkCron,
  DEFAULT_GRACE_SECONDS,
  type Heartbeat,
  type HeartbeatInput,
  type HeartbeatPing,
  type HeartbeatStatus,
  type HeartbeatsPort,
  type PingInput,
  type PingOutcome,
} from '../../../core/heartbeats.js';
import { GroupCommit } from '../group-commit.js';
import { recordEvents } from './engine-events.js';
import { newId } from './ids.js';
import { page } from './repo-helpers.js';
import type { Database, HeartbeatPingsTable, HeartbeatsTable } from './schema.js';

type Trx = Transaction<Database>;
interface PingRequest {
  by: { id: string } | { token: string };
  input: PingInput;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class HeartbeatRepository implements HeartbeatsPort {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    /** Where this server is reached from outside, for ping URLs. */
    private publicUrl: string,
    /**
     * On PostgreSQL, several nodes may ping one heartbeat at once: its row is read under a lock,
     * so each ping's state change starts from the last one's. SQLite has one writer anyway.
     */
    private readonly lockRows = false,
  ) {}

  /** Ping URLs name this listener from now on (a stdio process that had to take another port). */
  usePublicUrl(url: string): void {
    this.publicUrl = url;
  }

  async getHeartbeat(id: string): Promise<Heartbeat | undefined> {
    const row = await this.db.selectFrom('heartbeats').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const pings = await this.db
      .selectFrom('heartbeat_pings')
      .selectAll()
      .where('heartbeat_id', '=', id)
      .orderBy('received_at', 'desc')
      .orderBy('id', 'desc')
      .limit(10)
      .execute();
    return { ...this.toHeartbeat(row), recent_pings: pings.map(toPing) };
  }

  async listHeartbeats(f: { status?: HeartbeatStatus | undefined; limit: number; offset: number }) {
    let q = this.db.selectFrom('heartbeats').selectAll();
    if (f.status) q = q.where('status', '=', f.status);
    const rows = await q
      .orderBy('name')
      .orderBy('id')
      .limit(f.limit + 1)
      .offset(f.offset)
      .execute();
    const p = page(rows, f.limit);
    return { items: p.items.map((r) => this.toHeartbeat(r)), more: p.more };
  }

  async createHeartbeat(input: HeartbeatInput): Promise<Heartbeat> {
    const schedule = checkSchedule(input);
    const id = newId();
    const at = new Date(this.clock.now()).toISOString();
    const active = input.active ?? true;
    await this.db
      .insertInto('heartbeats')
      .values({
        id,
        name: input.name,
        token: randomBytes(16).toString('base64url'),
        active: active ? 1 : 0,
        status: active ? 'new' : 'paused',
        ...schedule,
        grace_seconds: input.grace_seconds ?? DEFAULT_GRACE_SECONDS,
        last_ping_at: null,
        last_start_at: null,
        next_expected_at: null,
        check_at: null,
        created_at: at,
        updated_at: at,
      })
      .execute();
    return this.mustGet(id);
  }

  async updateHeartbeat(id: string, patch: Partial<HeartbeatInput>): Promise<Heartbeat> {
    await this.db.transaction().execute(async (trx) => {
      let q = trx.selectFrom('heartbeats').selectAll().where('id', '=', id);
      if (this.lockRows) q = q.forUpdate();
      const row = await q.executeTakeFirst();
      if (!row) throw new NotFoundError('heartbeat', id, 'heartbeat_id');
      // A new period or cron replaces the schedule; otherwise the stored one stays.
      const replaced = patch.period_seconds != null || patch.cron != null;
      const schedule = checkSchedule({
        period_seconds: replaced ? patch.period_seconds : row.period_seconds,
        cron: replaced ? patch.cron : row.cron,
        time_zone: patch.time_zone ?? row.time_zone,
      });
      const before = stateOf(row);
      const state = afterChange({
        ...before,
        ...schedule,
        grace_seconds: patch.grace_seconds ?? row.grace_seconds,
        active: patch.active ?? before.active,
      });
      const now = this.clock.now();
      await this.save(trx, id, state, now, { name: patch.name ?? row.name });
      if (state.status !== before.status) {
        const reason =
          state.active === before.active ? 'its schedule changed' : state.active ? 'resumed' : 'paused';
        await flip(trx, id, now, { from: before.status, to: state.status, reason });
      }
    });
    return this.mustGet(id);
  }

  async deleteHeartbeat(id: string): Promise<void> {
    const result = await this.db.deleteFrom('heartbeats').where('id', '=', id).executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new NotFoundError('heartbeat', id, 'heartbeat_id');
  }

  /**
   * Records a ping. Pings that arrive together share one transaction (one commit); each is
   * answered once its batch is committed. A batch that fails is retried one ping at a time, so
   * a bad ping fails alone.
   */
  ping(by: { id: string } | { token: string }, input: PingInput): Promise<PingOutcome | undefined> {
    return this.pings.submit({ by, input });
  }

  private readonly pings = new GroupCommit<PingRequest, PingOutcome | undefined>(async (batch) => {
    const now = this.clock.now();
    try {
      const outcomes = await this.db.transaction().execute((trx) => this.recordPings(trx, batch, now));
      return outcomes.map((value) => ({ status: 'fulfilled' as const, value }));
    } catch {
      return Promise.allSettled(
        batch.map((req) => this.db.transaction().execute((trx) => this.recordPing(trx, req, now))),
      );
    }
  });

  /**
   * A batch of pings in a few statements: the heartbeats read at once, each one's state carried
   * through its pings in arrival order, then pings, changes and states written set-wise.
   */
  private async recordPings(
    trx: Trx,
    batch: readonly PingRequest[],
    now: number,
  ): Promise<(PingOutcome | undefined)[]> {
    const ids = [...new Set(batch.flatMap((r) => ('id' in r.by ? [r.by.id] : [])))];
    const tokens = [...new Set(batch.flatMap((r) => ('token' in r.by ? [r.by.token] : [])))];
    let q = trx
      .selectFrom('heartbeats')
      .selectAll()
      .where((eb) =>
        eb.or([
          ...(ids.length ? [eb('id', 'in', ids)] : []),
          ...(tokens.length ? [eb('token', 'in', tokens)] : []),
        ]),
      );
    // Locked in id order, so two nodes' batches over the same heartbeats queue rather than deadlock.
    if (this.lockRows) q = q.orderBy('id').forUpdate();
    const rows = await q.execute();
    // A batch that waited for another node's locks is later than when it was taken up.
    if (this.lockRows) now = this.clock.now();
    const byId = new Map(rows.map((r) => [r.id, r]));
    const byToken = new Map(rows.map((r) => [r.token, r]));
    const states = new Map<string, HeartbeatState>();
    const pings: HeartbeatPingsTable[] = [];
    const flips: {
      id: string;
      heartbeat_id: string;
      at: number;
      from_status: HeartbeatStatus;
      to_status: HeartbeatStatus;
      reason: string;
    }[] = [];
    const at = new Date(now).toISOString();
    const outcomes = batch.map(({ by, input }) => {
      const row = 'id' in by ? byId.get(by.id) : byToken.get(by.token);
      if (!row) return undefined;
      const before = states.get(row.id) ?? stateOf(row);
      const { state, flip: change } = afterPing(before, input.kind, now, input.exitCode);
      states.set(row.id, state);
      if (change) {
        flips.push({
          id: newId(),
          heartbeat_id: row.id,
          at: now,
          from_status: change.from,
          to_status: change.to,
          reason: change.reason,
        });
      }
      const ping: HeartbeatPingsTable = {
        id: newId(),
        heartbeat_id: row.id,
        received_at: now,
        kind: input.kind,
        exit_code: input.exitCode ?? null,
        source_ip: input.sourceIp ?? null,
        user_agent: input.userAgent?.slice(0, 512) ?? null,
        body: input.body ?? null,
        truncated: input.truncated ? 1 : 0,
      };
      pings.push(ping);
      return { heartbeat: this.toHeartbeat({ ...row, ...rowOf(state), updated_at: at }), ping: toPing(ping) };
    });
    for (let i = 0; i < pings.length; i += 200) {
      await trx
        .insertInto('heartbeat_pings')
        .values(pings.slice(i, i + 200))
        .execute();
    }
    if (flips.length) {
      await trx.insertInto('heartbeat_flips').values(flips).execute();
      await recordEvents(
        trx,
        flips.map((f) => ({
          kind: 'heartbeat_changed' as const,
          heartbeatId: f.heartbeat_id,
          from: f.from_status,
          to: f.to_status,
          reason: f.reason,
          at: f.at,
        })),
      );
    }
    const changed = [...states];
    for (let i = 0; i < changed.length; i += 200) {
      const values = sql.join(
        changed
          .slice(i, i + 200)
          .map(
            ([id, st]) =>
              sql`(${id}, ${st.status}, cast(${st.last_ping_at} as bigint), cast(${st.last_start_at} as bigint), cast(${st.next_expected_at} as bigint), cast(${st.check_at} as bigint))`,
          ),
      );
      await sql`with v(id, status, last_ping_at, last_start_at, next_expected_at, check_at) as (values ${values})
        update heartbeats set status = v.status, last_ping_at = v.last_ping_at, last_start_at = v.last_start_at,
          next_expected_at = v.next_expected_at, check_at = v.check_at, updated_at = ${at}
        from v where heartbeats.id = v.id`.execute(trx);
    }
    return outcomes;
  }

  private async recordPing(
    trx: Trx,
    { by, input }: PingRequest,
    now: number,
  ): Promise<PingOutcome | undefined> {
    let q = trx.selectFrom('heartbeats').selectAll();
    q = 'id' in by ? q.where('id', '=', by.id) : q.where('token', '=', by.token);
    if (this.lockRows) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) return undefined;
    if (this.lockRows) now = this.clock.now();
    const { state, flip: change } = afterPing(stateOf(row), input.kind, now, input.exitCode);
    await this.save(trx, row.id, state, now);
    if (change) await flip(trx, row.id, now, change);
    const ping: HeartbeatPingsTable = {
      id: newId(),
      heartbeat_id: row.id,
      received_at: now,
      kind: input.kind,
      exit_code: input.exitCode ?? null,
      source_ip: input.sourceIp ?? null,
      user_agent: input.userAgent?.slice(0, 512) ?? null,
      body: input.body ?? null,
      truncated: input.truncated ? 1 : 0,
    };
    await trx.insertInto('heartbeat_pings').values(ping).execute();
    const updated = { ...row, ...rowOf(state), updated_at: new Date(now).toISOString() };
    return { heartbeat: this.toHeartbeat(updated), ping: toPing(ping) };
  }

  async listPings(
    id: string,
    f: { since?: number | undefined; until?: number | undefined; limit: number; offset: number },
  ): Promise<Page<HeartbeatPing>> {
    const found = await this.db.selectFrom('heartbeats').select('id').where('id', '=', id).executeTakeFirst();
    if (!found) throw new NotFoundError('heartbeat', id, 'heartbeat_id');
    let q = this.db.selectFrom('heartbeat_pings').selectAll().where('heartbeat_id', '=', id);
    if (f.since !== undefined) q = q.where('received_at', '>=', f.since);
    if (f.until !== undefined) q = q.where('received_at', '<', f.until);
    const rows = await q
      .orderBy('received_at', 'desc')
      .orderBy('id', 'desc')
      .limit(f.limit + 1)
      .offset(f.offset)
      .execute();
    const p = page(rows, f.limit);
    return { items: p.items.map(toPing), more: p.more };
  }

  /** Drops the pings received before `before` (their bodies age out with check results); answers how many. */
  async prunePings(before: number): Promise<number> {
    const r = await this.db
      .deleteFrom('heartbeat_pings')
      .where('received_at', '<', before)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** When the next heartbeat falls due to go late or down; undefined when none waits. */
  async nextDue(): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('heartbeats')
      .select((eb) => eb.fn.min('check_at').as('at'))
      .executeTakeFirst();
    return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
  }

  /** Moves heartbeats whose time has come to late or down. Returns the changes. */
  async evaluateDue(now: number, batch = 500): Promise<{ id: string; flip: Flip }[]> {
    const due = await this.db
      .selectFrom('heartbeats')
      .selectAll()
      .where('check_at', '<=', now)
      .orderBy('check_at')
      .limit(batch)
      .execute();
    const changes: { id: string; flip: Flip }[] = [];
    if (due.length === 0) return changes;
    await this.db.transaction().execute(async (trx) => {
      for (const row of due) {
        const { state, flip: change } = atTime(stateOf(row), now);
        if (!change) continue;
        // Only if nothing (a ping) moved it since it was read.
        const moved = await trx
          .updateTable('heartbeats')
          .set({ status: state.status, check_at: state.check_at })
          .where('id', '=', row.id)
          .where('status', '=', row.status)
          .where('check_at', '=', row.check_at as number)
          .executeTakeFirst();
        if (moved.numUpdatedRows === 0n) continue;
        await flip(trx, row.id, now, change);
        changes.push({ id: row.id, flip: change });
      }
    });
    return changes;
  }

  private async save(trx: Trx, id: string, s: HeartbeatState, now: number, extra: { name?: string } = {}) {
    await trx
      .updateTable('heartbeats')
      .set({ ...extra, ...rowOf(s), updated_at: new Date(now).toISOString() })
      .where('id', '=', id)
      .execute();
  }

  private async mustGet(id: string, withPings = true): Promise<Heartbeat> {
    if (withPings) {
      const h = await this.getHeartbeat(id);
      if (!h) throw new NotFoundError('heartbeat', id, 'heartbeat_id');
      return h;
    }
    const row = await this.db.selectFrom('heartbeats').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError('heartbeat', id, 'heartbeat_id');
    return this.toHeartbeat(row);
  }

  private toHeartbeat(r: HeartbeatsTable): Heartbeat {
    return {
      id: r.id,
      name: r.name,
      status: r.status,
      active: r.active === 1,
      period_seconds: r.period_seconds,
      cron: r.cron,
      time_zone: r.time_zone,
      grace_seconds: r.grace_seconds,
      ping_url: `${this.publicUrl}/ping/${r.token}`,
      last_ping_at: iso(r.last_ping_at),
      last_start_at: iso(r.last_start_at),
      next_expected_ping: iso(r.next_expected_at),
      created_at: r.created_at,
      updated_at: r.updated_at,
    };
  }
}

/** Exactly one of a period and a cron expression, and a cron that fires. */
function checkSchedule(input: {
  period_seconds?: number | null | undefined;
  cron?: string | null | undefined;
  time_zone?: string | undefined;
}): { period_seconds: number | null; cron: string | null; time_zone: string } {
  const period = input.period_seconds ?? null;
  const cron = input.cron ?? null;
  if ((period === null) === (cron === null)) {
    throw new ValidationError(
      period === null
        ? 'Give the heartbeat a schedule: period_seconds (every so many seconds) or cron (with time_zone).'
        : 'Give period_seconds or cron, not both.',
      { parameter: 'heartbeat_data.period_seconds' },
    );
  }
  const timeZone = input.time_zone ?? 'UTC';
  if (cron !== null) checkCron(cron, timeZone);
  return { period_seconds: period, cron, time_zone: timeZone };
}

/** The columns a state is stored in. */
function rowOf(s: HeartbeatState) {
  return {
    status: s.status,
    active: s.active ? 1 : 0,
    period_seconds: s.period_seconds,
    cron: s.cron,
    time_zone: s.time_zone,
    grace_seconds: s.grace_seconds,
    last_ping_at: s.last_ping_at,
    last_start_at: s.last_start_at,
    next_expected_at: s.next_expected_at,
    check_at: s.check_at,
  };
}

function stateOf(r: HeartbeatsTable): HeartbeatState {
  return {
    status: r.status,
    active: r.active === 1,
    period_seconds: r.period_seconds,
    cron: r.cron,
    time_zone: r.time_zone,
    grace_seconds: r.grace_seconds,
    last_ping_at: r.last_ping_at,
    last_start_at: r.last_start_at,
    next_expected_at: r.next_expected_at,
    check_at: r.check_at,
  };
}

function toPing(r: HeartbeatPingsTable): HeartbeatPing {
  let data: unknown = r.body;
  if (r.body !== null && !r.truncated) {
    try {
      data = JSON.parse(r.body);
    } catch {
      // Not JSON: kept as the text it is.
    }
  }
  return {
    id: r.id,
    check_id: r.heartbeat_id,
    received_at: new Date(r.received_at).toISOString(),
    kind: r.kind,
    exit_code: r.exit_code,
    source_ip: r.source_ip,
    user_agent: r.user_agent,
    ping_data: data,
    truncated: r.truncated === 1,
  };
}

/** Records a state change, and the fact the engine works off (alert rules), in the same transaction. */
async function flip(trx: Trx, heartbeatId: string, at: number, f: Flip): Promise<void> {
  await trx
    .insertInto('heartbeat_flips')
    .values({
      id: newId(),
      heartbeat_id: heartbeatId,
      at,
      from_status: f.from,
      to_status: f.to,
      reason: f.reason,
    })
    .execute();
  await recordEvents(trx, [{ kind: 'heartbeat_changed', heartbeatId, ...f, at }]);
}
