/**
 * Row claims: how processes on one store share work (due checks, deliveries, engine facts). A
 * process claims a few due rows for its token until an expiry, works them, and records what it
 * did only where the row still names its token (fencing); a claim that lapses, because its
 * process died or stalled, lets another process claim the row again.
 */
import {
  type Kysely,
  type SelectQueryBuilder,
  sql,
  type UpdateQueryBuilder,
  type UpdateResult,
} from 'kysely';
import type { Database } from './schema.js';

/** The tables whose rows are claimed: each has an id, a claim token and a claim expiry. */
type Claimable = {
  [T in keyof Database]: Database[T] extends { id: string; claim_token: string | null; claimed_until: number }
    ? T
    : never;
}[keyof Database];

/**
 * Claims for `token` until `until` the rows `due` selects (its own filters, order and limit; it
 * must leave out rows whose claim has not lapsed). Answers the update, for the caller's
 * `returning`. On PostgreSQL the rows another node is claiming at that moment are skipped
 * (FOR UPDATE SKIP LOCKED, as graphile-worker and pg-boss claim jobs), not waited for; SQLite
 * has one writer at a time.
 */
export function claimRows<T extends Claimable>(
  db: Kysely<Database>,
  table: T,
  claim: { token: string; until: number; postgres: boolean },
  // biome-ignore lint/suspicious/noExplicitAny: `due` may name its table under an alias, which Database does not list.
  due: SelectQueryBuilder<any, any, { id: string }>,
): UpdateQueryBuilder<Database, T, T, UpdateResult> {
  // Kysely cannot see the columns a generic T has: they are typed for the union, which Claimable checks.
  const update = db
    .updateTable(table as Claimable)
    .set({ claim_token: claim.token, claimed_until: claim.until })
    .where('id', 'in', claim.postgres ? due.forUpdate().skipLocked() : due);
  return update as unknown as UpdateQueryBuilder<Database, T, T, UpdateResult>;
}

/** Both settings for the transaction only (set_config's `true`), in one round trip. */
const ORDERED_SCAN = sql`select set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true)`;

/**
 * Runs a claim on PostgreSQL so that it reads the due index in order. Each row worked (a check
 * run, a fact done) leaves a dead entry in the due index and a dead row until a vacuum: an index
 * scan marks each dead entry on its first visit and skips it after, where a bitmap or sequential
 * scan, which the planner may choose, visits every dead row again on every poll of every node.
 * SQLite runs `claim` as it is.
 */
export function inOrderedScan<R>(
  db: Kysely<Database>,
  postgres: boolean,
  claim: (db: Kysely<Database>) => Promise<R>,
): Promise<R> {
  if (!postgres) return claim(db);
  return db.transaction().execute(async (trx) => {
    await ORDERED_SCAN.execute(trx);
    return claim(trx);
  });
}
