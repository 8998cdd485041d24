/**
 * Two nodes on one database ping the same heartbeats at once: each ping reads the heartbeat's
 * state under a row lock (PostgreSQL), so no state change is recorded twice and none is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, storeAvailable } from '../../../../test/helpers/stores.js';
import { silentLogger } from '../../../core/log.js';
import { createEmbeddedProvider, type EmbeddedProvider } from '../index.js';

describe.each(STORES)('heartbeat pings from two nodes on $kind', (store) => {
  let a: EmbeddedProvider;
  let b: EmbeddedProvider;
  let skip = false;
  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    const opened = await store.open();
    a = await createEmbeddedProvider({ ...opened, log: silentLogger() });
    b = await createEmbeddedProvider({ ...opened, log: silentLogger() });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('records each heartbeat coming up exactly once', async ({ skip: s }) => {
    if (skip) s();
    const beats = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        a.ports.heartbeats.createHeartbeat({ name: `job ${i}`, period_seconds: 3600 }),
      ),
    );
    await Promise.all(
      beats.flatMap((hb) =>
        [a, b, a, b].map((node) => node.ports.heartbeats.ping({ id: hb.id }, { kind: 'success' })),
      ),
    );
    const flips = await a.db
      .selectFrom('heartbeat_flips')
      .select(['heartbeat_id', 'from_status', 'to_status'])
      .execute();
    for (const hb of beats) {
      expect(flips.filter((f) => f.heartbeat_id === hb.id)).toEqual([
        { heartbeat_id: hb.id, from_status: 'new', to_status: 'up' },
      ]);
    }
    const pings = await a.db
      .selectFrom('heartbeat_pings')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    expect(Number(pings?.n)).toBe(beats.length * 4);
  });
});
