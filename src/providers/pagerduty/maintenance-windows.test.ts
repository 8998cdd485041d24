/**
 * The maintenance window tools answered by PagerDuty, through a real MCP client against the
 * loopback fake that checks every request and answer against PagerDuty's OpenAPI description:
 * create (with `From`), list with PagerDuty's filters, get, update (PUT of the whole window),
 * delete of a future and of an ongoing window, and PagerDuty's 405 for an ended one as CONFLICT.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakePagerDuty } from '../../../test/helpers/fake-pagerduty.js';
import type { Harness } from '../../../test/helpers/harness.js';
import { openPagerDutyHarness, type PagerDutyHarness } from '../../../test/helpers/pagerduty-harness.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-06-01T10:00:00Z');
const at = (hours: number) => new Date(T0 + hours * HOUR).toISOString().replace(/\.000Z$/, 'Z');
/** As the tools send times: normalised to UTC with milliseconds. */
const sent = (hours: number) => new Date(T0 + hours * HOUR).toISOString();

const SEED = {
  me: 'PANN001',
  users: [{ id: 'PANN001', name: 'Ann', email: 'ann@acme.test', teams: ['POPS001'] }],
  teams: [{ id: 'POPS001', name: 'Ops' }],
  escalation_policies: [
    { id: 'PEP0001', name: 'Ops', rules: [{ targets: [{ type: 'user' as const, id: 'PANN001' }] }] },
  ],
  services: [
    { id: 'PAPI001', name: 'API', escalation_policy: 'PEP0001', teams: ['POPS001'] },
    { id: 'PWEB001', name: 'Web', escalation_policy: 'PEP0001' },
  ],
};

describe('maintenance windows on PagerDuty', () => {
  let fake: FakePagerDuty;
  let h: Harness;
  let pd: PagerDutyHarness | undefined;
  let now = T0;

  beforeAll(async () => {
    pd = await openPagerDutyHarness(SEED, { now: () => new Date(now) });
    ({ fake, h } = pd);
  });
  afterAll(async () => {
    await pd?.close();
  });

  it('creates, lists, reads, updates and deletes windows through PagerDuty’s API', async () => {
    // The tool checks end_time against the real clock; the fake's clock stands at T0.
    const created = await h.ok('create_maintenance_window', {
      start_time: at(24 * 400),
      end_time: at(24 * 400 + 2),
      description: 'Database upgrade',
      service_ids: ['PAPI001'],
    });
    const w = created.maintenance_windows[0];
    expect(w).toEqual({
      id: expect.stringMatching(/^PF/),
      type: 'maintenance_window',
      summary: 'Database upgrade',
      description: 'Database upgrade',
      sequence_number: 1,
      start_time: at(24 * 400),
      end_time: at(24 * 400 + 2),
      services: [{ id: 'PAPI001', type: 'service_reference', summary: 'API' }],
      teams: [{ id: 'POPS001', type: 'team_reference', summary: 'Ops' }],
      created_by: { id: 'PANN001', type: 'user_reference', summary: 'Ann' },
    });
    const post = fake.requests.find((r) => r.method === 'POST' && r.path === '/maintenance_windows');
    expect(post?.headers.from).toBe('ann@acme.test');
    expect(post?.body).toEqual({
      maintenance_window: {
        type: 'maintenance_window',
        start_time: sent(24 * 400),
        end_time: sent(24 * 400 + 2),
        description: 'Database upgrade',
        services: [{ id: 'PAPI001', type: 'service_reference' }],
      },
    });

    const ongoing = (
      await h.ok('create_maintenance_window', {
        start_time: at(-1),
        end_time: at(24 * 500),
        service_ids: ['PWEB001'],
      })
    ).maintenance_windows[0];
    expect(ongoing.start_time).toBe(at(0)); // PagerDuty starts a past start now

    const ids = async (args: Record<string, unknown>) =>
      (await h.ok('list_maintenance_windows', args)).maintenance_windows.map((x: { id: string }) => x.id);
    expect(await ids({})).toEqual([w.id, ongoing.id]);
    expect(await ids({ filter: 'ongoing' })).toEqual([ongoing.id]);
    expect(await ids({ filter: 'future', service_ids: ['PAPI001'] })).toEqual([w.id]);
    expect(await ids({ team_ids: ['POPS001'] })).toEqual([w.id]);
    expect(await ids({ query: 'upgrade' })).toEqual([w.id]);
    const list = fake.requests.filter((r) => r.method === 'GET' && r.path === '/maintenance_windows').at(-1);
    expect(list?.query.get('query')).toBe('upgrade');
    expect(list?.query.get('filter')).toBe('open');
    expect(
      (await h.ok('list_maintenance_windows', { maintenance_window_id: w.id })).maintenance_windows,
    ).toEqual([w]);

    const moved = await h.ok('update_maintenance_window', {
      maintenance_window_id: w.id,
      service_ids: ['PAPI001', 'PWEB001'],
    });
    expect(moved.maintenance_windows[0]).toMatchObject({
      start_time: w.start_time,
      end_time: w.end_time,
      description: 'Database upgrade',
      services: [{ summary: 'API' }, { summary: 'Web' }],
    });

    await h.ok('delete_maintenance_window', { maintenance_window_id: w.id });
    expect(await ids({ filter: 'all' })).toEqual([ongoing.id]);
    now = T0 + HOUR;
    await h.ok('delete_maintenance_window', { maintenance_window_id: ongoing.id });
    expect(await ids({ filter: 'past' })).toEqual([ongoing.id]);
    const ended = await h.call('delete_maintenance_window', { maintenance_window_id: ongoing.id });
    expect(ended.body.error).toMatchObject({
      code: 'CONFLICT',
      details: { parameter: 'maintenance_window_id' },
    });
    const missing = await h.call('list_maintenance_windows', { maintenance_window_id: 'PNOPE01' });
    expect(missing.body.error.code).toBe('NOT_FOUND');

    expect(fake.violations()).toEqual([]);
  });
});
