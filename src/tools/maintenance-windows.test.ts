/**
 * Maintenance window tools through a real MCP client on SQLite and PostgreSQL: PagerDuty's shape,
 * the list's filters and paging, times in any zone normalised to UTC, bad input answered with a
 * clear error naming the field and nothing written, writes refused in read-only mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, openHarness } from '../../test/helpers/harness.js';
import { STORES, storeAvailable } from '../../test/helpers/stores.js';

const HOUR = 3_600_000;
/** An instant `hours` from now, to the minute, in UTC and in +02:00. */
const when = (hours: number) => {
  const ms = Math.floor((Date.now() + hours * HOUR) / 60_000) * 60_000;
  const local = new Date(ms + 2 * HOUR).toISOString().replace(/\.000Z$/, '+02:00');
  return { utc: new Date(ms).toISOString(), local };
};

describe.each(STORES)('maintenance window tools on $kind', (store) => {
  let h: Harness;
  const id: Record<string, string> = {};
  let skip = false;

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    h = await openHarness({ store: await store.open(), env: { VIGIL_USER_EMAIL: 'ann@x.io' } });
    id.ann = (await h.ok('create_user', { name: 'Ann', email: 'ann@x.io' })).users[0].id;
    id.team = (await h.ok('create_team', { name: 'Payments team' })).teams[0].id;
    id.pay = (await h.ok('create_service', { name: 'Payments', team_ids: [id.team] })).services[0].id;
    id.web = (await h.ok('create_service', { name: 'Web' })).services[0].id;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates, lists, updates and deletes windows in PagerDuty’s shape', async ({ skip: s }) => {
    if (skip) s();
    const start = when(1);
    const end = when(3);
    const created = await h.ok('create_maintenance_window', {
      start_time: start.local,
      end_time: end.local,
      description: 'Database upgrade',
      service_ids: [id.pay],
    });
    expect(created.metadata.count).toBe(1);
    const w = created.maintenance_windows[0];
    expect(w).toEqual({
      id: expect.stringMatching(/^P/),
      type: 'maintenance_window',
      summary: 'Database upgrade',
      description: 'Database upgrade',
      start_time: start.utc,
      end_time: end.utc,
      services: [{ id: id.pay, type: 'service_reference', summary: 'Payments' }],
      teams: [{ id: id.team, type: 'team_reference', summary: 'Payments team' }],
      created_by: { id: id.ann, type: 'user_reference', summary: 'Ann' },
    });
    // Started in the past: it starts now, and is ongoing.
    const now = await h.ok('create_maintenance_window', {
      start_time: when(-1).utc,
      end_time: when(1).utc,
      service_ids: [id.web],
    });
    const ongoing = now.maintenance_windows[0];
    expect(Date.parse(ongoing.start_time)).toBeGreaterThan(Date.now() - 60_000);

    const names = async (args: Record<string, unknown>) =>
      (await h.ok('list_maintenance_windows', args)).maintenance_windows.map((x: { id: string }) => x.id);
    expect(await names({})).toEqual([w.id, ongoing.id]);
    expect(await names({ filter: 'ongoing' })).toEqual([ongoing.id]);
    expect(await names({ filter: 'future' })).toEqual([w.id]);
    expect(await names({ filter: 'past' })).toEqual([]);
    expect(await names({ service_ids: [id.pay] })).toEqual([w.id]);
    expect(await names({ team_ids: [id.team] })).toEqual([w.id]);
    expect(await names({ query: 'upgrade' })).toEqual([w.id]);
    const first = await h.ok('list_maintenance_windows', { limit: 1 });
    expect(first.maintenance_windows.map((x: { id: string }) => x.id)).toEqual([w.id]);
    const second = await h.ok('list_maintenance_windows', { limit: 1, cursor: first.next_cursor });
    expect(second.maintenance_windows.map((x: { id: string }) => x.id)).toEqual([ongoing.id]);
    expect(
      (await h.ok('list_maintenance_windows', { maintenance_window_id: w.id })).maintenance_windows,
    ).toEqual([w]);
    const both = await h.call('list_maintenance_windows', { maintenance_window_id: w.id, query: 'upgrade' });
    expect(both.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { parameter: 'query' } });

    const updated = await h.ok('update_maintenance_window', {
      maintenance_window_id: w.id,
      end_time: when(4).utc,
      service_ids: [id.pay, id.web],
    });
    expect(updated.maintenance_windows[0]).toMatchObject({
      start_time: start.utc,
      end_time: when(4).utc,
      services: [{ summary: 'Payments' }, { summary: 'Web' }],
    });

    // get_services says PagerDuty's `maintenance` while a window is in effect, and only then.
    const status = async (serviceId: string | undefined) =>
      (await h.ok('get_services', { service_id: serviceId })).services[0].status;
    expect(await status(id.web)).toBe('maintenance');
    expect(await status(id.pay)).toBe('active');

    // Deleting: a future window goes; an ongoing one ends now and is then past.
    await h.ok('delete_maintenance_window', { maintenance_window_id: w.id });
    expect(await names({ filter: 'all' })).toEqual([ongoing.id]);
    const ended = await h.ok('delete_maintenance_window', { maintenance_window_id: ongoing.id });
    expect(ended.maintenance_windows[0].id).toBe(ongoing.id);
    expect(await names({ filter: 'past' })).toEqual([ongoing.id]);
    expect(await status(id.web)).toBe('active');
    const again = await h.call('delete_maintenance_window', { maintenance_window_id: ongoing.id });
    expect(again.body.error).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/has ended|ended at/),
    });
  });

  it('answers bad input with an error naming the field, and writes nothing', async ({ skip: s }) => {
    if (skip) s();
    const before = (await h.ok('list_maintenance_windows', { filter: 'all' })).maintenance_windows.length;
    const base = { start_time: when(1).utc, end_time: when(2).utc, service_ids: [id.pay] };
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      [
        'create_maintenance_window',
        { ...base, end_time: base.start_time },
        'end_time',
        /must be after start_time/,
      ],
      [
        'create_maintenance_window',
        { ...base, end_time: when(0.5).utc },
        'end_time',
        /must be after start_time/,
      ],
      [
        'create_maintenance_window',
        { ...base, start_time: when(-3).utc, end_time: when(-2).utc },
        'end_time',
        /in the past/,
      ],
      ['create_maintenance_window', { ...base, start_time: 'tomorrow' }, 'start_time', /Invalid ISO8601/],
      ['create_maintenance_window', { ...base, service_ids: [] }, 'service_ids', /at least one service/],
      [
        'create_maintenance_window',
        { ...base, service_ids: ['PNOPE'] },
        'service_ids',
        /No service with id 'PNOPE'/,
      ],
      ['create_maintenance_window', { ...base, service_ids: ['bad id!'] }, 'service_ids[0]', /alphanumeric/],
      ['list_maintenance_windows', { filter: 'soon' }, 'filter', /./],
      [
        'update_maintenance_window',
        { maintenance_window_id: 'PNOPE', description: 'x' },
        'maintenance_window_id',
        /No maintenance window/,
      ],
      [
        'update_maintenance_window',
        { maintenance_window_id: 'PNOPE' },
        'maintenance_window_id',
        /Nothing to update/,
      ],
    ];
    for (const [tool, args, parameter, message] of cases) {
      const r = await h.call(tool, args);
      expect(r.isError, `${tool} ${JSON.stringify(args)}`).toBe(true);
      expect(r.body.error.details?.parameter ?? r.body.error.message, JSON.stringify(r.body)).toContain(
        parameter,
      );
      expect(r.body.error.message).toMatch(message);
    }
    expect((await h.ok('list_maintenance_windows', { filter: 'all' })).maintenance_windows.length).toBe(
      before,
    );
  });

  it('refuses writes in read-only mode', async ({ skip: s }) => {
    if (skip) s();
    const ro = await h.as({ kind: 'api_key', label: 'key:viewer', mode: 'read_only' });
    const r = await ro.call('create_maintenance_window', {
      start_time: when(1).utc,
      end_time: when(2).utc,
      service_ids: [id.pay],
    });
    expect(r.body.error.code).toBe('READ_ONLY');
    expect((await ro.call('list_maintenance_windows', {})).isError).toBe(false);
  });
});
