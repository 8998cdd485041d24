/**
 * Personal notification rules with a controlled clock, on SQLite and PostgreSQL: email at 0
 * minutes (to a real SMTP server on loopback), SMS at 5, a call at 10; acknowledging at minute 6
 * cancels the call. A user without rules gets every method at once; a low-urgency incident pages
 * through low-urgency rules only, and a high-urgency one pages someone without high-urgency
 * rules on every method; escalation still moves on the policy's delay.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STORES, storeAvailable } from '../../../../test/helpers/stores.js';
import type { Clock } from '../../../core/clock.js';
import type { User } from '../../../core/directory.js';
import { silentLogger } from '../../../core/log.js';
import { createEmbeddedProvider, type EmbeddedProvider } from '../index.js';

const MINUTE = 60_000;

describe.each(STORES)('notification rules on $kind', (store) => {
  let smtp: SMTPServer;
  let receiver: Server;
  let base = '';
  const mails: string[] = [];
  let hooks: string[] = [];
  let t = Date.parse('2026-06-01T08:00:00Z');
  const clock: Clock = { now: () => t };
  let p: EmbeddedProvider;
  let skip = false;
  let ann: User;
  let bob: User;
  let serviceId = '';
  let nobodyRulesService = '';

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      // The sender keeps its connection open: close it at once when the suite ends.
      closeTimeout: 100,
      onData(stream, session, callback) {
        stream.on('data', () => undefined);
        stream.on('end', () => {
          mails.push(...session.envelope.rcptTo.map((r) => r.address));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        hooks.push(req.url ?? '');
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    p = await createEmbeddedProvider({
      ...(await store.open()),
      log: silentLogger(),
      clock,
      smtp: { url: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`, from: 'pager@x.io' },
    });
    const { directory, escalation, notificationRules } = p.ports;
    ann = await directory.createUser({
      name: 'Ann',
      email: 'ann@x.io',
      contact_methods: [
        { type: 'email', address: 'ann@x.io' },
        { type: 'sms', address: '+14155550100' },
        { type: 'phone', address: '+14155550101' },
      ],
    });
    const [email, sms, phone] = ann.contact_methods.map((m) => m.id) as [string, string, string];
    for (const [contact_method_id, start_delay_in_minutes] of [
      [email, 0],
      [sms, 5],
      [phone, 10],
    ] as const) {
      await notificationRules.createRule('assignment', ann.id, {
        contact_method_id,
        start_delay_in_minutes,
        urgency: 'high',
      });
    }
    await notificationRules.createRule('assignment', ann.id, {
      contact_method_id: sms,
      start_delay_in_minutes: 0,
      urgency: 'low',
    });
    bob = await directory.createUser({
      name: 'Bob',
      email: 'bob@x.io',
      contact_methods: [
        { type: 'webhook', address: `${base}/bob-1` },
        { type: 'slack', address: `${base}/bob-2` },
      ],
    });
    const policy = await escalation.createPolicy({
      name: 'Ann then Bob',
      escalation_rules: [
        { escalation_delay_in_minutes: 8, targets: [{ id: ann.id, type: 'user_reference' }] },
        { escalation_delay_in_minutes: 30, targets: [{ id: bob.id, type: 'user_reference' }] },
      ],
    });
    serviceId = (await directory.createService({ name: 'Payments', escalation_policy_id: policy.id })).id;
    const bobFirst = await escalation.createPolicy({
      name: 'Bob',
      escalation_rules: [
        { escalation_delay_in_minutes: 30, targets: [{ id: bob.id, type: 'user_reference' }] },
      ],
    });
    nobodyRulesService = (
      await directory.createService({ name: 'Ledger', escalation_policy_id: bobFirst.id })
    ).id;
  });
  afterAll(async () => {
    await p?.close();
    receiver?.close();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  });
  beforeEach(() => {
    mails.length = 0;
    hooks = [];
  });

  /** Ann's deliveries for an incident: kind → [status, attempts]. */
  const annDeliveries = async (incidentId: string) => {
    const rows = await p.db
      .selectFrom('deliveries')
      .select(['kind', 'status', 'attempts', 'next_attempt_at', 'created_at'])
      .where('incident_id', '=', incidentId)
      .where('user_id', '=', ann.id)
      .execute();
    return Object.fromEntries(rows.map((r) => [r.kind, [r.status, Number(r.attempts)]]));
  };
  const trigger = (urgency: 'high' | 'low', service = serviceId) =>
    p.ports.incidents.trigger({
      serviceId: service,
      title: `Checkout ${urgency}`,
      urgency,
      by: { type: 'user', id: bob.id },
    });

  it('emails at 0, texts at 5, and never calls when acknowledged at minute 6', async ({ skip: s }) => {
    if (skip) s();
    const { id } = await trigger('high');
    await p.engine.tick();
    expect(mails).toEqual(['ann@x.io']);
    expect(await annDeliveries(id)).toMatchObject({
      email: ['delivered', 1],
      sms: ['pending', 0],
      phone: ['pending', 0],
    });
    t += 4 * MINUTE;
    await p.engine.tick();
    expect((await annDeliveries(id)).sms).toEqual(['pending', 0]);
    t += 1 * MINUTE;
    await p.engine.tick();
    // Attempted at minute 5 (whatever this server's SMS sender made of it), once.
    expect((await annDeliveries(id)).sms?.[1]).toBe(1);
    expect((await annDeliveries(id)).phone).toEqual(['pending', 0]);

    t += 1 * MINUTE;
    await p.ports.incidents.acknowledge(id, { type: 'user', id: ann.id });
    expect((await annDeliveries(id)).phone).toEqual(['cancelled', 0]);
    for (const minutes of [4, 10, 60]) {
      t += minutes * MINUTE;
      await p.engine.tick();
    }
    expect((await annDeliveries(id)).phone).toEqual(['cancelled', 0]);
    expect(mails).toEqual(['ann@x.io']);
    // Escalation stopped too: Bob was never paged.
    expect(hooks).toEqual([]);
    const story = (await p.ports.incidents.timeline(id, 100, 0)).items.map((e) => e.summary);
    expect(story.slice(-2)).toEqual([
      'Acknowledged',
      'Notification by phone to Ann (due 2026-06-01T08:10:00.000Z) cancelled: the incident was acknowledged first',
    ]);
  });

  it('pages a user without rules on every contact method at once', async ({ skip: s }) => {
    if (skip) s();
    await trigger('high', nobodyRulesService);
    await p.engine.tick();
    expect(hooks.sort()).toEqual(['/bob-1', '/bob-2']);
  });

  it('pages a low-urgency incident through low-urgency rules only', async ({ skip: s }) => {
    if (skip) s();
    const { id } = await trigger('low');
    await p.engine.tick();
    // Past every high-urgency rule's delay: still only the low-urgency SMS.
    t += 10 * MINUTE;
    await p.engine.tick();
    const rows = await p.db
      .selectFrom('deliveries')
      .select(['kind', 'attempts'])
      .where('incident_id', '=', id)
      .where('user_id', '=', ann.id)
      .execute();
    expect(rows).toEqual([{ kind: 'sms', attempts: 1 }]);
    expect(mails).toEqual([]);
    await p.ports.incidents.resolve(id, { type: 'user', id: ann.id });
  });

  it("opens a low-urgency service's incidents at low urgency, paging through low rules only", async ({
    skip: s,
  }) => {
    if (skip) s();
    const { directory, escalation, incidents } = p.ports;
    const policy = await escalation.createPolicy({
      name: 'Ann for reports',
      escalation_rules: [
        { escalation_delay_in_minutes: 30, targets: [{ id: ann.id, type: 'user_reference' }] },
      ],
    });
    const reports = await directory.createService({
      name: 'Reports',
      escalation_policy_id: policy.id,
      incident_urgency_rule: { type: 'constant', urgency: 'low' },
    });
    expect(reports.incident_urgency_rule).toEqual({ type: 'constant', urgency: 'low' });
    // An Events API event at critical severity (high by severity) and an alert-like trigger alike.
    await p.ingest({
      routing_key: reports.integration_key as string,
      event_action: 'trigger',
      dedup_key: 'nightly',
      payload: { summary: 'Nightly report failed', source: 'cron', severity: 'critical' },
      links: [],
      images: [],
    });
    const fromEvent = (await incidents.findOpen(reports.id, 'nightly'))!;
    const derived = await incidents.trigger({
      serviceId: reports.id,
      title: 'Derived',
      urgency: 'high',
      by: { type: 'service', id: reports.id },
    });
    // Asked for explicitly (trigger_incident's urgency), high wins over the rule.
    const asked = await incidents.trigger({
      serviceId: reports.id,
      title: 'Asked',
      urgency: 'high',
      urgencyGiven: true,
      by: { type: 'user', id: bob.id },
    });
    expect(fromEvent.urgency).toBe('low');
    expect((await incidents.get(derived.id))?.urgency).toBe('low');
    expect((await incidents.get(asked.id))?.urgency).toBe('high');
    await p.engine.tick();
    expect(Object.keys(await annDeliveries(fromEvent.id))).toEqual(['sms']);
    expect(Object.keys(await annDeliveries(asked.id)).sort()).toEqual(['email', 'phone', 'sms']);
    // Removing the rule: triggers say again.
    const plain = await directory.updateService(reports.id, { incident_urgency_rule: null });
    expect(plain.incident_urgency_rule).toBeUndefined();
    const again = await incidents.trigger({
      serviceId: reports.id,
      title: 'Again',
      urgency: 'high',
      by: { type: 'service', id: reports.id },
    });
    expect((await incidents.get(again.id))?.urgency).toBe('high');
    for (const id of [fromEvent.id, derived.id, asked.id, again.id])
      await incidents.resolve(id, { type: 'user', id: ann.id });
    await directory.deleteService(reports.id);
  });

  it("escalates on the policy's delay, cancelling the rules still waiting at the level before", async ({
    skip: s,
  }) => {
    if (skip) s();
    const { id } = await trigger('high');
    const callDue = new Date(t + 10 * MINUTE).toISOString();
    await p.engine.tick();
    t += 8 * MINUTE;
    await p.engine.tick();
    // Level 2 (Bob, no rules) at minute 8; Ann's SMS went at 5, her call (due at 10) is cancelled.
    expect(hooks.sort()).toEqual(['/bob-1', '/bob-2']);
    expect(await annDeliveries(id)).toMatchObject({ email: ['delivered', 1], phone: ['cancelled', 0] });
    expect((await annDeliveries(id)).sms?.[1]).toBe(1);
    const story = (await p.ports.incidents.timeline(id, 100, 0)).items.map((e) => e.summary);
    expect(story).toContain(
      `Notification by phone to Ann (due ${callDue}) cancelled: the incident was escalated first`,
    );
    await p.ports.incidents.resolve(id, { type: 'user', id: bob.id });
  });

  it('pages a user with low-urgency rules only on every method for a high-urgency incident', async ({
    skip: s,
  }) => {
    if (skip) s();
    const [hook] = bob.contact_methods;
    const rule = await p.ports.notificationRules.createRule('assignment', bob.id, {
      contact_method_id: hook?.id as string,
      start_delay_in_minutes: 0,
      urgency: 'low',
    });
    const high = await trigger('high', nobodyRulesService);
    await p.engine.tick();
    expect(hooks.sort()).toEqual(['/bob-1', '/bob-2']);
    hooks = [];
    const low = await trigger('low', nobodyRulesService);
    await p.engine.tick();
    expect(hooks).toEqual(['/bob-1']);
    for (const { id } of [high, low]) await p.ports.incidents.resolve(id, { type: 'user', id: bob.id });
    await p.ports.notificationRules.deleteRule('assignment', bob.id, rule.id);
  });
});
