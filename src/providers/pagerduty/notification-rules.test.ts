/**
 * Notification rule tools on the PagerDuty provider, against the loopback fake of PagerDuty's
 * REST API: every request checked against PagerDuty's OpenAPI description, both kinds of rule
 * listed, created, updated and deleted in PagerDuty's shape, and bad input refused naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakePagerDuty } from '../../../test/helpers/fake-pagerduty.js';
import type { Harness } from '../../../test/helpers/harness.js';
import { openPagerDutyHarness, type PagerDutyHarness } from '../../../test/helpers/pagerduty-harness.js';

const SEED = {
  me: 'PANN001',
  users: [
    { id: 'PANN001', name: 'Ann', email: 'ann@acme.test' },
    { id: 'PBOB001', name: 'Bob', email: 'bob@acme.test' },
  ],
};

describe('notification rules on PagerDuty', () => {
  let fake: FakePagerDuty;
  let h: Harness;
  let pd: PagerDutyHarness | undefined;

  beforeAll(async () => {
    pd = await openPagerDutyHarness(SEED);
    ({ fake, h } = pd);
  });
  afterAll(async () => {
    await pd?.close();
  });

  it('lists, creates, updates and deletes assignment rules through /users/{id}/notification_rules', async () => {
    const listed = await h.ok('list_notification_rules');
    expect(listed.notification_rules).toEqual([
      {
        id: 'PANN001N',
        type: 'assignment_notification_rule',
        start_delay_in_minutes: 0,
        urgency: 'high',
        contact_method: { id: 'PANN001E', type: 'email_contact_method_reference', summary: 'Default' },
      },
    ]);
    const created = (
      await h.ok('create_notification_rule', {
        contact_method_id: 'PANN001E',
        start_delay_in_minutes: 5,
        urgency: 'low',
      })
    ).notification_rules[0];
    expect(created).toMatchObject({ start_delay_in_minutes: 5, urgency: 'low' });
    const post = fake.requests.find(
      (r) => r.method === 'POST' && r.path === '/users/PANN001/notification_rules',
    );
    expect(post?.body).toEqual({
      notification_rule: {
        type: 'assignment_notification_rule',
        start_delay_in_minutes: 5,
        urgency: 'low',
        contact_method: { id: 'PANN001E', type: 'email_contact_method_reference' },
      },
    });
    const low = await h.ok('list_notification_rules', { urgency: 'low' });
    expect(low.notification_rules.map((r: { id: string }) => r.id)).toEqual([created.id]);
    const moved = await h.ok('update_notification_rule', { rule_id: created.id, start_delay_in_minutes: 10 });
    expect(moved.notification_rules[0]).toMatchObject({ start_delay_in_minutes: 10, urgency: 'low' });
    await h.ok('delete_notification_rule', { rule_id: created.id });
    expect((await h.ok('list_notification_rules')).notification_rules).toHaveLength(1);
    fake.assertNoViolations();
  });

  it('manages handoff rules through /users/{id}/oncall_handoff_notification_rules', async () => {
    const rule = (
      await h.ok('create_notification_rule', {
        user_id: 'PBOB001',
        kind: 'handoff',
        contact_method_id: 'PBOB001E',
        notify_advance_in_minutes: 60,
      })
    ).notification_rules[0];
    expect(rule).toEqual({
      id: expect.any(String),
      type: 'oncall_handoff_notification_rule',
      notify_advance_in_minutes: 60,
      handoff_type: 'both',
      contact_method: { id: 'PBOB001E', type: 'email_contact_method_reference', summary: 'Default' },
    });
    const changed = await h.ok('update_notification_rule', {
      user_id: 'PBOB001',
      rule_id: rule.id,
      kind: 'handoff',
      handoff_type: 'offcall',
    });
    expect(changed.notification_rules[0]).toMatchObject({
      handoff_type: 'offcall',
      notify_advance_in_minutes: 60,
    });
    expect(
      (await h.ok('list_notification_rules', { user_id: 'PBOB001', kind: 'handoff' })).notification_rules,
    ).toEqual([changed.notification_rules[0]]);
    await h.ok('delete_notification_rule', { user_id: 'PBOB001', rule_id: rule.id, kind: 'handoff' });
    expect(
      (await h.ok('list_notification_rules', { user_id: 'PBOB001', kind: 'handoff' })).notification_rules,
    ).toEqual([]);
    fake.assertNoViolations();
  });

  it('refuses another user’s contact method, unknown users and rules, naming the field', async () => {
    const cases: [string, Record<string, unknown>, string, string][] = [
      [
        'create_notification_rule',
        { contact_method_id: 'PBOB001E' },
        'VALIDATION_ERROR',
        'contact_method_id',
      ],
      [
        'create_notification_rule',
        { user_id: 'PNOBODY', contact_method_id: 'PBOB001E' },
        'NOT_FOUND',
        'user_id',
      ],
      ['list_notification_rules', { user_id: 'PNOBODY' }, 'NOT_FOUND', 'user_id'],
      ['update_notification_rule', { rule_id: 'PNORULE', urgency: 'low' }, 'NOT_FOUND', 'rule_id'],
      ['delete_notification_rule', { rule_id: 'PNORULE', kind: 'handoff' }, 'NOT_FOUND', 'rule_id'],
    ];
    for (const [tool, args, code, parameter] of cases) {
      const r = await h.call(tool, args);
      expect(r.body.error, JSON.stringify(args)).toMatchObject({ code, details: { parameter } });
    }
    fake.assertNoViolations();
  });
});
