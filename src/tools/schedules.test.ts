/**
 * Schedules and on-call through a real MCP client on SQLite and PostgreSQL: PagerDuty's shapes,
 * the seed's get_schedules / list_users_oncall / get_oncalls rules and messages, overrides, and
 * bad layers refused with nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, openHarness } from '../../test/helpers/harness.js';
import { STORES, storeAvailable } from '../../test/helpers/stores.js';

const SEE = 'See `docs://tools` for more information.';
const WEEK = 604_800;
const entries = (list: { start: string; end: string; user: { summary: string } }[]) =>
  list.map((e) => [e.start, e.end, e.user.summary]);

describe.each(STORES)('schedule tools on $kind', (store) => {
  let h: Harness;
  let ann: Harness;
  const id: Record<string, string> = {};
  let skip = false;

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    h = await openHarness({ store: await store.open() });
    for (const name of ['Ann', 'Bob', 'Cem', 'Dee']) {
      id[name] = (await h.ok('create_user', { name, email: `${name.toLowerCase()}@x.io` })).users[0].id;
    }
    id.team = (await h.ok('create_team', { name: 'Payments', member_ids: [id.Ann, id.Bob] })).teams[0].id;
    ann = await h.as({ userEmail: 'ann@x.io' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates a weekly rotation and renders its final schedule in local time across DST', async ({
    skip: s,
  }) => {
    if (skip) s();
    const created = await h.ok('create_schedule', {
      name: 'Payments primary',
      time_zone: 'Europe/Berlin',
      team_ids: [id.team],
      schedule_layers: [
        {
          start: '2026-10-19T09:00:00+02:00',
          rotation_turn_length_seconds: WEEK,
          users: [id.Ann, id.Bob],
        },
      ],
    });
    const schedule = created.schedules[0];
    id.primary = schedule.id;
    expect(schedule).toMatchObject({
      type: 'schedule',
      name: 'Payments primary',
      time_zone: 'Europe/Berlin',
      teams: [{ id: id.team, summary: 'Payments' }],
      users: [
        { id: id.Ann, summary: 'Ann' },
        { id: id.Bob, summary: 'Bob' },
      ],
      schedule_layers: [
        {
          name: 'Layer 1',
          start: '2026-10-19T09:00:00+02:00',
          rotation_virtual_start: '2026-10-19T09:00:00+02:00',
          rotation_turn_length_seconds: WEEK,
          restrictions: [],
        },
      ],
    });
    expect(schedule.final_schedule).toBeUndefined();

    const read = await h.ok('get_schedules', {
      schedule_id: id.primary,
      since: '2026-10-19T07:00:00Z',
      until: '2026-11-02T08:00:00Z',
    });
    const final = read.schedules[0].final_schedule;
    expect(entries(final.rendered_schedule_entries)).toEqual([
      ['2026-10-19T09:00:00+02:00', '2026-10-26T09:00:00+01:00', 'Ann'],
      ['2026-10-26T09:00:00+01:00', '2026-11-02T09:00:00+01:00', 'Bob'],
    ]);
    expect(final.rendered_coverage_percentage).toBe(100);
    expect(entries(read.schedules[0].schedule_layers[0].rendered_schedule_entries)).toEqual(
      entries(final.rendered_schedule_entries),
    );
  });

  it('puts an override above the rotation across a handoff, and removes it again', async ({ skip: s }) => {
    if (skip) s();
    const override = (
      await h.ok('create_schedule_override', {
        schedule_id: id.primary,
        user_id: id.Cem,
        start: '2026-10-25T12:00:00Z',
        end: '2026-10-27T12:00:00Z',
      })
    ).overrides[0];
    expect(override).toMatchObject({
      start: '2026-10-25T13:00:00+01:00',
      end: '2026-10-27T13:00:00+01:00',
      user: { id: id.Cem, summary: 'Cem' },
    });
    const window = { schedule_id: id.primary, since: '2026-10-19T07:00:00Z', until: '2026-11-02T08:00:00Z' };
    const read = (await h.ok('get_schedules', window)).schedules[0];
    expect(entries(read.final_schedule.rendered_schedule_entries)).toEqual([
      ['2026-10-19T09:00:00+02:00', '2026-10-25T13:00:00+01:00', 'Ann'],
      ['2026-10-25T13:00:00+01:00', '2026-10-27T13:00:00+01:00', 'Cem'],
      ['2026-10-27T13:00:00+01:00', '2026-11-02T09:00:00+01:00', 'Bob'],
    ]);
    expect(read.overrides.map((o: { id: string }) => o.id)).toEqual([override.id]);

    const users = await h.ok('list_users_oncall', {
      schedule_id: id.primary,
      since: '2026-10-25T00:00:00Z',
      until: '2026-10-27T00:00:00Z',
    });
    expect(users.users.map((u: { name: string }) => u.name)).toEqual(['Ann', 'Cem']);

    await h.ok('delete_schedule_override', { schedule_id: id.primary, override_id: override.id });
    const again = (await h.ok('get_schedules', window)).schedules[0];
    expect(entries(again.final_schedule.rendered_schedule_entries).map((e) => e[2])).toEqual(['Ann', 'Bob']);
    const gone = await h.call('delete_schedule_override', {
      schedule_id: id.primary,
      override_id: override.id,
    });
    expect(gone.body.error.code).toBe('NOT_FOUND');
  });

  it('answers get_oncalls per policy level: schedule shifts with times, direct users without', async ({
    skip: s,
  }) => {
    if (skip) s();
    const policy = (
      await h.ok('create_escalation_policy', {
        name: 'Payments',
        escalation_rules: [
          { escalation_delay_in_minutes: 10, targets: [{ id: id.primary, type: 'schedule_reference' }] },
          { escalation_delay_in_minutes: 10, targets: [{ id: id.Dee, type: 'user_reference' }] },
        ],
      })
    ).escalation_policies[0];
    id.policy = policy.id;
    expect(policy.escalation_rules[0].targets[0]).toEqual({
      id: id.primary,
      type: 'schedule_reference',
      summary: 'Payments primary',
    });
    const schedule = (await h.ok('get_schedules', { query: 'payments' })).schedules[0];
    expect(schedule.escalation_policies).toEqual([{ id: id.policy, summary: 'Payments' }]);

    const window = { since: '2026-10-20T00:00:00Z', until: '2026-11-03T00:00:00Z' };
    const all = await h.ok('get_oncalls', {
      current_user_context: false,
      escalation_policy_ids: [id.policy],
      ...window,
    });
    expect(
      all.oncalls.map((o: any) => [
        o.escalation_level,
        o.user.summary,
        o.schedule?.summary ?? null,
        // A direct user is on call without bounds: no start or end (answers leave out nulls).
        o.start ?? null,
        o.end ?? null,
      ]),
    ).toEqual([
      [1, 'Ann', 'Payments primary', '2026-10-19T09:00:00+02:00', '2026-10-26T09:00:00+01:00'],
      [1, 'Bob', 'Payments primary', '2026-10-26T09:00:00+01:00', '2026-11-02T09:00:00+01:00'],
      [1, 'Ann', 'Payments primary', '2026-11-02T09:00:00+01:00', '2026-11-09T09:00:00+01:00'],
      [2, 'Dee', null, null, null],
    ]);
    const earliest = await h.ok('get_oncalls', {
      current_user_context: false,
      schedule_ids: [id.primary],
      earliest: true,
      ...window,
    });
    expect(earliest.oncalls.map((o: any) => [o.user.summary, o.start])).toEqual([
      ['Ann', '2026-10-19T09:00:00+02:00'],
      ['Bob', '2026-10-26T09:00:00+01:00'],
    ]);
    // Ann is in the schedule, so the policy pages her: it is in her context.
    const mine = await ann.ok('get_oncalls', window);
    expect(mine.oncalls.length).toBe(4);
    expect((await ann.ok('build_user_context')).user_contexts[0].escalation_policy_ids).toEqual([id.policy]);
    const bobs = await h.ok('get_oncalls', { current_user_context: false, user_ids: [id.Bob], ...window });
    expect(bobs.oncalls.map((o: any) => o.user.summary)).toEqual(['Bob']);
  });

  it('refuses to delete a schedule a policy targets, or a user in a rotation', async ({ skip: s }) => {
    if (skip) s();
    const schedule = await h.call('delete_schedule', { schedule_id: id.primary });
    expect(schedule.body.error).toMatchObject({
      code: 'CONFLICT',
      details: { escalation_policy_ids: [id.policy] },
    });
    expect(schedule.body.error.message).toContain('Payments (');
    const user = await h.call('delete_user', { user_id: id.Bob });
    expect(user.body.error).toMatchObject({ code: 'CONFLICT', details: { schedule_ids: [id.primary] } });
    expect((await h.ok('get_users', { user_id: id.Bob })).users).toHaveLength(1);
  });

  it('replaces layers on update and re-checks restrictions when the time zone changes', async ({
    skip: s,
  }) => {
    if (skip) s();
    const updated = await h.ok('update_schedule', {
      schedule_id: id.primary,
      schedule_layers: [
        {
          name: 'Weekdays',
          start: '2026-11-02T00:00:00Z',
          rotation_virtual_start: '2026-11-02T09:00:00+01:00',
          rotation_turn_length_seconds: 86_400,
          users: [id.Ann, id.Bob],
          restrictions: [1, 2, 3, 4, 5].map((d) => ({
            type: 'weekly_restriction',
            start_day_of_week: d,
            start_time_of_day: '09:00:00',
            duration_seconds: 8 * 3600,
          })),
        },
      ],
    });
    expect(updated.schedules[0].schedule_layers.map((l: { name: string }) => l.name)).toEqual(['Weekdays']);
    const week = await h.ok('get_schedules', {
      schedule_id: id.primary,
      since: '2026-11-06T00:00:00Z',
      until: '2026-11-10T00:00:00Z',
    });
    expect(entries(week.schedules[0].final_schedule.rendered_schedule_entries)).toEqual([
      ['2026-11-06T09:00:00+01:00', '2026-11-06T17:00:00+01:00', 'Ann'],
      ['2026-11-09T09:00:00+01:00', '2026-11-09T17:00:00+01:00', 'Bob'],
    ]);
    const moved = await h.ok('update_schedule', { schedule_id: id.primary, time_zone: 'America/New_York' });
    expect(moved.schedules[0].time_zone).toBe('America/New_York');
  });

  it('refuses bad layers with a clear error naming the field, and writes nothing', async ({ skip: s }) => {
    if (skip) s();
    const layer = { start: '2026-11-02T00:00:00Z', rotation_turn_length_seconds: 86_400, users: [id.Ann] };
    const base = { name: 'Bad', time_zone: 'UTC' };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, schedule_layers: [{ ...layer, rotation_turn_length_seconds: 0 }] }, 'at least 3600'],
      [{ ...base, schedule_layers: [] }, 'schedule_layers needs at least one layer'],
      [{ ...base, schedule_layers: [{ ...layer, users: [] }] }, 'a layer needs at least one user'],
      [{ ...base, time_zone: 'Mars/Olympus' }, "Unknown time zone 'Mars/Olympus'"],
      [
        { ...base, schedule_layers: [{ ...layer, start: 'yesterday' }] },
        'Invalid ISO8601 timestamp value `yesterday`',
      ],
      [
        { ...base, schedule_layers: [{ ...layer, end: '2026-11-01T00:00:00Z' }] },
        "schedule_layers[0].end must be after the layer's start",
      ],
      [
        {
          ...base,
          schedule_layers: [
            {
              ...layer,
              restrictions: [
                { type: 'daily_restriction', start_time_of_day: '09:00:00', duration_seconds: 0 },
              ],
            },
          ],
        },
        'a window of no time never matches',
      ],
      [
        {
          ...base,
          schedule_layers: [
            {
              ...layer,
              restrictions: [{ type: 'daily_restriction', start_time_of_day: '9am', duration_seconds: 60 }],
            },
          ],
        },
        'start_time_of_day must be HH:MM:SS',
      ],
      [
        {
          ...base,
          schedule_layers: [
            {
              ...layer,
              restrictions: [
                { type: 'weekly_restriction', start_time_of_day: '09:00:00', duration_seconds: 60 },
              ],
            },
          ],
        },
        'schedule_layers[0].restrictions[0]: a weekly_restriction needs start_day_of_week',
      ],
      [
        {
          ...base,
          schedule_layers: [
            {
              ...layer,
              restrictions: [
                { type: 'daily_restriction', start_time_of_day: '09:00:00', duration_seconds: 90_000 },
              ],
            },
          ],
        },
        'is longer than a day (86400)',
      ],
      [
        {
          ...base,
          schedule_layers: [
            {
              ...layer,
              end: '2026-11-02T06:00:00Z',
              restrictions: [
                { type: 'daily_restriction', start_time_of_day: '09:00:00', duration_seconds: 3600 },
              ],
            },
          ],
        },
        'schedule_layers[0].restrictions never match between the layer',
      ],
      [{ ...base, schedule_layers: [{ ...layer, users: [id.Ann, 'PNOBODY'] }] }, "No user with id 'PNOBODY'"],
    ];
    for (const [args, message] of cases) {
      const r = await h.call('create_schedule', args);
      expect(r.isError, JSON.stringify(args)).toBe(true);
      expect(r.body.error.message).toContain(message);
    }
    expect((await h.ok('get_schedules', { query: 'bad' })).schedules).toEqual([]);
  });

  it('keeps the seed’s messages for get_schedules, list_users_oncall and get_oncalls', async ({
    skip: s,
  }) => {
    if (skip) s();
    const cases: [string, Record<string, unknown>, string][] = [
      [
        'get_schedules',
        { schedule_id: id.primary, query: 'x' },
        `When \`schedule_id\` is provided, other filters (query, limit) cannot be used. ${SEE}`,
      ],
      ['get_schedules', { since: '2026-11-01T00:00:00Z' }, 'pass them with `schedule_id`'],
      [
        'get_schedules',
        { schedule_id: id.primary, since: '2026-11-02T00:00:00Z', until: '2026-11-01T00:00:00Z' },
        '`since` must be before `until`',
      ],
      [
        'get_schedules',
        { schedule_id: id.primary, since: '2026-01-01T00:00:00Z', until: '2026-11-01T00:00:00Z' },
        'The maximum query range is 6 months. Try narrowing your query range.',
      ],
      ['list_users_oncall', { schedule_id: '' }, 'schedule_id cannot be empty'],
      ['list_users_oncall', { schedule_id: 'PNOPE' }, "No schedule with id 'PNOPE'"],
      [
        'get_oncalls',
        { current_user_context: false },
        `When current_user_context is False, must specify at least one of: schedule_ids, user_ids, or escalation_policy_ids. ${SEE}`,
      ],
      [
        'get_oncalls',
        { user_ids: [id.Ann] },
        `Cannot specify user_ids when current_user_context is True. ${SEE}`,
      ],
      [
        'get_oncalls',
        { escalation_policy_ids: [id.policy] },
        `Cannot specify escalation_policy_ids when current_user_context is True. ${SEE}`,
      ],
    ];
    for (const [tool, args, message] of cases) {
      const r = await ann.call(tool, args);
      expect(r.isError, `${tool} ${JSON.stringify(args)}`).toBe(true);
      expect(r.body.error.message).toContain(message);
    }
  });
});
