/**
 * Row claims on both stores: a claim takes due rows no one holds, in the caller's order and up to
 * its limit; rows held stay with their holder until the claim lapses; and on PostgreSQL a row
 * another node is claiming at that moment is skipped, not waited for, and claims keep to the due
 * index without changing the planner's settings for anything else.
 */
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, storeAvailable } from '../../../../test/helpers/stores.js';
import { silentLogger } from '../../../core/log.js';
import { createEmbeddedProvider, type EmbeddedProvider } from '../index.js';
import { claimRows, inOrderedScan } from './claims.js';
import { recordEvents } from './engine-events.js';
import type { Database } from './schema.js';

describe.each(STORES)('row claims on $kind', (store) => {
  let p: EmbeddedProvider;
  let skip = false;
  const postgres = store.kind === 'postgres';
  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    p = await createEmbeddedProvider({ ...(await store.open()), log: silentLogger() });
  });
  afterAll(async () => {
    await p?.close();
  });

  /** Five facts on subjects of their own, created at 1..5; answers their ids in that order. */
  async function facts(): Promise<string[]> {
    await p.db.deleteFrom('engine_events').execute();
    await recordEvents(
      p.db,
      [1, 2, 3, 4, 5].map((at) => ({ kind: 'rule_changed' as const, ruleId: `r${at}`, at })),
    );
    const rows = await p.db.selectFrom('engine_events').select('id').orderBy('created_at').execute();
    return rows.map((r) => r.id);
  }

  /** Claims up to `limit` facts whose claim has lapsed by `now`, oldest first. */
  function claim(token: string, now: number, limit: number) {
    const due = p.db
      .selectFrom('engine_events as e')
      .select('e.id')
      .where('e.claimed_until', '<=', now)
      .orderBy('e.created_at')
      .limit(limit);
    return claimRows(p.db, 'engine_events', { token, until: now + 1000, postgres }, due)
      .returning(['id', 'claim_token', 'claimed_until'])
      .execute();
  }

  it('takes due rows in order up to the limit, leaves held ones to their holder until the claim lapses', async ({
    skip: s,
  }) => {
    if (skip) s();
    const ids = await facts();
    const a = await claim('a', 100, 2);
    expect(a.map((r) => r.id).sort()).toEqual(ids.slice(0, 2).sort());
    expect(a.every((r) => r.claim_token === 'a' && Number(r.claimed_until) === 1100)).toBe(true);
    const b = await claim('b', 500, 10);
    expect(b.map((r) => r.id).sort()).toEqual(ids.slice(2).sort());
    // Past a's expiry (1100) but not b's (1500): a's rows go to c, b's stay b's.
    const c = await claim('c', 1200, 10);
    expect(c.map((r) => r.id).sort()).toEqual(ids.slice(0, 2).sort());
    const held = await p.db.selectFrom('engine_events').select(['id', 'claim_token']).execute();
    expect(Object.fromEntries(held.map((r) => [r.id, r.claim_token]))).toEqual(
      Object.fromEntries(ids.map((id, i) => [id, i < 2 ? 'c' : 'b'])),
    );
  });

  if (postgres) {
    it('skips a row another node is claiming at that moment instead of waiting for it', async ({
      skip: s,
    }) => {
      if (skip) s();
      const ids = await facts();
      const first = ids[0] as string;
      await p.db.transaction().execute(async (trx) => {
        // Another node's claim in flight: it holds the oldest row's lock until it commits.
        await trx.selectFrom('engine_events').select('id').where('id', '=', first).forUpdate().execute();
        const mine = await claim('mine', 100, 2);
        expect(mine.map((r) => r.id).sort()).toEqual(ids.slice(1, 3).sort());
      });
    });

    it('claims by the due index within the claim only, and leaves room in checks for claims in place', async ({
      skip: s,
    }) => {
      if (skip) s();
      const scans = (db: Kysely<Database>) =>
        sql<{ seq: string; bitmap: string }>`select current_setting('enable_seqscan') as seq,
          current_setting('enable_bitmapscan') as bitmap`.execute(db);
      const inside = await inOrderedScan(p.db, true, async (trx) => (await scans(trx)).rows[0]);
      expect(inside).toEqual({ seq: 'off', bitmap: 'off' });
      // The pool's connections keep the planner's defaults for everything else.
      for (let i = 0; i < 3; i++) expect((await scans(p.db)).rows[0]).toEqual({ seq: 'on', bitmap: 'on' });
      const { rows } = await sql<{ options: string[] | null }>`select reloptions as options from pg_class
        where oid = 'checks'::regclass`.execute(p.db);
      expect(rows[0]?.options).toContain('fillfactor=70');
    });
  }
});
