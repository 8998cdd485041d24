/**
 * Notification rule tools through a real MCP client on SQLite and PostgreSQL: both kinds in
 * PagerDuty's shape, listed, changed and deleted; bad input (negative delays, unknown or another
 * user's contact methods, unknown users, a field of the other kind) refused naming the field and
 * writing nothing; writes refused in read-only mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, openHarness } from '../../test/helpers/harness.js';
import { STORES, storeAvailable } from '../../test/helpers/stores.js';

describe.each(STORES)('notification rule tools on $kind', (store) => {
  let h: Harness;
  let ann: Harness;
  const id: Record<string, string> = {};
  let skip = false;

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    h = await openHarness({ store: await store.open() });
    const a = (
      await h.ok('create_user', {
        name: 'Ann',
        email: 'ann@x.io',
        contact_methods: [
          { type: 'email', address: 'ann@x.io' },
          { type: 'webhook', address: 'https://hooks.example.com/ann', label: 'Pager app' },
        ],
      })
    ).users[0];
    id.ann = a.id;
    id.annEmail = a.contact_methods[0].id;
    id.annHook = a.contact_methods[1].id;
    const b = (
      await h.ok('create_user', {
        name: 'Bob',
        email: 'bob@x.io',
        contact_methods: [{ type: 'email', address: 'bob@x.io' }],
      })
    ).users[0];
    id.bob = b.id;
    id.bobEmail = b.contact_methods[0].id;
    ann = await h.as({ userEmail: 'ann@x.io' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates, lists, changes and deletes assignment rules in PagerDuty’s shape', async ({ skip: s }) => {
    if (skip) s();
    const first = (
      await h.ok('create_notification_rule', { user_id: id.ann, contact_method_id: id.annEmail })
    ).notification_rules[0];
    expect(first).toEqual({
      id: expect.stringMatching(/^P/),
      type: 'assignment_notification_rule',
      start_delay_in_minutes: 0,
      urgency: 'high',
      contact_method: { id: id.annEmail, type: 'email_contact_method_reference', summary: 'ann@x.io' },
    });
    // The current user by default.
    const later = (
      await ann.ok('create_notification_rule', {
        contact_method_id: id.annHook,
        start_delay_in_minutes: 10,
        urgency: 'low',
      })
    ).notification_rules[0];
    expect(later).toMatchObject({
      start_delay_in_minutes: 10,
      urgency: 'low',
      contact_method: { type: 'webhook_contact_method_reference', summary: 'Pager app' },
    });
    const all = await ann.ok('list_notification_rules');
    expect(all.notification_rules.map((r: { id: string }) => r.id)).toEqual([first.id, later.id]);
    const low = await h.ok('list_notification_rules', { user_id: id.ann, urgency: 'low' });
    expect(low.notification_rules.map((r: { id: string }) => r.id)).toEqual([later.id]);

    const changed = await h.ok('update_notification_rule', {
      user_id: id.ann,
      rule_id: later.id,
      start_delay_in_minutes: 5,
      urgency: 'high',
    });
    expect(changed.notification_rules[0]).toMatchObject({ start_delay_in_minutes: 5, urgency: 'high' });
    const deleted = await h.ok('delete_notification_rule', { user_id: id.ann, rule_id: later.id });
    expect(deleted.notification_rules[0].id).toBe(later.id);
    expect((await ann.ok('list_notification_rules')).notification_rules).toHaveLength(1);
    // get_users lists the rules as references, as PagerDuty's users do.
    const user = (await h.ok('get_users', { user_id: id.ann })).users[0];
    expect(user.notification_rules).toEqual([{ id: first.id, type: 'assignment_notification_rule' }]);
  });

  it('keeps handoff rules apart, with their own fields', async ({ skip: s }) => {
    if (skip) s();
    const rule = (
      await h.ok('create_notification_rule', {
        user_id: id.bob,
        kind: 'handoff',
        contact_method_id: id.bobEmail,
        notify_advance_in_minutes: 60,
        handoff_type: 'oncall',
      })
    ).notification_rules[0];
    expect(rule).toEqual({
      id: expect.stringMatching(/^P/),
      type: 'oncall_handoff_notification_rule',
      notify_advance_in_minutes: 60,
      handoff_type: 'oncall',
      contact_method: { id: id.bobEmail, type: 'email_contact_method_reference', summary: 'bob@x.io' },
    });
    expect((await h.ok('list_notification_rules', { user_id: id.bob })).notification_rules).toEqual([]);
    const handoffs = await h.ok('list_notification_rules', { user_id: id.bob, kind: 'handoff' });
    expect(handoffs.notification_rules).toEqual([rule]);
    const both = await h.ok('update_notification_rule', {
      user_id: id.bob,
      rule_id: rule.id,
      kind: 'handoff',
      handoff_type: 'both',
    });
    expect(both.notification_rules[0]).toMatchObject({ handoff_type: 'both', notify_advance_in_minutes: 60 });
    // An assignment rule's id is not a handoff rule's.
    const wrongKind = await h.call('delete_notification_rule', { user_id: id.bob, rule_id: rule.id });
    expect(wrongKind.body.error).toMatchObject({ code: 'NOT_FOUND', details: { parameter: 'rule_id' } });
    await h.ok('delete_notification_rule', { user_id: id.bob, rule_id: rule.id, kind: 'handoff' });
  });

  it('refuses bad input naming the field, and writes nothing', async ({ skip: s }) => {
    if (skip) s();
    const cases: [string, Record<string, unknown>, string, string | RegExp][] = [
      [
        'create_notification_rule',
        { user_id: id.ann, contact_method_id: id.annEmail, start_delay_in_minutes: -1 },
        'VALIDATION_ERROR',
        /start_delay_in_minutes/,
      ],
      [
        'create_notification_rule',
        { user_id: id.ann, kind: 'handoff', contact_method_id: id.annEmail, notify_advance_in_minutes: -5 },
        'VALIDATION_ERROR',
        /notify_advance_in_minutes/,
      ],
      [
        'create_notification_rule',
        { user_id: id.ann, contact_method_id: 'PNOSUCHMETHOD' },
        'NOT_FOUND',
        'contact_method_id',
      ],
      [
        'create_notification_rule',
        { user_id: id.ann, contact_method_id: id.bobEmail },
        'VALIDATION_ERROR',
        'contact_method_id',
      ],
      [
        'create_notification_rule',
        { user_id: 'PNOSUCHUSER', contact_method_id: id.annEmail },
        'NOT_FOUND',
        'user_id',
      ],
      [
        'create_notification_rule',
        { user_id: id.ann, contact_method_id: id.annEmail, handoff_type: 'both' },
        'VALIDATION_ERROR',
        'handoff_type',
      ],
      [
        'create_notification_rule',
        { user_id: id.ann, kind: 'handoff', contact_method_id: id.annEmail, urgency: 'low' },
        'VALIDATION_ERROR',
        'urgency',
      ],
      [
        'update_notification_rule',
        { user_id: id.ann, rule_id: 'PNOSUCHRULE' },
        'VALIDATION_ERROR',
        'rule_id',
      ],
      [
        'update_notification_rule',
        { user_id: id.ann, rule_id: 'PNOSUCHRULE', urgency: 'low' },
        'NOT_FOUND',
        'rule_id',
      ],
      ['list_notification_rules', { user_id: 'PNOSUCHUSER' }, 'NOT_FOUND', 'user_id'],
    ];
    const before = (await h.ok('list_notification_rules', { user_id: id.ann })).notification_rules;
    for (const [tool, args, code, parameter] of cases) {
      const r = await h.call(tool, args);
      expect(r.isError, `${tool} ${JSON.stringify(args)}`).toBe(true);
      expect(r.body.error.code, JSON.stringify(args)).toBe(code);
      const named = `${r.body.error.details?.parameter ?? ''} ${r.body.error.message}`;
      if (typeof parameter === 'string')
        expect(r.body.error.details?.parameter, JSON.stringify(args)).toBe(parameter);
      else expect(named).toMatch(parameter);
    }
    expect((await h.ok('list_notification_rules', { user_id: id.ann })).notification_rules).toEqual(before);
    expect(
      (await h.ok('list_notification_rules', { user_id: id.ann, kind: 'handoff' })).notification_rules,
    ).toEqual([]);
  });

  it("keeps a user's rules when update_user gives their contact method again, and drops them with it", async ({
    skip: s,
  }) => {
    if (skip) s();
    const rule = (
      await h.ok('create_notification_rule', {
        user_id: id.bob,
        contact_method_id: id.bobEmail,
        start_delay_in_minutes: 3,
      })
    ).notification_rules[0];
    const updated = (
      await h.ok('update_user', {
        user_id: id.bob,
        contact_methods: [
          { type: 'webhook', address: 'https://hooks.example.com/bob' },
          { type: 'email', address: 'bob@x.io', label: 'Work' },
        ],
      })
    ).users[0];
    expect(updated.contact_methods[1]).toMatchObject({ id: id.bobEmail, label: 'Work' });
    const kept = (await h.ok('list_notification_rules', { user_id: id.bob })).notification_rules;
    expect(kept).toEqual([{ ...rule, contact_method: { ...rule.contact_method, summary: 'Work' } }]);
    await h.ok('update_user', {
      user_id: id.bob,
      contact_methods: [{ type: 'webhook', address: 'https://hooks.example.com/bob' }],
    });
    expect((await h.ok('list_notification_rules', { user_id: id.bob })).notification_rules).toEqual([]);
  });

  it('lists but never writes in read-only mode', async ({ skip: s }) => {
    if (skip) s();
    const reader = await h.as({ mode: 'read_only', userEmail: 'ann@x.io' });
    expect((await reader.ok('list_notification_rules')).notification_rules).toHaveLength(1);
    const r = await reader.call('create_notification_rule', { contact_method_id: id.annEmail });
    expect(r.body.error.code).toBe('READ_ONLY');
  });
});
