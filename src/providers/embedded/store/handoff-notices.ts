/**
 * On-call handoff notices: "You are on call for Payments from 09:00", sent through the delivery
 * outbox `notify_advance_in_minutes` before a shift of a user with handoff rules starts (or ends,
 * per `handoff_type`). The engine sweeps for notices due; each one queued writes its key (rule,
 * schedule, edge, shift time) in the same transaction as its delivery, so however many processes
 * sweep, and however often, each shift's notice goes out once.
 */
import type { Kysely } from 'kysely';
import type { HandoffEdge } from '../../../core/notification-rules.js';
import { DAY, MINUTE, TimeZone } from '../../../core/time-zone.js';
import { queueDeliveries } from './deliveries-repo.js';
import { groupBy, policiesThroughSchedules } from './repo-helpers.js';
import { loadSchedules, render } from './schedule-render.js';
import type { Database, DeliveryEvent } from './schema.js';

/** The event of a handoff notice's delivery; its body is a HandoffNotice. */
export const HANDOFF_EVENT = 'oncall.handoff' satisfies DeliveryEvent;

/** What a handoff notice says, as its delivery's body. */
export interface HandoffNotice {
  edge: HandoffEdge;
  schedule: { id: string; name: string };
  /** The escalation policies that page through the schedule. */
  escalation_policies: { id: string; name: string }[];
  user: { id: string; name: string };
  /** When the shift starts (`oncall`) or ends (`offcall`), and when it ends (`oncall`, when known). */
  at: string;
  until?: string;
  text: string;
}

/** A notice missed by this much (a restart, a lapsed lease) is still sent; older ones are not. */
const LOOKBACK_MS = 15 * MINUTE;
/** Keys of notices sent are kept this long, well past any lookback. */
const KEEP_MS = 7 * 24 * 60 * MINUTE;

/**
 * `09:00 on 2026-06-01 (Europe/Paris)`: an instant as the user reads it. A wall time that happens
 * twice (the hour repeated when clocks go back) says which, by its offset:
 * `02:30 (UTC+01:00) on 2026-10-25 (Europe/Paris)`.
 */
export function localTime(at: number, zone: string): string {
  const tz = TimeZone.of(zone);
  const local = tz.format(at);
  const wall = tz.toWall(at);
  // The instants that could read as this wall time: under the offset of the day before, and after.
  const readings = new Set([tz.offset(at - DAY), tz.offset(at + DAY)].map((o) => wall - o * MINUTE));
  const twice = [...readings].filter((u) => tz.toWall(u) === wall).length > 1;
  const offset = local.endsWith('Z') ? '+00:00' : local.slice(19);
  return `${local.slice(11, 16)}${twice ? ` (UTC${offset})` : ''} on ${local.slice(0, 10)} (${zone})`;
}

/**
 * Queues the handoff notices due at `nowMs` not queued before; answers how many. Safe to run in
 * several processes at once: the notice's key is taken in the transaction that queues it.
 */
export async function queueHandoffNotices(db: Kysely<Database>, nowMs: number): Promise<number> {
  const rules = await db
    .selectFrom('handoff_rules')
    .innerJoin('contact_methods', 'contact_methods.id', 'handoff_rules.contact_method_id')
    .innerJoin('users', 'users.id', 'handoff_rules.user_id')
    .select([
      'handoff_rules.id',
      'handoff_rules.user_id',
      'handoff_rules.notify_advance_minutes',
      'handoff_rules.handoff_type',
      'handoff_rules.created_at',
      'contact_methods.kind',
      'contact_methods.address',
      'contact_methods.secret',
      'users.name',
      'users.time_zone',
    ])
    .execute();
  if (rules.length === 0) return 0;
  const userIds = [...new Set(rules.map((r) => r.user_id))];
  const maxAdvance = Math.max(...rules.map((r) => r.notify_advance_minutes)) * MINUTE;
  // Shift edges whose notice falls in (now - LOOKBACK, now], and a day beyond to tell when a shift
  // ends; a span cut by the window's ends is no edge.
  const window = { since: nowMs - LOOKBACK_MS - 1, until: nowMs + maxAdvance + DAY };
  const scheduleIds = await db
    .selectFrom('schedule_layer_users')
    .innerJoin('schedule_layers', 'schedule_layers.id', 'schedule_layer_users.layer_id')
    .select('schedule_layers.schedule_id as id')
    .where('schedule_layer_users.user_id', 'in', userIds)
    .union(
      db
        .selectFrom('schedule_overrides')
        .select('schedule_id as id')
        .where('user_id', 'in', userIds)
        .where('end_at', '>', window.since)
        .where('start_at', '<', window.until),
    )
    .execute();
  if (scheduleIds.length === 0) return 0;
  const schedules = await loadSchedules(
    db,
    scheduleIds.map((s) => s.id),
    window,
  );
  const rulesOf = groupBy(rules, (r) => r.user_id);
  const due: { rule: (typeof rules)[number]; scheduleId: string; notice: HandoffNotice; edgeAt: number }[] =
    [];
  for (const schedule of schedules.values()) {
    for (const span of render(schedule, window).final) {
      for (const rule of rulesOf.get(span.userId) ?? []) {
        const edges = [
          { edge: 'oncall' as const, at: span.start, real: span.start > window.since },
          { edge: 'offcall' as const, at: span.end, real: span.end < window.until },
        ];
        for (const { edge, at, real } of edges) {
          if (!real || (rule.handoff_type !== 'both' && rule.handoff_type !== edge)) continue;
          const notifyAt = at - rule.notify_advance_minutes * MINUTE;
          // Due now, not missed for long, and not from before the rule existed.
          if (notifyAt > nowMs || notifyAt <= nowMs - LOOKBACK_MS || notifyAt < Number(rule.created_at))
            continue;
          const until = edge === 'oncall' && span.end < window.until ? span.end : undefined;
          const from = localTime(at, rule.time_zone);
          const text =
            edge === 'oncall'
              ? `You are on call for ${schedule.name} from ${from}${until ? ` until ${localTime(until, rule.time_zone)}` : ''}.`
              : `Your on-call shift for ${schedule.name} ends at ${from}.`;
          due.push({
            rule,
            scheduleId: schedule.id,
            edgeAt: at,
            notice: {
              edge,
              schedule: { id: schedule.id, name: schedule.name },
              escalation_policies: [],
              user: { id: rule.user_id, name: rule.name },
              at: new Date(at).toISOString(),
              ...(until !== undefined && { until: new Date(until).toISOString() }),
              text,
            },
          });
        }
      }
    }
  }
  if (due.length === 0) return 0;
  const policies = await policiesThroughSchedules(db, [...new Set(due.map((d) => d.scheduleId))]);
  const policiesOf = groupBy(policies, (p) => p.target_id);
  return db.transaction().execute(async (trx) => {
    let queued = 0;
    for (const { rule, scheduleId, notice, edgeAt } of due) {
      const taken = await trx
        .insertInto('handoff_notices')
        .values({
          rule_id: rule.id,
          schedule_id: scheduleId,
          edge: notice.edge,
          at: edgeAt,
          queued_at: nowMs,
        })
        .onConflict((oc) => oc.doNothing())
        .returning('rule_id')
        .execute();
      if (taken.length === 0) continue;
      notice.escalation_policies = (policiesOf.get(scheduleId) ?? []).map((p) => ({
        id: p.id,
        name: p.name,
      }));
      await queueDeliveries(
        trx,
        [
          {
            kind: rule.kind,
            address: rule.address,
            secret: rule.secret,
            event: HANDOFF_EVENT,
            user_id: rule.user_id,
            body: JSON.stringify(notice),
          },
        ],
        nowMs,
      );
      queued++;
    }
    await trx
      .deleteFrom('handoff_notices')
      .where('queued_at', '<', nowMs - KEEP_MS)
      .execute();
    return queued;
  });
}
