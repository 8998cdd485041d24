/**
 * Escalation policies through a real MCP client on SQLite and PostgreSQL: PagerDuty's shape,
 * the seed's get_escalation_policies rules and messages, and writes that refuse bad targets
 * without writing anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, openHarness } from '../../test/helpers/harness.js';
import { STORES, storeAvailable } from '../../test/helpers/stores.js';

const SEE = 'See `docs://tools` for more information.';

describe.each(STORES)('escalation policy tools on $kind', (store) => {
  let h: Harness;
  let ann: Harness;
  const id: Record<string, string> = {};
  let skip = false;

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    h = await openHarness({ store: await store.open() });
    id.ann = (await h.ok('create_user', { name: 'Ann', email: 'ann@x.io' })).users[0].id;
    id.bob = (await h.ok('create_user', { name: 'Bob', email: 'bob@x.io' })).users[0].id;
    id.team = (await h.ok('create_team', { name: 'Payments', member_ids: [id.ann, id.bob] })).teams[0].id;
    ann = await h.as({ userEmail: 'ann@x.io' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates a policy in PagerDuty’s shape and finds it by the current user', async ({ skip: s }) => {
    if (skip) s();
    const created = await h.ok('create_escalation_policy', {
      name: 'Payments primary',
      num_loops: 2,
      team_ids: [id.team],
      escalation_rules: [
        { escalation_delay_in_minutes: 15, targets: [{ id: id.ann, type: 'user_reference' }] },
        { escalation_delay_in_minutes: 30, targets: [{ id: id.bob, type: 'user_reference' }] },
      ],
    });
    const policy = created.escalation_policies[0];
    expect(policy).toMatchObject({
      type: 'escalation_policy',
      name: 'Payments primary',
      num_loops: 2,
      teams: [{ id: id.team, summary: 'Payments' }],
      escalation_rules: [
        {
          escalation_delay_in_minutes: 15,
          targets: [{ id: id.ann, type: 'user_reference', summary: 'Ann' }],
        },
        {
          escalation_delay_in_minutes: 30,
          targets: [{ id: id.bob, type: 'user_reference', summary: 'Bob' }],
        },
      ],
    });
    id.policy = policy.id;
    await h.ok('create_escalation_policy', {
      name: 'Bob only',
      escalation_rules: [
        { escalation_delay_in_minutes: 5, targets: [{ id: id.bob, type: 'user_reference' }] },
      ],
    });
    const mine = await ann.ok('get_escalation_policies');
    expect(mine.escalation_policies.map((p: { name: string }) => p.name)).toEqual(['Payments primary']);
    const bobs = await h.ok('get_escalation_policies', { current_user_context: false, user_ids: [id.bob] });
    expect(bobs.escalation_policies.map((p: { name: string }) => p.name)).toEqual([
      'Bob only',
      'Payments primary',
    ]);
    expect((await ann.ok('build_user_context')).user_contexts[0].escalation_policy_ids).toEqual([id.policy]);
  });

  it('keeps the seed’s validation messages', async ({ skip: s }) => {
    if (skip) s();
    const cases: [Record<string, unknown>, string][] = [
      [
        { policy_id: 'PX', query: 'a' },
        `When \`policy_id\` is provided, other filters (like query, user_ids, team_ids, limit) cannot be used. ${SEE}`,
      ],
      [
        { team_ids: [id.team] },
        `Cannot specify user_ids or team_ids when current_user_context is True. ${SEE}`,
      ],
      [
        { current_user_context: false, query: 'pay' },
        `Must specify at least user_ids or team_ids when current_user_context is False. ${SEE}`,
      ],
    ];
    for (const [args, message] of cases) {
      expect((await ann.call('get_escalation_policies', args)).body.error).toMatchObject({
        code: 'VALIDATION_ERROR',
        message,
      });
    }
  });

  it('refuses unknown targets, duplicate names and deleting a policy in use, writing nothing', async ({
    skip: s,
  }) => {
    if (skip) s();
    const ghost = await h.call('create_escalation_policy', {
      name: 'Ghost',
      escalation_rules: [
        { escalation_delay_in_minutes: 5, targets: [{ id: 'PGHOST', type: 'user_reference' }] },
      ],
    });
    expect(ghost.body.error).toMatchObject({
      code: 'NOT_FOUND',
      details: { parameter: 'escalation_rules[0].targets', id: 'PGHOST' },
    });
    expect(
      (
        await h.call('create_escalation_policy', {
          name: 'payments PRIMARY',
          escalation_rules: [
            { escalation_delay_in_minutes: 5, targets: [{ id: id.ann, type: 'user_reference' }] },
          ],
        })
      ).body.error.code,
    ).toBe('CONFLICT');
    expect(
      (await h.call('create_escalation_policy', { name: 'Empty', escalation_rules: [] })).body.error,
    ).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { parameter: 'escalation_rules' },
    });
    const bad = await h.call('update_escalation_policy', {
      policy_id: id.policy,
      name: 'Renamed',
      escalation_rules: [
        { escalation_delay_in_minutes: 5, targets: [{ id: 'PGHOST', type: 'user_reference' }] },
      ],
    });
    expect(bad.body.error.code).toBe('NOT_FOUND');
    const unchanged = (await h.ok('get_escalation_policies', { policy_id: id.policy }))
      .escalation_policies[0];
    expect(unchanged.name).toBe('Payments primary');
    expect(unchanged.escalation_rules).toHaveLength(2);
    const service = (await h.ok('create_service', { name: 'Checkout', escalation_policy_id: id.policy }))
      .services[0];
    const inUse = await h.call('delete_escalation_policy', { policy_id: id.policy });
    expect(inUse.body.error).toMatchObject({
      code: 'CONFLICT',
      details: { parameter: 'policy_id', service_ids: [service.id] },
    });
    expect(
      (await h.ok('get_escalation_policies', { policy_id: id.policy })).escalation_policies[0].services,
    ).toEqual([{ id: service.id, summary: 'Checkout' }]);
  });

  it('pages level 1 of the service’s policy when an incident opens', async ({ skip: s }) => {
    if (skip) s();
    const svc = (
      await h.ok('create_service', { name: 'Ledger', escalation_policy_id: id.policy, team_ids: [id.team] })
    ).services[0];
    const incident = (await ann.ok('trigger_incident', { service_id: svc.id, title: 'Ledger down' }))
      .incidents[0];
    expect(incident.escalation_policy).toEqual({ id: id.policy, summary: 'Payments primary' });
    expect(incident.assignments.map((a: { assignee: { id: string } }) => a.assignee.id)).toEqual([id.ann]);
  });

  it('answers "what is wrong and who is on call" in one call', async ({ skip: s }) => {
    if (skip) s();
    const body = await ann.ok('get_status_overview');
    const [overview] = body.overviews;
    expect(overview.open_incidents).toEqual({ total: 1, triggered: 1, acknowledged: 0, high: 1, low: 0 });
    expect(overview.services).toEqual([
      expect.objectContaining({
        summary: 'Ledger',
        open_incidents: 1,
        highest_urgency: 'high',
        escalation_policy: { id: id.policy, summary: 'Payments primary' },
        on_call_now: [{ id: id.ann, summary: 'Ann', escalation_level: 1 }],
      }),
    ]);
    expect(body.metadata.description).toBe('1 open incident(s) on 1 service(s)');
    const all = await h.ok('get_status_overview', { current_user_context: false });
    expect(all.overviews[0].open_incidents.total).toBe(1);
    expect((await ann.call('get_status_overview', { team_ids: [id.team] })).body.error.code).toBe(
      'VALIDATION_ERROR',
    );
  });

  it('updates rules as a whole and deletes an unused policy', async ({ skip: s }) => {
    if (skip) s();
    const bobOnly = (
      await h.ok('get_escalation_policies', { current_user_context: false, user_ids: [id.bob], query: 'bob' })
    ).escalation_policies[0];
    const updated = await h.ok('update_escalation_policy', {
      policy_id: bobOnly.id,
      escalation_rules: [
        {
          escalation_delay_in_minutes: 10,
          targets: [
            { id: id.ann, type: 'user_reference' },
            { id: id.bob, type: 'user_reference' },
          ],
        },
      ],
    });
    expect(updated.escalation_policies[0].escalation_rules).toEqual([
      expect.objectContaining({
        escalation_delay_in_minutes: 10,
        targets: [expect.objectContaining({ id: id.ann }), expect.objectContaining({ id: id.bob })],
      }),
    ]);
    expect(
      (await h.ok('delete_escalation_policy', { policy_id: bobOnly.id })).escalation_policies[0].id,
    ).toBe(bobOnly.id);
    expect((await h.call('get_escalation_policies', { policy_id: bobOnly.id })).body.error.code).toBe(
      'NOT_FOUND',
    );
  });
});
