/**
 * Maintenance reminders for status-page subscribers: a scheduled maintenance that asked for
 * them (`scheduled_remind_prior`) reminds its subscribers before it starts, at the hours its
 * `reminder_intervals` name (one hour by default), each once, recorded in the transaction that
 * queues them.
 */
import type { Kysely } from 'kysely';
import { DEFAULT_REMINDER_MS } from '../../../core/status-subscriptions.js';
import type { Database } from './schema.js';
import { queueNotices } from './status-subscriber-news.js';

/** Hours before the start a maintenance reminds at: `reminder_intervals` ("[3, 6]" or "2"), else one hour. */
function reminderOffsets(intervals: string | null): number[] {
  if (!intervals) return [DEFAULT_REMINDER_MS];
  let parsed: unknown;
  try {
    parsed = JSON.parse(intervals);
  } catch {
    return [DEFAULT_REMINDER_MS];
  }
  const hours = (Array.isArray(parsed) ? parsed : [parsed]).filter(
    (h): h is number => typeof h === 'number' && h > 0 && h <= 24 * 90,
  );
  return hours.length ? hours.map((h) => h * 3_600_000) : [DEFAULT_REMINDER_MS];
}

interface ReminderPlan {
  incidentId: string;
  pageId: string;
  start: number;
  times: number[];
  sent: number;
}

/** Scheduled maintenance that asked for reminders (`scheduled_remind_prior`), with what was sent. */
async function reminderPlans(db: Kysely<Database>): Promise<ReminderPlan[]> {
  const rows = await db
    .selectFrom('status_incidents')
    .select(['id', 'page_id', 'scheduled_for', 'scheduling'])
    .where('scheduled_for', 'is not', null)
    .where('status', '=', 'scheduled')
    .execute();
  const plans = rows.flatMap((r) => {
    const flags = JSON.parse(r.scheduling) as {
      scheduled_remind_prior?: boolean;
      reminder_intervals?: string | null;
    };
    if (!flags.scheduled_remind_prior) return [];
    const start = Date.parse(r.scheduled_for as string);
    const times = reminderOffsets(flags.reminder_intervals ?? null).map((ms) => start - ms);
    return [{ incidentId: r.id, pageId: r.page_id, start, times, sent: 0 }];
  });
  if (plans.length === 0) return [];
  const sent = await db
    .selectFrom('status_subscriber_reminders')
    .select(['incident_id', (eb) => eb.fn.max('remind_at').as('at')])
    .where(
      'incident_id',
      'in',
      plans.map((p) => p.incidentId),
    )
    .groupBy('incident_id')
    .execute();
  const sentOf = new Map(sent.map((s) => [s.incident_id, Number(s.at)]));
  for (const p of plans) p.sent = sentOf.get(p.incidentId) ?? 0;
  return plans;
}

/**
 * Sends the maintenance reminders due at `now`: for each maintenance, the latest reminder time
 * passed before its start, once (a reminder missed while the engine was down is sent late, but
 * older ones it overtook are not). Answers how many maintenances reminded.
 */
export async function remindDue(db: Kysely<Database>, now: number): Promise<number> {
  let reminded = 0;
  for (const p of await reminderPlans(db)) {
    if (now >= p.start) continue;
    const due = p.times.filter((t) => t <= now && t > p.sent);
    if (due.length === 0) continue;
    const at = Math.max(...due);
    await db.transaction().execute(async (trx) => {
      const { numInsertedOrUpdatedRows } = await trx
        .insertInto('status_subscriber_reminders')
        .values({ incident_id: p.incidentId, remind_at: at })
        .onConflict((oc) => oc.columns(['incident_id', 'remind_at']).doNothing())
        .executeTakeFirst();
      if (!numInsertedOrUpdatedRows) return;
      const components = await trx
        .selectFrom('status_incident_components')
        .select('component_id')
        .where('incident_id', '=', p.incidentId)
        .execute();
      await queueNotices(
        trx,
        {
          pageId: p.pageId,
          incidentId: p.incidentId,
          updateId: null,
          event: 'maintenance_reminder',
          components: components.map((c) => c.component_id),
        },
        now,
      );
      reminded++;
    });
  }
  return reminded;
}

/** When the next maintenance reminder falls due. */
export async function nextReminderDue(db: Kysely<Database>): Promise<number | undefined> {
  const times = (await reminderPlans(db)).flatMap((p) => p.times.filter((t) => t > p.sent && t < p.start));
  return times.length ? Math.min(...times) : undefined;
}
