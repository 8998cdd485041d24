/**
 * The engine's outbox: facts that cause later work (a check's or a heartbeat's status changed,
 * an alert rule was created or changed), written in the transaction of their cause. Whichever process runs the
 * engine claims a few at a time, works them and deletes them; a claim expires, so the facts a
 * dead process held are worked again by another. One subject's facts are worked in the order
 * they happened (a recovery never overtakes the failure before it). Working a fact must be
 * idempotent: after a crash it is worked again.
 */
import type { Kysely } from 'kysely';
import type { CheckStatus } from '../../../core/checks.js';
import type { HeartbeatStatus } from '../../../core/heartbeats.js';
import { claimRows, inOrderedScan } from './claims.js';
import { newId } from './ids.js';
import type { Database } from './schema.js';

export type EngineEvent =
  | { kind: 'check_changed'; checkId: string; from: CheckStatus; to: CheckStatus; reason: string; at: number }
  | {
      kind: 'heartbeat_changed';
      heartbeatId: string;
      from: HeartbeatStatus;
      to: HeartbeatStatus;
      reason: string;
      at: number;
    }
  | { kind: 'rule_changed'; ruleId: string; at: number };

export interface ClaimedEvent {
  id: string;
  attempts: number;
  event: EngineEvent;
}

function subjectOf(e: EngineEvent): string {
  switch (e.kind) {
    case 'check_changed':
      return `check:${e.checkId}`;
    case 'heartbeat_changed':
      return `heartbeat:${e.heartbeatId}`;
    case 'rule_changed':
      return `rule:${e.ruleId}`;
  }
}

/** Writes facts into the outbox; call it inside the transaction that records their cause. */
export async function recordEvents(trx: Kysely<Database>, events: readonly EngineEvent[]): Promise<void> {
  // Kept under SQLite's bound-parameter limit.
  for (let i = 0; i < events.length; i += 100) {
    await trx
      .insertInto('engine_events')
      .values(
        events.slice(i, i + 100).map((e) => ({
          id: newId(),
          subject: subjectOf(e),
          kind: e.kind,
          payload: JSON.stringify(e),
          created_at: e.at,
          attempts: 0,
          claimed_until: 0,
        })),
      )
      .execute();
  }
}

export class EngineEvents {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly postgres: boolean,
  ) {}

  /**
   * Claims up to `batch` facts that no one holds and that no earlier fact of their subject
   * precedes, until `now + ttlMs`. On PostgreSQL rows another node is claiming are skipped, not
   * waited for.
   */
  async claim(token: string, now: number, ttlMs: number, batch: number): Promise<ClaimedEvent[]> {
    const rows = await inOrderedScan(this.db, this.postgres, (db) => {
      const due = db
        .selectFrom('engine_events as e')
        .select('e.id')
        .where('e.claimed_until', '<=', now)
        .where((w) =>
          w.not(
            w.exists(
              w
                .selectFrom('engine_events as before')
                .select('before.id')
                .whereRef('before.subject', '=', 'e.subject')
                .where((b) =>
                  b.or([
                    b('before.created_at', '<', b.ref('e.created_at')),
                    b.and([
                      b('before.created_at', '=', b.ref('e.created_at')),
                      b('before.id', '<', b.ref('e.id')),
                    ]),
                  ]),
                ),
            ),
          ),
        )
        .orderBy('e.created_at')
        .limit(batch);
      const claim = { token, until: now + ttlMs, postgres: this.postgres };
      return claimRows(db, 'engine_events', claim, due).returning(['id', 'attempts', 'payload']).execute();
    });
    return rows.map((r) => ({ id: r.id, attempts: r.attempts, event: JSON.parse(r.payload) as EngineEvent }));
  }

  /** Deletes facts whose work is done, if this claim still holds them. */
  async done(ids: readonly string[], token: string): Promise<number> {
    if (ids.length === 0) return 0;
    const { numDeletedRows } = await this.db
      .deleteFrom('engine_events')
      .where('id', 'in', ids)
      .where('claim_token', '=', token)
      .executeTakeFirst();
    return Number(numDeletedRows);
  }

  /** A fact whose work failed is tried again at `retryAt`; after `maxAttempts` it is dropped. */
  async failed(
    id: string,
    token: string,
    retryAt: number,
    maxAttempts: number,
  ): Promise<'retry' | 'dropped'> {
    const row = await this.db
      .updateTable('engine_events')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), claimed_until: retryAt, claim_token: null }))
      .where('id', '=', id)
      .where('claim_token', '=', token)
      .returning('attempts')
      .executeTakeFirst();
    if (row && row.attempts >= maxAttempts) {
      await this.db.deleteFrom('engine_events').where('id', '=', id).execute();
      return 'dropped';
    }
    return 'retry';
  }

  /** When the next fact can be claimed; undefined when the outbox is empty. */
  async nextDue(): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('engine_events')
      .select((eb) => eb.fn.min('claimed_until').as('at'))
      .executeTakeFirst();
    return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
  }
}
