/**
 * The engine watching heartbeats on SQLite and PostgreSQL with a controlled clock: late at the
 * expected time, down when the grace runs out, up again on a ping, every change recorded.
 */
import { describe, expect, it } from 'vitest';
import { STORES, storeAvailable } from '../../../../test/helpers/stores.js';
import type { Clock } from '../../../core/clock.js';
import { silentLogger } from '../../../core/log.js';
import { createEmbeddedProvider } from '../index.js';

describe.each(STORES)('the engine watching heartbeats on $kind', (store) => {
  it('marks a heartbeat late, then down, at the right minute; a ping brings it back', async ({ skip: s }) => {
    if (!(await storeAvailable(store.kind))) s();
    let t = Date.parse('2026-06-01T10:00:00Z');
    const clock: Clock = { now: () => t };
    const p = await createEmbeddedProvider({ ...(await store.open()), log: silentLogger(), clock });
    try {
      const { heartbeats } = p.ports;
      const hb = await heartbeats.createHeartbeat({ name: 'ETL', period_seconds: 3600, grace_seconds: 600 });
      const status = async () => (await heartbeats.getHeartbeat(hb.id))?.status;
      await p.engine.tick();
      expect(await status()).toBe('new');
      await heartbeats.ping({ id: hb.id }, { kind: 'success' });
      expect(await status()).toBe('up');
      expect((await heartbeats.getHeartbeat(hb.id))?.next_expected_ping).toBe('2026-06-01T11:00:00.000Z');
      // The engine wakes by then at the latest.
      expect(await p.engine.nextDue()).toBeLessThanOrEqual(Date.parse('2026-06-01T11:00:00Z'));
      const at = async (iso: string) => {
        t = Date.parse(iso);
        await p.engine.tick();
        return status();
      };
      expect(await at('2026-06-01T10:59:59Z')).toBe('up');
      expect(await at('2026-06-01T11:00:00Z')).toBe('late');
      expect(await at('2026-06-01T11:09:59Z')).toBe('late');
      expect(await at('2026-06-01T11:10:00Z')).toBe('down');
      await heartbeats.ping({ id: hb.id }, { kind: 'success' });
      expect(await status()).toBe('up');
      const flips = await p.db
        .selectFrom('heartbeat_flips')
        .select(['from_status', 'to_status'])
        .where('heartbeat_id', '=', hb.id)
        .orderBy('at')
        .execute();
      expect(flips.map((f) => `${f.from_status}→${f.to_status}`)).toEqual([
        'new→up',
        'up→late',
        'late→down',
        'down→up',
      ]);
    } finally {
      await p.close();
    }
  });

  it('records pings that arrive together in shared commits, each with its own answer', async ({
    skip: s,
  }) => {
    if (!(await storeAvailable(store.kind))) s();
    const p = await createEmbeddedProvider({ ...(await store.open()), log: silentLogger() });
    try {
      const { heartbeats } = p.ports;
      const a = await heartbeats.createHeartbeat({ name: 'A', period_seconds: 60 });
      const b = await heartbeats.createHeartbeat({ name: 'B', period_seconds: 60 });
      const answers = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          heartbeats.ping(i % 3 === 2 ? { token: 'no-such-token' } : { id: i % 3 ? b.id : a.id }, {
            kind: i === 59 ? 'fail' : 'success',
            body: `run ${i}`,
          }),
        ),
      );
      expect(answers.filter((x) => x === undefined)).toHaveLength(20);
      expect(answers[0]?.heartbeat).toMatchObject({ id: a.id, status: 'up' });
      expect(answers[0]?.ping.ping_data).toBe('run 0');
      expect((await heartbeats.listPings(a.id, { limit: 100, offset: 0 })).items).toHaveLength(20);
      expect((await heartbeats.listPings(b.id, { limit: 100, offset: 0 })).items).toHaveLength(20);
    } finally {
      await p.close();
    }
  });
  it('drops pings older than the retention window, and keeps the rest', async ({ skip: s }) => {
    if (!(await storeAvailable(store.kind))) s();
    let t = Date.parse('2026-06-01T10:00:00Z');
    const clock: Clock = { now: () => t };
    const p = await createEmbeddedProvider({ ...(await store.open()), log: silentLogger(), clock });
    try {
      const { heartbeats } = p.ports;
      const hb = await heartbeats.createHeartbeat({
        name: 'Backup',
        period_seconds: 3600,
        grace_seconds: 600,
      });
      await heartbeats.ping({ id: hb.id }, { kind: 'success' });
      t += 3_600_000;
      await heartbeats.ping({ id: hb.id }, { kind: 'success' });
      const kept = async () => (await heartbeats.listPings(hb.id, { limit: 10, offset: 0 })).items.length;
      expect(await kept()).toBe(2);
      expect(await heartbeats.prunePings(t - 1)).toBe(1);
      expect(await kept()).toBe(1);
      expect(await heartbeats.prunePings(t - 1)).toBe(0);
    } finally {
      await p.close();
    }
  });
});
