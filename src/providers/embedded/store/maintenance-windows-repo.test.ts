/**
 * Maintenance windows on SQLite and PostgreSQL: created in PagerDuty's shape with their services
 * and those services' teams; listed by state (past, future, ongoing, open), service, team and
 * text; times checked (end after start and in the future, a past start starts now); an ended
 * window neither changes nor is deleted; deleting an ongoing window ends it, a future one goes.
 * An active service reads `maintenance` while a window is in effect on it, from its start
 * (included) to its end (excluded).
 */
import { describe, expect, it } from 'vitest';
import { STORES, storeAvailable } from '../../../../test/helpers/stores.js';
import { silentLogger } from '../../../core/log.js';
import type { MaintenanceWindowListFilter } from '../../../core/maintenance-windows.js';
import { createEmbeddedProvider } from '../index.js';
import { DirectoryRepository } from './directory-repo.js';
import {
  recordSuppressedEvents,
  SUPPRESSED_RETENTION_MS,
  windowsInEffect,
  windowsInEffectByRoutingKey,
} from './maintenance-silencers.js';

const MIN = 60_000;
const t0 = Date.parse('2026-06-01T10:00:00Z');
const at = (ms: number) => new Date(ms).toISOString();
const list = (over: Partial<MaintenanceWindowListFilter> = {}): MaintenanceWindowListFilter => ({
  filter: 'all',
  limit: 100,
  offset: 0,
  ...over,
});

describe.each(STORES)('maintenance windows on $kind', (store) => {
  async function open() {
    let now = t0;
    const p = await createEmbeddedProvider({
      ...(await store.open()),
      log: silentLogger(),
      clock: { now: () => now },
    });
    const { directory } = p.ports;
    const team = await directory.createTeam({ name: 'Payments team' });
    const pay = await directory.createService({ name: 'Payments', team_ids: [team.id] });
    const web = await directory.createService({ name: 'Web' });
    const ops = await directory.createUser({ name: 'Ops Person', email: 'ops@example.com' });
    return { p, mw: p.ports.maintenanceWindows, pay, web, team, ops, set: (ms: number) => (now = ms) };
  }

  it('creates, reads, lists by state, service, team and text, updates and deletes', async ({ skip }) => {
    if (!(await storeAvailable(store.kind))) skip();
    const { p, mw, pay, web, team, ops, set } = await open();
    try {
      const ongoing = await mw.createWindow(
        {
          start_time: at(t0 - 10 * MIN),
          end_time: at(t0 + 60 * MIN),
          description: 'Database upgrade',
          service_ids: [pay.id, web.id],
        },
        ops.id,
      );
      expect(ongoing).toEqual({
        id: expect.stringMatching(/^P[A-Z0-9]{13}$/),
        type: 'maintenance_window',
        summary: 'Database upgrade',
        description: 'Database upgrade',
        // A start in the past starts it now, as PagerDuty does.
        start_time: at(t0),
        end_time: at(t0 + 60 * MIN),
        services: [
          { id: pay.id, type: 'service_reference', summary: 'Payments' },
          { id: web.id, type: 'service_reference', summary: 'Web' },
        ],
        teams: [{ id: team.id, type: 'team_reference', summary: 'Payments team' }],
        created_by: { id: ops.id, type: 'user_reference', summary: 'Ops Person' },
      });
      const future = await mw.createWindow({
        start_time: at(t0 + 120 * MIN),
        end_time: at(t0 + 180 * MIN),
        service_ids: [web.id],
      });
      expect(future.summary).toBe(`Maintenance from ${at(t0 + 120 * MIN)} to ${at(t0 + 180 * MIN)}`);
      expect(await mw.getWindow(future.id)).toEqual(future);
      expect(await mw.getWindow('PNOPE')).toBeUndefined();

      const ids = async (f: Partial<MaintenanceWindowListFilter>) =>
        (await mw.listWindows(list(f))).items.map((w) => w.id);
      expect(await ids({})).toEqual([future.id, ongoing.id]);
      expect(await ids({ filter: 'ongoing' })).toEqual([ongoing.id]);
      expect(await ids({ filter: 'future' })).toEqual([future.id]);
      expect(await ids({ filter: 'open' })).toEqual([future.id, ongoing.id]);
      expect(await ids({ filter: 'past' })).toEqual([]);
      expect(await ids({ serviceIds: [pay.id] })).toEqual([ongoing.id]);
      expect(await ids({ teamIds: [team.id] })).toEqual([ongoing.id]);
      expect(await ids({ query: 'UPGRADE' })).toEqual([ongoing.id]);
      expect(await ids({ query: '100%' })).toEqual([]);
      const first = await mw.listWindows(list({ limit: 1 }));
      expect([first.items.length, first.more]).toEqual([1, true]);

      // What silences: the ongoing window on both its services, by id and by routing key.
      const inEffect = await windowsInEffect(p.db, [pay.id, web.id], t0);
      expect(inEffect.get(pay.id)).toEqual({
        type: 'maintenance_window',
        id: ongoing.id,
        summary: 'Database upgrade',
        end_time: at(t0 + 60 * MIN),
      });
      const byKey = await windowsInEffectByRoutingKey(p.db, [pay.integration_key as string], t0);
      expect(byKey.get(pay.integration_key as string)).toMatchObject({
        serviceId: pay.id,
        serviceName: 'Payments',
        window: { id: ongoing.id },
      });
      expect((await windowsInEffect(p.db, [pay.id], t0 + 60 * MIN)).size).toBe(0);
      // get_services reads `maintenance` for an active service under a window in effect.
      const services = (ms: number) => new DirectoryRepository(p.db, { now: () => ms });
      expect((await services(t0).getService(pay.id))?.status).toBe('maintenance');
      expect((await services(t0 + 60 * MIN).getService(pay.id))?.status).toBe('active');
      expect((await services(t0).listServices({ limit: 10, offset: 0 })).items.map((x) => x.status)).toEqual([
        'maintenance',
        'maintenance',
      ]);
      // In effect from its start, included, to its end, excluded.
      expect((await windowsInEffect(p.db, [web.id], t0 + 120 * MIN - 1)).size).toBe(0);
      expect((await windowsInEffect(p.db, [web.id], t0 + 120 * MIN)).get(web.id)?.id).toBe(future.id);
      expect((await windowsInEffect(p.db, [web.id], t0 + 180 * MIN - 1)).get(web.id)?.id).toBe(future.id);
      expect((await windowsInEffect(p.db, [web.id], t0 + 180 * MIN)).size).toBe(0);

      // Silenced triggers are kept for the retention, then dropped as new ones come.
      const silenced = { serviceId: pay.id, windowId: ongoing.id, summary: 'x', payload: {} };
      await recordSuppressedEvents(p.db, [{ ...silenced, dedupKey: 'old' }], t0);
      await recordSuppressedEvents(
        p.db,
        [{ ...silenced, dedupKey: 'new' }],
        t0 + SUPPRESSED_RETENTION_MS + 1,
      );
      const kept = await p.db.selectFrom('suppressed_events').select('dedup_key').execute();
      expect(kept.map((r) => r.dedup_key)).toEqual(['new']);

      const moved = await mw.updateWindow(future.id, { description: 'Web deploy', service_ids: [pay.id] });
      expect([moved.description, moved.services.map((s) => s.id), moved.start_time]).toEqual([
        'Web deploy',
        [pay.id],
        at(t0 + 120 * MIN),
      ]);
      // An ongoing window keeps its start when only its end moves.
      const longer = await mw.updateWindow(ongoing.id, { end_time: at(t0 + 90 * MIN) });
      expect([longer.start_time, longer.end_time]).toEqual([at(t0), at(t0 + 90 * MIN)]);

      // Deleting a future window removes it; an ongoing one ends now; an ended one cannot be.
      set(t0 + 30 * MIN);
      expect((await mw.deleteWindow(future.id)).id).toBe(future.id);
      expect(await mw.getWindow(future.id)).toBeUndefined();
      await mw.deleteWindow(ongoing.id);
      expect((await mw.getWindow(ongoing.id))?.end_time).toBe(at(t0 + 30 * MIN));
      expect(await ids({ filter: 'past' })).toEqual([ongoing.id]);
      await expect(mw.deleteWindow(ongoing.id)).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(mw.updateWindow(ongoing.id, { description: 'x' })).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      await expect(mw.deleteWindow('PNOPE')).rejects.toMatchObject({ code: 'NOT_FOUND' });

      // A service deleted leaves the windows that named it.
      await p.ports.directory.deleteService(web.id);
      expect((await mw.getWindow(ongoing.id))?.services.map((s) => s.id)).toEqual([pay.id]);
    } finally {
      await p.close();
    }
  });

  it('refuses an end before the start or in the past, and unknown services, naming the field', async ({
    skip,
  }) => {
    if (!(await storeAvailable(store.kind))) skip();
    const { p, mw, pay } = await open();
    try {
      await expect(
        mw.createWindow({ start_time: at(t0 + MIN), end_time: at(t0 + MIN), service_ids: [pay.id] }),
      ).rejects.toMatchObject({ code: 'VALIDATION_ERROR', details: { parameter: 'end_time' } });
      await expect(
        mw.createWindow({ start_time: at(t0 - 60 * MIN), end_time: at(t0 - MIN), service_ids: [pay.id] }),
      ).rejects.toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringMatching(/in the past/) });
      await expect(
        mw.createWindow({ start_time: at(t0), end_time: at(t0 + MIN), service_ids: [pay.id, 'PNOPE'] }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND', details: { parameter: 'service_ids', id: 'PNOPE' } });
      const w = await mw.createWindow({
        start_time: at(t0 + MIN),
        end_time: at(t0 + 2 * MIN),
        service_ids: [pay.id],
      });
      await expect(mw.updateWindow(w.id, { end_time: at(t0) })).rejects.toMatchObject({
        details: { parameter: 'end_time' },
      });
      await expect(mw.updateWindow(w.id, { service_ids: ['PNOPE'] })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      // Nothing of a refused write was stored.
      expect((await mw.listWindows(list())).items.map((x) => [x.id, x.end_time, x.services.length])).toEqual([
        [w.id, at(t0 + 2 * MIN), 1],
      ]);
    } finally {
      await p.close();
    }
  });
});
