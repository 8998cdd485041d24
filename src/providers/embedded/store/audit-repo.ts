/**
 * The audit trail's store. A write is one row, stored before the call answers. Pings and Events
 * API requests are counted in memory and added to one row per route, object, hour and outcome
 * a few seconds later (an upsert on `bucket`): a `kill -9` loses at most those seconds of counts,
 * never a write's entry, and ingest pays no extra statement per request. Rows older than the
 * retention are deleted at most once an hour, by whichever process writes next.
 */
import { type Kysely, sql } from 'kysely';
import {
  ACTOR_KINDS,
  type AuditEntry,
  type AuditPort,
  type AuditQuery,
  type AuditRecord,
  type TrafficHit,
} from '../../../core/audit.js';
import type { Clock } from '../../../core/clock.js';
import type { Logger } from '../../../core/log.js';
import { newId } from './ids.js';
import type { AuditLogTable, Database } from './schema.js';

const HOUR_MS = 3_600_000;
/** How long counts wait in memory before they are added to the store. */
export const COUNT_FLUSH_MS = 5_000;

type Pending = { hit: TrafficHit; hour: number; n: number };
const pendingKey = (hit: TrafficHit, hour: number) =>
  JSON.stringify([hit.route, hit.routingKey ?? hit.objectId ?? '', hour, hit.outcome]);

export class AuditRepository implements AuditPort {
  private pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private lastPrune = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly retentionDays: number,
  ) {}

  async record(entry: AuditRecord): Promise<void> {
    const now = this.clock.now();
    await this.db
      .insertInto('audit_log')
      .values({
        id: newId(),
        at: now,
        actor_kind: entry.actor.kind,
        actor_id: entry.actor.id ?? null,
        actor_label: entry.actor.label,
        actor_user: entry.actor.user ?? null,
        address: entry.address ?? null,
        entry_point: entry.entryPoint,
        tool: entry.tool,
        object_ids: JSON.stringify(entry.objectIds),
        summary: entry.summary,
        outcome: entry.outcome,
        count: 1,
        bucket: null,
      })
      .execute();
    await this.pruneNow(now);
  }

  count(hit: TrafficHit): void {
    const hour = Math.floor(this.clock.now() / HOUR_MS) * HOUR_MS;
    const key = pendingKey(hit, hour);
    const seen = this.pending.get(key);
    if (seen) seen.n++;
    else this.pending.set(key, { hit, hour, n: 1 });
    this.timer ??= setTimeout(() => {
      void this.flush().catch((err) => this.log.error({ err }, 'audit counts not stored'));
    }, COUNT_FLUSH_MS).unref();
  }

  /** Adds the counts waiting in memory to the store; on failure they wait for the next flush. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    try {
      // Routing keys are credentials: counted under their service's id, never stored.
      const keys = [...new Set(batch.flatMap((p) => (p.hit.routingKey ? [p.hit.routingKey] : [])))];
      const services = new Map<string, string>();
      for (let i = 0; i < keys.length; i += 500) {
        const rows = await this.db
          .selectFrom('services')
          .select(['id', 'integration_key'])
          .where('integration_key', 'in', keys.slice(i, i + 500))
          .execute();
        for (const r of rows) if (r.integration_key) services.set(r.integration_key, r.id);
      }
      const rows = new Map<string, AuditLogTable>();
      for (const { hit, hour, n } of batch) {
        const object = hit.routingKey ? services.get(hit.routingKey) : hit.objectId;
        const bucket = JSON.stringify([hit.route, object ?? '', hour, hit.outcome]);
        const row = rows.get(bucket);
        if (row) {
          row.count += n;
          continue;
        }
        rows.set(bucket, {
          id: newId(),
          at: hour,
          actor_kind: 'integration',
          actor_id: null,
          actor_label: hit.routingKey ? 'events-api' : 'heartbeat-ping',
          actor_user: null,
          address: null,
          entry_point: 'http',
          tool: hit.route,
          object_ids: JSON.stringify(object ? [object] : []),
          summary: `${hit.route}: counted per hour`,
          outcome: hit.outcome,
          count: n,
          bucket,
        });
      }
      const list = [...rows.values()];
      for (let i = 0; i < list.length; i += 50) {
        await this.db
          .insertInto('audit_log')
          .values(list.slice(i, i + 50))
          .onConflict((oc) =>
            oc.column('bucket').doUpdateSet({ count: sql<number>`audit_log.count + excluded.count` }),
          )
          .execute();
      }
    } catch (err) {
      for (const p of batch) {
        const key = pendingKey(p.hit, p.hour);
        const seen = this.pending.get(key);
        if (seen) seen.n += p.n;
        else this.pending.set(key, p);
      }
      throw err;
    }
    await this.pruneNow(this.clock.now());
  }

  async list(q: AuditQuery): Promise<{ items: AuditEntry[]; more: boolean }> {
    // Counts still in memory belong to what this process answers.
    await this.flush().catch((err) => this.log.error({ err }, 'audit counts not stored'));
    let query = this.db.selectFrom('audit_log').selectAll().where('at', '>=', this.cutoff(this.clock.now()));
    if (q.since !== undefined) query = query.where('at', '>=', Date.parse(q.since));
    if (q.until !== undefined) query = query.where('at', '<', Date.parse(q.until));
    if (q.tool !== undefined) query = query.where('tool', '=', q.tool);
    if (q.outcome !== undefined) query = query.where('outcome', '=', q.outcome);
    if (q.objectId !== undefined)
      query = query.where('object_ids', 'like', `%${JSON.stringify(q.objectId)}%`);
    const { actor } = q;
    if (actor !== undefined) {
      const kind = ACTOR_KINDS.find((k) => k === actor);
      query = query.where((eb) =>
        eb.or([
          eb('actor_id', '=', actor),
          eb('actor_label', '=', actor),
          eb('actor_user', '=', actor),
          ...(kind ? [eb('actor_kind', '=', kind)] : []),
        ]),
      );
    }
    const rows = await query
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(q.limit + 1)
      .offset(q.offset)
      .execute();
    return {
      items: rows.slice(0, q.limit).map((r) => ({
        id: r.id,
        at: new Date(Number(r.at)).toISOString(),
        actor_kind: r.actor_kind,
        actor_id: r.actor_id,
        actor_label: r.actor_label,
        user: r.actor_user,
        address: r.address,
        entry_point: r.entry_point,
        tool: r.tool,
        object_ids: JSON.parse(r.object_ids) as string[],
        summary: r.summary,
        outcome: r.outcome,
        count: Number(r.count),
      })),
      more: rows.length > q.limit,
    };
  }

  /** Stores the counts still in memory; called at shutdown. */
  async close(): Promise<void> {
    await this.flush().catch((err) => this.log.error({ err }, 'audit counts not stored'));
  }

  private cutoff(now: number): number {
    return now - this.retentionDays * 86_400_000;
  }

  /** Deletes entries past the retention, at most once an hour per process. */
  private async pruneNow(now: number): Promise<void> {
    if (now - this.lastPrune < HOUR_MS) return;
    this.lastPrune = now;
    try {
      const { numDeletedRows } = await this.db
        .deleteFrom('audit_log')
        .where('at', '<', this.cutoff(now))
        .executeTakeFirst();
      if (numDeletedRows > 0n) this.log.info({ pruned: Number(numDeletedRows) }, 'old audit entries deleted');
    } catch (err) {
      // Tried again in an hour; an entry kept too long is no reason to fail a write.
      this.log.warn({ err }, 'old audit entries not deleted');
    }
  }
}
