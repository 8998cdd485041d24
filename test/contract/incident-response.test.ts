/**
 * One set of cases for the incident-response tools, run against every provider that serves
 * them: the embedded engine on SQLite, and PagerDuty (the loopback fake, every request checked
 * against PagerDuty's OpenAPI description). Both worlds hold the same people, teams, services,
 * policy, schedule and incidents; the cases see only tool answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedWorld, pagerDutyWorld, type World } from './worlds.js';

const SEE = 'See `docs://tools` for more information.';

describe.each([
  { name: 'embedded', open: embeddedWorld },
  { name: 'pagerduty', open: pagerDutyWorld },
])('incident-response tools on $name', ({ open }) => {
  let w: World;
  beforeAll(async () => {
    w = await open();
  });
  afterAll(async () => {
    await w?.close();
  });

  const ids = (list: { id: string }[]) => list.map((x) => x.id).sort();

  it("build_user_context: the current user's teams, services and policies", async () => {
    const body = await w.ok('build_user_context');
    expect(body.user_contexts).toEqual([
      {
        user_id: w.id.ann,
        name: 'Ann',
        email: 'ann@acme.test',
        team_ids: [w.id.ops],
        service_ids: [w.id.api],
        escalation_policy_ids: [w.id.opsPolicy],
      },
    ]);
  });

  it("get_users: the current user's teams by default, a search across teams, one by id", async () => {
    expect(ids((await w.ok('get_users')).users)).toEqual([w.id.ann, w.id.bob].sort());
    const cat = await w.ok('get_users', { current_user_context: false, team_ids: [w.id.web], query: 'cat' });
    expect(cat.users.map((u: { name: string }) => u.name)).toEqual(['Cat']);
    const bob = await w.ok('get_users', { user_id: w.id.bob });
    expect(bob.users[0]).toMatchObject({ id: w.id.bob, name: 'Bob', email: 'bob@acme.test' });
    expect(bob.users[0].teams.map((t: { id: string }) => t.id)).toEqual([w.id.ops]);
  });

  it('get_users: the seed messages for conflicting filters', async () => {
    const both = await w.call('get_users', { team_ids: [w.id.ops] });
    expect(both.isError).toBe(true);
    expect(both.body.error.message).toBe(`Cannot specify team_ids when current_user_context is True. ${SEE}`);
    const neither = await w.call('get_users', { current_user_context: false });
    expect(neither.body.error.message).toBe(
      `Must specify at least team_ids when current_user_context is False. ${SEE}`,
    );
  });

  it('get_teams and get_services', async () => {
    expect((await w.ok('get_teams')).teams.map((t: { name: string }) => t.name).sort()).toEqual([
      'Ops',
      'Web',
    ]);
    expect((await w.ok('get_teams', { team_id: w.id.ops })).teams[0]).toMatchObject({
      id: w.id.ops,
      name: 'Ops',
    });
    expect(ids((await w.ok('get_services')).services)).toEqual([w.id.api]);
    const shop = await w.ok('get_services', { current_user_context: false, team_ids: [w.id.web] });
    expect(shop.services.map((s: { name: string }) => s.name)).toEqual(['Shop']);
  });

  it("get_escalation_policies: the current user's, and one by id with its rules", async () => {
    expect(ids((await w.ok('get_escalation_policies')).escalation_policies)).toEqual([w.id.opsPolicy]);
    const one = await w.ok('get_escalation_policies', { policy_id: w.id.webPolicy });
    expect(one.escalation_policies[0]).toMatchObject({ id: w.id.webPolicy, name: 'Web policy' });
    expect(one.escalation_policies[0].escalation_rules[0].targets[0]).toMatchObject({
      id: w.id.cat,
      type: 'user_reference',
    });
  });

  it("get_incidents: the current user's services, with the seed's metadata", async () => {
    const mine = await w.ok('get_incidents');
    expect(mine.incidents.map((i: { title: string }) => i.title)).toEqual(['Disk full']);
    expect(mine.metadata.status_counts).toEqual({ triggered: 1, acknowledged: 0, resolved: 0 });
    const shop = await w.ok('get_incidents', {
      current_user_context: false,
      service_ids: [w.id.shop],
      statuses: ['triggered'],
    });
    expect(shop.incidents[0]).toMatchObject({ title: 'Checkout slow', urgency: 'low', status: 'triggered' });
    expect(shop.incidents[0].service).toMatchObject({ id: w.id.shop });
  });

  it('get_incidents: bad input gets the seed messages, an unknown id NOT_FOUND', async () => {
    const mixed = await w.call('get_incidents', { incident_id: w.id.disk, statuses: ['resolved'] });
    expect(mixed.body.error.message).toBe(
      `When \`incident_id\` is provided, other filters (like service_ids, team_ids, statuses, etc.) cannot be used. ${SEE}`,
    );
    const bad = await w.call('get_incidents', { statuses: ['bogus'] });
    expect(bad.body.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      message:
        "Invalid status values: ['bogus']. Valid values are: ['triggered', 'acknowledged', 'resolved']",
    });
    const unknown = await w.call('get_incidents', { incident_id: 'NOPE404' });
    expect(unknown.body.error.code).toBe('NOT_FOUND');
  });

  it('acknowledge, note and resolve an incident as the current user', async () => {
    const ack = await w.ok('acknowledge_incident', { incident_id: w.id.disk });
    expect(ack.incidents[0].status).toBe('acknowledged');
    expect(
      ack.incidents[0].acknowledgements.map((a: { acknowledger: { id: string } }) => a.acknowledger.id),
    ).toContain(w.id.ann);
    const note = await w.ok('add_incident_note', { incident_id: w.id.disk, content: "I'm on it" });
    expect(note.notes[0]).toMatchObject({ content: "I'm on it", user: { id: w.id.ann } });
    const withNotes = await w.ok('get_incidents', { incident_id: w.id.disk, include_notes: true });
    expect(withNotes.incidents[0].notes.map((n: { content: string }) => n.content)).toContain("I'm on it");
    expect(withNotes.metadata.notes_count).toBeGreaterThanOrEqual(1);
    const resolved = await w.ok('resolve_incident', { incident_id: w.id.disk });
    expect(resolved.incidents[0]).toMatchObject({ status: 'resolved' });
    expect(resolved.incidents[0].resolved_at).toEqual(expect.any(String));
    const empty = await w.call('add_incident_note', { incident_id: w.id.disk, content: '   ' });
    expect(empty.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('trigger_incident opens one incident and joins a second trigger with the same key', async () => {
    const first = await w.ok('trigger_incident', {
      service_id: w.id.api,
      title: 'Queue stuck',
      incident_key: 'q-1',
    });
    const again = await w.ok('trigger_incident', {
      service_id: w.id.api,
      title: 'Queue stuck',
      incident_key: 'q-1',
    });
    expect(again.incidents[0].id).toBe(first.incidents[0].id);
    expect(again.metadata.description).toMatch(/Joined open incident/);
  });

  it('on call: get_oncalls and list_users_oncall for the schedule', async () => {
    const oncalls = await w.ok('get_oncalls', { current_user_context: false, schedule_ids: [w.id.schedule] });
    expect(oncalls.oncalls[0]).toMatchObject({
      user: { id: w.id.ann },
      schedule: { id: w.id.schedule },
      escalation_policy: { id: w.id.opsPolicy },
      escalation_level: 1,
    });
    const users = await w.ok('list_users_oncall', { schedule_id: w.id.schedule });
    expect(users.users.map((u: { id: string; name: string }) => [u.id, u.name])).toEqual([[w.id.ann, 'Ann']]);
  });

  it('get_schedules: one schedule with its final schedule for a window', async () => {
    const since = new Date(Date.now() - 3600_000).toISOString();
    const until = new Date(Date.now() + 3600_000).toISOString();
    const found = await w.ok('get_schedules', { query: 'Ops' });
    expect(found.schedules.map((s: { id: string }) => s.id)).toEqual([w.id.schedule]);
    const mine = await w.ok('get_oncalls');
    expect(mine.oncalls.map((o: { escalation_policy: { id: string } }) => o.escalation_policy.id)).toContain(
      w.id.opsPolicy,
    );
    const one = await w.ok('get_schedules', { schedule_id: w.id.schedule, since, until });
    expect(one.schedules[0]).toMatchObject({ id: w.id.schedule, name: 'Ops primary' });
    const entries = one.schedules[0].final_schedule.rendered_schedule_entries;
    expect(entries.map((e: { user: { id: string } }) => e.user.id)).toContain(w.id.ann);
  });

  it('get_status_overview: open incidents of my teams and who their service pages first', async () => {
    const [overview] = (await w.ok('get_status_overview')).overviews;
    expect(overview.open_incidents.total).toBeGreaterThanOrEqual(1);
    const api = overview.services.find((s: { id: string }) => s.id === w.id.api);
    expect(api).toMatchObject({ escalation_policy: { id: w.id.opsPolicy } });
    expect(api.on_call_now.map((o: { id: string }) => o.id)).toContain(w.id.ann);
    expect(overview.services.map((s: { id: string }) => s.id)).not.toContain(w.id.shop);
  });

  it('get_incident_timeline: what happened, oldest first, with who did it', async () => {
    const { log_entries: entries } = await w.ok('get_incident_timeline', { incident_id: w.id.disk });
    const types = entries.map((e: { type: string }) => e.type);
    expect(types[0]).toBe('trigger_log_entry');
    expect(types).toEqual(expect.arrayContaining(['acknowledge_log_entry', 'resolve_log_entry']));
    const times = entries.map((e: { created_at: string }) => Date.parse(e.created_at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const ack = entries.find((e: { type: string }) => e.type === 'acknowledge_log_entry');
    expect(ack.agent).toMatchObject({ id: w.id.ann, type: 'user_reference' });
  });

  it('reassign, escalate and snooze an incident', async () => {
    const reassigned = await w.ok('reassign_incident', { incident_id: w.id.slow, user_ids: [w.id.bob] });
    expect(
      reassigned.incidents[0].assignments.map((a: { assignee: { id: string } }) => a.assignee.id),
    ).toEqual([w.id.bob]);
    const escalated = await w.ok('escalate_incident', { incident_id: w.id.slow, escalation_level: 1 });
    expect(escalated.incidents[0]).toMatchObject({ id: w.id.slow, status: 'triggered' });
    await w.ok('acknowledge_incident', { incident_id: w.id.slow });
    const snoozed = await w.ok('snooze_incident', { incident_id: w.id.slow, duration: 3600 });
    expect(snoozed.incidents[0]).toMatchObject({ id: w.id.slow, status: 'acknowledged' });
    const tooLong = await w.call('snooze_incident', { incident_id: w.id.slow, duration: 10_000_000 });
    expect(tooLong.body.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { parameter: 'duration' },
    });
  });

  it('schedule overrides: Bob covers the next hour, then the override is removed', async () => {
    const start = new Date(Date.now() + 3600_000).toISOString();
    const end = new Date(Date.now() + 7200_000).toISOString();
    const made = await w.ok('create_schedule_override', {
      schedule_id: w.id.schedule,
      user_id: w.id.bob,
      start,
      end,
    });
    const override = Object.values(made).find(Array.isArray)?.[0] as { id: string; user: { id: string } };
    expect(override.user.id).toBe(w.id.bob);
    const during = {
      since: new Date(Date.now() + 4000_000).toISOString(),
      until: new Date(Date.now() + 5000_000).toISOString(),
    };
    const covering = await w.ok('list_users_oncall', { schedule_id: w.id.schedule, ...during });
    expect(covering.users.map((u: { id: string }) => u.id)).toEqual([w.id.bob]);
    await w.ok('delete_schedule_override', { schedule_id: w.id.schedule, override_id: override.id });
    const after = await w.ok('list_users_oncall', { schedule_id: w.id.schedule, ...during });
    expect(after.users.map((u: { id: string }) => u.id)).toEqual([w.id.ann]);
  });
});
