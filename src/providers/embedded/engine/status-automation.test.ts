/**
 * Status pages that move by themselves, on SQLite and PostgreSQL with a controlled clock: a
 * component linked to checks follows them (worst wins) once their status has lasted its delay,
 * a blip shorter than that never shows, an open incident's status wins while it is open, and its
 * uptime bars come from the checks' daily rollups; maintenance starts and completes on time.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, storeAvailable } from '../../../../test/helpers/stores.js';
import type { Clock } from '../../../core/clock.js';
import { silentLogger } from '../../../core/log.js';
import { COMPLETED_BODY, STARTED_BODY } from '../../../core/maintenance-moves.js';
import { createEmbeddedProvider, type EmbeddedProvider } from '../index.js';
import { rollUp } from '../store/check-rollups.js';

const MIN = 60_000;
const DAY = 86_400_000;

describe.each(STORES)('status automation on $kind', (store) => {
  let target: Server;
  const failing = new Set<string>();
  let base = '';
  let t = Date.parse('2026-06-01T10:00:30Z');
  const clock: Clock = { now: () => t };
  let p: EmbeddedProvider;
  let skip = false;

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    target = createServer((req, res) => res.writeHead(failing.has(req.url ?? '') ? 500 : 200).end());
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    p = await createEmbeddedProvider({ ...(await store.open()), log: silentLogger(), clock });
  });
  afterAll(async () => {
    await p?.close();
    target?.close();
  });

  /** Runs what is due at `ms` — checks, their evaluation, then the engine. */
  const at = async (ms: number) => {
    t = ms;
    await p.scheduler.runDue();
    await p.engine.tick();
  };

  const check = (name: string) =>
    p.ports.checks.createCheck({ name, type: 'web', url: `${base}/${name}`, interval: 60 });

  it('follows its checks after the delay, worst wins, and ignores a blip', async ({ skip: s }) => {
    if (skip) s();
    const { statusPages } = p.ports;
    const page = await statusPages.createPage({ name: 'Linked', subdomain: 'linked' });
    const api = await check('api');
    const web = await check('web');
    const c = await statusPages.createComponent(page.id, {
      name: 'Platform API',
      check_ids: [web.id, api.id, api.id],
      automation_delay_seconds: 120,
    });
    expect(c).toMatchObject({
      check_ids: [api.id, web.id].sort(),
      automation_delay_seconds: 120,
      status: 'operational',
    });
    const shown = async () => (await statusPages.getComponent(page.id, c.id)).status;
    const first = Date.parse(api.next_run_at as string);
    await at(first);
    expect(await shown()).toBe('operational');

    // A blip: down for one minute, shorter than the two-minute delay.
    failing.add('/api');
    await at(first + MIN);
    expect(await p.ports.checks.getCheck(api.id)).toMatchObject({ status: 'failed' });
    expect(await shown()).toBe('operational');
    failing.delete('/api');
    await at(first + 2 * MIN);
    await at(first + 3 * MIN + 1000);
    expect(await shown()).toBe('operational');
    expect(await p.statusAutomation.nextDue()).toBeUndefined();

    // Down for good: shown once it has lasted the delay, not before.
    failing.add('/api');
    await at(first + 4 * MIN);
    expect(await p.engine.nextDue()).toBeLessThanOrEqual(first + 6 * MIN);
    await at(first + 5 * MIN);
    expect(await shown()).toBe('operational');
    t = first + 6 * MIN;
    await p.engine.tick();
    expect(await statusPages.getComponent(page.id, c.id)).toMatchObject({
      status: 'major_outage',
      own_status: 'major_outage',
    });

    // An open incident naming it wins while it is open; then the checks show again.
    const incident = await statusPages.createIncident(page.id, {
      name: 'API slow',
      status: 'identified',
      components: { [c.id]: 'degraded_performance' },
    });
    expect(await shown()).toBe('degraded_performance');
    await statusPages.updateIncident(page.id, incident.id, { status: 'resolved' });
    expect(await shown()).toBe('major_outage');

    // Recovered: back to operational after the delay.
    failing.delete('/api');
    await at(first + 7 * MIN);
    await at(first + 9 * MIN);
    expect(await shown()).toBe('operational');

    // Unlinked: its status is its own again, and can be set by hand.
    await expect(statusPages.updateComponent(page.id, c.id, { status: 'partial_outage' })).rejects.toThrow(
      /takes its status from them/,
    );
    const unlinked = await statusPages.updateComponent(page.id, c.id, {
      check_ids: [],
      status: 'partial_outage',
    });
    expect(unlinked).toMatchObject({ check_ids: [], status: 'partial_outage' });
  });

  it('applies at once with no delay, and refuses groups and unknown checks', async ({ skip: s }) => {
    if (skip) s();
    const { statusPages } = p.ports;
    const page = await statusPages.createPage({ name: 'Instant', subdomain: 'instant' });
    const db = await check('db');
    failing.add('/db');
    const first = Date.parse(db.next_run_at as string);
    await at(first);
    const c = await statusPages.createComponent(page.id, {
      name: 'Database',
      check_ids: [db.id],
      automation_delay_seconds: 0,
    });
    expect(c.status).toBe('major_outage');
    failing.delete('/db');
    await at(first + MIN);
    expect((await statusPages.getComponent(page.id, c.id)).status).toBe('operational');

    await expect(
      statusPages.createComponent(page.id, { name: 'G', group: true, check_ids: [db.id] }),
    ).rejects.toThrow(/group cannot be linked/);
    await expect(statusPages.createComponent(page.id, { name: 'X', check_ids: ['PNOPE'] })).rejects.toThrow(
      "No check with id 'PNOPE'",
    );
    await expect(
      statusPages.createComponent(page.id, { name: 'Y', check_ids: [db.id], status: 'major_outage' }),
    ).rejects.toThrow(/takes its status from them/);
    const names = (await statusPages.listComponents(page.id, { limit: 10, offset: 0 })).items.map(
      (x) => x.name,
    );
    expect(names).toEqual(['Database']);
    // A deleted check leaves the component unlinked.
    await p.ports.checks.deleteCheck(db.id);
    expect((await statusPages.getComponent(page.id, c.id)).check_ids).toEqual([]);
  });

  it('reads uptime from the checks’ daily rollups, the worst check each day', async ({ skip: s }) => {
    if (skip) s();
    const { statusPages } = p.ports;
    const page = await statusPages.createPage({ name: 'Bars', subdomain: 'bars' });
    const a = await check('bars-a');
    const b = await check('bars-b');
    const c = await statusPages.createComponent(page.id, { name: 'Edge', check_ids: [a.id, b.id] });
    const today = Math.floor(t / DAY) * DAY;
    const results = (checkId: string, day: number, ok: number, failed: number, degraded = 0) =>
      [
        ...Array.from({ length: ok }, () => 'ok' as const),
        ...Array.from({ length: failed }, () => 'failed' as const),
        ...Array.from({ length: degraded }, () => 'degraded' as const),
      ].map((status, n) => ({
        check_id: checkId,
        created_at: today - day * DAY + n * MIN,
        status,
        response_time: 40,
      }));
    await rollUp(p.db, [
      ...results(a.id, 3, 99, 1),
      ...results(b.id, 3, 100, 0),
      ...results(a.id, 2, 50, 0, 50),
      ...results(b.id, 100, 10, 10), // older than the bars
    ]);
    const days = (await statusPages.checkedUptime(page.id, today - 89 * DAY, t)).get(c.id);
    expect(days).toEqual([
      {
        day: new Date(today - 3 * DAY).toISOString().slice(0, 10),
        uptime: 99,
        total: 100,
        degraded: 0,
        down: 1,
      },
      {
        day: new Date(today - 2 * DAY).toISOString().slice(0, 10),
        uptime: 100,
        total: 100,
        degraded: 50,
        down: 0,
      },
    ]);
  });

  it('starts and completes maintenance on time, under maintenance while it runs', async ({ skip: s }) => {
    if (skip) s();
    const { statusPages } = p.ports;
    const page = await statusPages.createPage({ name: 'Maint', subdomain: 'maint' });
    const db = await statusPages.createComponent(page.id, {
      name: 'Database',
      status: 'degraded_performance',
    });
    const start = t + 3_600_000;
    const m = await statusPages.createIncident(page.id, {
      name: 'Upgrade',
      status: 'scheduled',
      scheduled_for: new Date(start).toISOString(),
      scheduled_until: new Date(start + 7_200_000).toISOString(),
      components: { [db.id]: 'partial_outage' },
    });
    const manual = await statusPages.createIncident(page.id, {
      name: 'Manual one',
      status: 'scheduled',
      scheduled_for: new Date(start).toISOString(),
      scheduled_until: new Date(start + 60_000).toISOString(),
    });
    await statusPages.updateIncident(page.id, manual.id, {
      scheduled_auto_in_progress: false,
      scheduled_auto_completed: false,
    });
    expect(await p.engine.nextDue()).toBeLessThanOrEqual(start);

    t = start - 1000;
    await p.engine.tick();
    expect((await statusPages.getIncident(page.id, m.id)).status).toBe('scheduled');
    expect((await statusPages.getComponent(page.id, db.id)).status).toBe('degraded_performance');

    t = start;
    await p.engine.tick();
    const started = await statusPages.getIncident(page.id, m.id);
    expect(started).toMatchObject({ status: 'in_progress', components: { [db.id]: 'under_maintenance' } });
    expect(started.incident_updates[0]).toMatchObject({
      status: 'in_progress',
      body: STARTED_BODY,
      deliver_notifications: false,
      created_at: new Date(start).toISOString(),
    });
    expect((await statusPages.getComponent(page.id, db.id)).status).toBe('under_maintenance');

    t = start + 7_200_000;
    await p.engine.tick();
    const done = await statusPages.getIncident(page.id, m.id);
    expect(done).toMatchObject({ status: 'completed', resolved_at: new Date(t).toISOString() });
    expect(done.incident_updates.map((u) => [u.status, u.body])).toEqual([
      ['completed', COMPLETED_BODY],
      ['in_progress', STARTED_BODY],
      ['scheduled', ''],
    ]);
    expect((await statusPages.getComponent(page.id, db.id)).status).toBe('operational');
    // Its flags said to wait for a person.
    expect((await statusPages.getIncident(page.id, manual.id)).status).toBe('scheduled');
  });

  it('keeps components as they were when told to, and completes a window wholly past at once', async ({
    skip: s,
  }) => {
    if (skip) s();
    const { statusPages } = p.ports;
    const page = await statusPages.createPage({ name: 'Past', subdomain: 'past' });
    const cache = await statusPages.createComponent(page.id, {
      name: 'Cache',
      status: 'degraded_performance',
    });
    const m = await statusPages.createIncident(page.id, {
      name: 'Flush',
      status: 'scheduled',
      scheduled_for: new Date(t + 60_000).toISOString(),
      scheduled_until: new Date(t + 120_000).toISOString(),
      components: { [cache.id]: 'partial_outage' },
    });
    await statusPages.updateIncident(page.id, m.id, {
      auto_transition_to_maintenance_state: false,
      auto_transition_to_operational_state: false,
      auto_transition_deliver_notifications_at_end: true,
    });
    t += 60_000;
    await p.engine.tick();
    expect((await statusPages.getComponent(page.id, cache.id)).status).toBe('partial_outage');
    t += 3_600_000;
    await p.engine.tick();
    const done = await statusPages.getIncident(page.id, m.id);
    expect(done.status).toBe('completed');
    expect(done.incident_updates[0]?.deliver_notifications).toBe(true);
    expect((await statusPages.getComponent(page.id, cache.id)).status).toBe('degraded_performance');

    const late = await statusPages.createIncident(page.id, {
      name: 'Missed while down',
      status: 'scheduled',
      scheduled_for: new Date(t + 1000).toISOString(),
      scheduled_until: new Date(t + 2000).toISOString(),
    });
    t += 10_000;
    await p.engine.tick();
    expect(
      (await statusPages.getIncident(page.id, late.id)).incident_updates.map((u) => [u.status, u.body]),
    ).toEqual([
      ['completed', COMPLETED_BODY],
      ['scheduled', ''],
    ]);
  });
});
