/**
 * The engine lease: one row per lease name elects the process that runs the schedulers. Taking
 * or renewing it is one atomic upsert, so two processes on one database never both hold it.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

export interface LeaseState {
  holder: string;
  acquiredAt: number;
  expiresAt: number;
}

export class LeaseRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Takes the lease for `holder` if it is free, expired or already theirs, until `nowMs + ttlMs`.
   * Returns the lease when `holder` holds it afterwards, undefined otherwise.
   */
  async acquire(
    name: string,
    holder: string,
    ttlMs: number,
    nowMs = Date.now(),
  ): Promise<LeaseState | undefined> {
    const row = await this.db
      .insertInto('engine_lease')
      .values({ name, holder, acquired_at: nowMs, expires_at: nowMs + ttlMs })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({
            holder: (eb) => eb.ref('excluded.holder'),
            // A renewal keeps the start of the term; a lapse and retake starts a new one.
            acquired_at: sql<number>`case when engine_lease.holder = excluded.holder and engine_lease.expires_at > excluded.acquired_at then engine_lease.acquired_at else excluded.acquired_at end`,
            expires_at: (eb) => eb.ref('excluded.expires_at'),
          })
          .where((eb) =>
            eb.or([
              eb('engine_lease.holder', '=', eb.ref('excluded.holder')),
              eb('engine_lease.expires_at', '<=', eb.ref('excluded.acquired_at')),
            ]),
          ),
      )
      .returning(['holder', 'acquired_at', 'expires_at'])
      .executeTakeFirst();
    return row && row.holder === holder
      ? { holder: row.holder, acquiredAt: Number(row.acquired_at), expiresAt: Number(row.expires_at) }
      : undefined;
  }

  async release(name: string, holder: string): Promise<void> {
    await this.db.deleteFrom('engine_lease').where('name', '=', name).where('holder', '=', holder).execute();
  }

  async current(name: string): Promise<LeaseState | undefined> {
    const row = await this.db
      .selectFrom('engine_lease')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return row
      ? { holder: row.holder, acquiredAt: Number(row.acquired_at), expiresAt: Number(row.expires_at) }
      : undefined;
  }
}
