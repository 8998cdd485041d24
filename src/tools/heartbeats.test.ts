/**
 * The heartbeats toolset through a real MCP client on SQLite and PostgreSQL: the Pingera seed's
 * names and parameters, paging both ways, and bad schedules refused with nothing stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, openHarness } from '../../test/helpers/harness.js';
import { STORES, storeAvailable } from '../../test/helpers/stores.js';

describe.each(STORES)('heartbeat tools on $kind', (store) => {
  let h: Harness;
  let skip = false;
  const id: Record<string, string> = {};

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    h = await openHarness({
      store: await store.open(),
      env: { VIGIL_PUBLIC_URL: 'https://vigil.example.com/' },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates heartbeats with a period or a cron schedule, and lists them by status', async ({ skip: s }) => {
    if (skip) s();
    const backup = (
      await h.ok('create_heartbeat', {
        heartbeat_data: { name: 'Nightly backup', cron: '0 2 * * *', time_zone: 'Europe/Berlin' },
      })
    ).heartbeats[0];
    expect(backup).toMatchObject({
      name: 'Nightly backup',
      status: 'new',
      active: true,
      cron: '0 2 * * *',
      time_zone: 'Europe/Berlin',
      grace_seconds: 3600,
      recent_pings: [],
    });
    // Answers leave out empty fields.
    for (const f of ['period_seconds', 'last_ping_at', 'next_expected_ping'])
      expect(backup).not.toHaveProperty(f);
    expect(backup.ping_url).toMatch(/^https:\/\/vigil\.example\.com\/ping\/[A-Za-z0-9_-]{22}$/);
    id.backup = backup.id;
    id.queue = (
      await h.ok('create_heartbeat', {
        heartbeat_data: { name: 'Queue worker', period_seconds: 300, grace_seconds: 120 },
      })
    ).heartbeats[0].id;
    id.paused = (
      await h.ok('create_heartbeat', {
        heartbeat_data: { name: 'Archived job', period_seconds: 60, active: false },
      })
    ).heartbeats[0].id;

    const ping = await h.ok('send_heartbeat_ping', { heartbeat_id: id.queue, ping_data: { processed: 42 } });
    expect(ping.pings[0]).toMatchObject({ kind: 'success', ping_data: { processed: 42 }, truncated: false });
    expect(ping.metadata.status).toBe('up');

    const byStatus = async (status: string) =>
      (await h.ok('list_heartbeats', { status })).heartbeats.map((x: { name: string }) => x.name);
    expect(await byStatus('up')).toEqual(['Queue worker']);
    expect(await byStatus('new')).toEqual(['Nightly backup']);
    expect(await byStatus('paused')).toEqual(['Archived job']);
  });

  it('pages with the seed’s page/page_size and with limit/cursor', async ({ skip: s }) => {
    if (skip) s();
    const names = async (args: Record<string, unknown>) => {
      const r = await h.ok('list_heartbeats', args);
      return [r.heartbeats.map((x: { name: string }) => x.name), r.next_cursor];
    };
    const [second] = await names({ page: 2, page_size: 1 });
    expect(second).toEqual(['Nightly backup']);
    const [first, cursor] = await names({ limit: 2 });
    expect(first).toEqual(['Archived job', 'Nightly backup']);
    expect((await names({ limit: 2, cursor }))[0]).toEqual(['Queue worker']);
    const both = await h.call('list_heartbeats', { page: 1, cursor });
    expect(both.body.error.message).toBe('Pass `page` or `cursor`, not both.');
  });

  it('keeps ping logs with the seed’s from_date/to_date', async ({ skip: s }) => {
    if (skip) s();
    await h.ok('send_heartbeat_ping', { heartbeat_id: id.queue, kind: 'start' });
    await h.ok('send_heartbeat_ping', { heartbeat_id: id.queue, kind: 'fail' });
    const logs = await h.ok('get_heartbeat_logs', { heartbeat_id: id.queue });
    expect(logs.pings.map((x: { kind: string }) => x.kind)).toEqual(['fail', 'start', 'success']);
    const details = (await h.ok('get_heartbeat_details', { heartbeat_id: id.queue })).heartbeats[0];
    expect(details.status).toBe('down');
    expect(details.recent_pings).toHaveLength(3);
    const future = await h.ok('get_heartbeat_logs', {
      heartbeat_id: id.queue,
      from_date: '2099-01-01T00:00:00Z',
    });
    expect(future.pings).toEqual([]);
  });

  it('refuses bad schedules with a clear error and stores nothing', async ({ skip: s }) => {
    if (skip) s();
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'x' }, 'Give the heartbeat a schedule: period_seconds'],
      [{ name: 'x', period_seconds: 60, cron: '* * * * *' }, 'Give period_seconds or cron, not both.'],
      [{ name: 'x', period_seconds: 30 }, 'period_seconds must be at least 60'],
      [{ name: 'x', period_seconds: 10 ** 12 }, 'period_seconds'],
      [{ name: 'x', cron: '0 0 31 2 *' }, "Invalid cron expression '0 0 31 2 *'"],
      [{ name: 'x', cron: 'every night' }, 'Invalid cron expression'],
      [{ name: 'x', cron: '0 2 * * *', time_zone: 'Mars/Base' }, "Unknown time zone 'Mars/Base'"],
      [{ name: '', period_seconds: 60 }, 'name cannot be empty'],
      [{ name: 'x', period_seconds: 60, grace_seconds: 5 }, 'grace_seconds must be at least 60'],
    ];
    for (const [data, message] of cases) {
      const r = await h.call('create_heartbeat', { heartbeat_data: data });
      expect(r.isError, JSON.stringify(data)).toBe(true);
      expect(r.body.error.code).toBe('VALIDATION_ERROR');
      expect(r.body.error.message).toContain(message);
    }
    expect((await h.ok('list_heartbeats')).heartbeats).toHaveLength(3);
    const unknown = await h.call('send_heartbeat_ping', { heartbeat_id: 'PNOPE' });
    expect(unknown.body.error).toMatchObject({ code: 'NOT_FOUND', details: { parameter: 'heartbeat_id' } });
  });

  it('switches a schedule, pauses, resumes and deletes', async ({ skip: s }) => {
    if (skip) s();
    const switched = (
      await h.ok('update_heartbeat', { heartbeat_id: id.backup, heartbeat_data: { period_seconds: 600 } })
    ).heartbeats[0];
    expect(switched.period_seconds).toBe(600);
    expect(switched).not.toHaveProperty('cron');
    const paused = await h.ok('update_heartbeat', {
      heartbeat_id: id.queue,
      heartbeat_data: { active: false },
    });
    expect(paused.heartbeats[0].status).toBe('paused');
    const resumed = await h.ok('update_heartbeat', {
      heartbeat_id: id.queue,
      heartbeat_data: { active: true },
    });
    expect(resumed.heartbeats[0].status).toBe('new');
    await h.ok('delete_heartbeat', { heartbeat_id: id.paused });
    const gone = await h.call('get_heartbeat_details', { heartbeat_id: id.paused });
    expect(gone.body.error.code).toBe('NOT_FOUND');
  });
});
