/**
 * Claims on due deliveries (incident pages and alert notifications), so that processes sharing
 * one store never send the same delivery at once: a claim names a token and lasts past the
 * longest send. Outcomes are recorded only under the claim's token; a claim that lapsed (the
 * process died mid-send) lets another process send again, with the same delivery id.
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Longer than a send can take (10 s), so a live sender never loses its claim mid-send. */
export const DELIVERY_CLAIM_MS = 60_000;

type DeliveryTable = 'notification_deliveries' | 'alert_deliveries';

/** Events API deliveries of one dedup key go out in order: one waits while an earlier one is pending. */
export function notWaiting(eb: ExpressionBuilder<Database, 'alert_deliveries'>) {
  return eb.not(
    eb.exists(
      eb
        .selectFrom('alert_deliveries as earlier')
        .select('earlier.id')
        .whereRef('earlier.dedup_key', '=', 'alert_deliveries.dedup_key')
        .whereRef('earlier.seq', '<', 'alert_deliveries.seq')
        .where('earlier.status', '=', 'pending'),
    ),
  );
}

/** Claims up to `batch` pending deliveries due by `now` that no process holds; answers their ids. */
export async function claimDeliveries(
  db: Kysely<Database>,
  table: DeliveryTable,
  opts: { token: string; now: number; batch: number; postgres: boolean },
): Promise<string[]> {
  // Both tables have these columns; typed as one of them, since Kysely cannot type a union of tables.
  const t = table as 'alert_deliveries';
  const rows = await db
    .updateTable(t)
    .set({ claim_token: opts.token, claimed_until: opts.now + DELIVERY_CLAIM_MS })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom(t)
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', opts.now)
        .where('claimed_until', '<=', opts.now)
        .$if(table === 'alert_deliveries', (q) => q.where(notWaiting))
        .orderBy('next_attempt_at')
        .limit(opts.batch)
        .$if(opts.postgres, (q) => q.forUpdate().skipLocked()),
    )
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}
