/**
 * On-call handoff notices with a controlled clock, on SQLite and PostgreSQL: "You are on call
 * for Payments from 09:00" at the shift start in the user's time zone (or `notify_advance` before),
 * the off-call notice at its end, each exactly once — also with two engine processes sweeping the
 * same store at the same instant. On the night clocks go back, a wall time read twice says which.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STORES, storeAvailable } from '../../../../test/helpers/stores.js';
import type { Clock } from '../../../core/clock.js';
import { silentLogger } from '../../../core/log.js';
import { createEmbeddedProvider, type EmbeddedProvider } from '../index.js';

describe.each(STORES)('on-call handoff notices on $kind', (store) => {
  let receiver: Server;
  let base = '';
  let received: { path: string; body: Record<string, any> }[] = [];
  // 08:00 in Paris (CEST, UTC+2); the first shift starts at 09:00 there.
  let t = Date.parse('2026-06-01T06:00:00Z');
  const clock: Clock = { now: () => t };
  let opts: { dataDir: string; databaseUrl?: string };
  let p: EmbeddedProvider;
  let other: EmbeddedProvider | undefined;
  let skip = false;
  let scheduleId = '';

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: JSON.parse(body) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    opts = await store.open();
    p = await createEmbeddedProvider({ ...opts, log: silentLogger(), clock });
    const { schedules, escalation, notificationRules } = p.ports;
    const cy = await user('Cy');
    const dee = await user('Dee');
    const schedule = await schedules.createSchedule({
      name: 'Payments',
      time_zone: 'Europe/Paris',
      schedule_layers: [
        {
          start: '2026-06-01T09:00:00+02:00',
          rotation_turn_length_seconds: 8 * 3600,
          users: [cy.id, dee.id],
        },
      ],
    });
    scheduleId = schedule.id;
    await escalation.createPolicy({
      name: 'Payments primary',
      escalation_rules: [
        { escalation_delay_in_minutes: 30, targets: [{ id: schedule.id, type: 'schedule_reference' }] },
      ],
    });
    await notificationRules.createRule('handoff', cy.id, {
      contact_method_id: cy.contact_methods[0]?.id as string,
      notify_advance_in_minutes: 0,
      handoff_type: 'both',
    });
    await notificationRules.createRule('handoff', dee.id, {
      contact_method_id: dee.contact_methods[0]?.id as string,
      notify_advance_in_minutes: 30,
      handoff_type: 'oncall',
    });
  });
  afterAll(async () => {
    await other?.close();
    await p?.close();
    receiver?.close();
  });
  beforeEach(() => {
    received = [];
  });

  /** A user in Paris paged by a webhook to `/<name>` on the receiver. */
  const user = (name: string) =>
    p.ports.directory.createUser({
      name,
      email: `${name.toLowerCase()}@x.io`,
      time_zone: 'Europe/Paris',
      contact_methods: [{ type: 'webhook', address: `${base}/${name.toLowerCase()}` }],
    });

  /**
   * Moves the clock to `iso` and runs a pass of each engine (the handoff sweep runs once a minute
   * of the clock): at the same instant on PostgreSQL, where every process works; one after the
   * other on SQLite, where one process at a time does.
   */
  const at = async (iso: string, engines = [p]) => {
    t = Date.parse(iso);
    if (store.kind === 'postgres') await Promise.all(engines.map((e) => e.engine.tick()));
    else for (const e of engines) await e.engine.tick();
  };

  it('tells Cy at 09:00 Paris time that her shift started, once', async ({ skip: s }) => {
    if (skip) s();
    await at('2026-06-01T06:00:00Z');
    await at('2026-06-01T06:59:00Z');
    expect(received).toEqual([]);
    await at('2026-06-01T07:00:00Z');
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      path: '/cy',
      body: {
        event: 'oncall.handoff',
        edge: 'oncall',
        schedule: { id: scheduleId, name: 'Payments' },
        escalation_policies: [{ name: 'Payments primary' }],
        at: '2026-06-01T07:00:00.000Z',
        until: '2026-06-01T15:00:00.000Z',
        text: 'You are on call for Payments from 09:00 on 2026-06-01 (Europe/Paris) until 17:00 on 2026-06-01 (Europe/Paris).',
      },
    });
    for (const time of ['07:01', '07:05', '07:14']) await at(`2026-06-01T${time}:00Z`);
    expect(received).toHaveLength(1);
  });

  it('tells Dee 30 minutes ahead, once, with two engines sweeping the same store', async ({ skip: s }) => {
    if (skip) s();
    other = await createEmbeddedProvider({ ...opts, log: silentLogger(), clock });
    await at('2026-06-01T14:29:00Z', [p, other]);
    expect(received).toEqual([]);
    await at('2026-06-01T14:30:00Z', [p, other]);
    await at('2026-06-01T14:31:00Z', [p, other]);
    expect(received.map((r) => [r.path, r.body.text])).toEqual([
      [
        '/dee',
        'You are on call for Payments from 17:00 on 2026-06-01 (Europe/Paris) until 01:00 on 2026-06-02 (Europe/Paris).',
      ],
    ]);
    const rows = await p.db
      .selectFrom('deliveries')
      .select(['status'])
      .where('event', '=', 'oncall.handoff')
      .execute();
    expect(rows).toEqual([{ status: 'delivered' }, { status: 'delivered' }]);
  });

  it('tells Cy when her shift ends (handoff_type both), and Dee, on call only, nothing when hers does', async ({
    skip: s,
  }) => {
    if (skip) s();
    await at('2026-06-01T15:00:00Z');
    expect(received.map((r) => [r.path, r.body.edge, r.body.text])).toEqual([
      ['/cy', 'offcall', 'Your on-call shift for Payments ends at 17:00 on 2026-06-01 (Europe/Paris).'],
    ]);
    received = [];
    // At 23:00 UTC Dee's shift ends (her rule is for going on call only) and Cy's next one starts.
    await at('2026-06-01T23:00:00Z');
    expect(received.map((r) => [r.path, r.body.edge, r.body.text])).toEqual([
      [
        '/cy',
        'oncall',
        'You are on call for Payments from 01:00 on 2026-06-02 (Europe/Paris) until 09:00 on 2026-06-02 (Europe/Paris).',
      ],
    ]);
  });

  it('says which 02:30 it means on the night clocks go back', async ({ skip: s }) => {
    if (skip) s();
    const { schedules, notificationRules } = p.ports;
    const eve = await user('Eve');
    const fay = await user('Fay');
    const nights = await schedules.createSchedule({
      name: 'Nights',
      time_zone: 'Europe/Paris',
      schedule_layers: [
        { start: '2026-10-20T00:00:00+02:00', rotation_turn_length_seconds: 7 * 86_400, users: [fay.id] },
      ],
    });
    // From the first 02:30 (CEST) to the second (CET), an hour later: Paris reads 02:30 twice.
    await schedules.createOverride(nights.id, {
      start: '2026-10-25T00:30:00Z',
      end: '2026-10-25T01:30:00Z',
      user_id: eve.id,
    });
    await notificationRules.createRule('handoff', eve.id, {
      contact_method_id: eve.contact_methods[0]?.id as string,
      notify_advance_in_minutes: 0,
      handoff_type: 'both',
    });
    const eves = () => received.filter((r) => r.path === '/eve').map((r) => r.body.text);
    await at('2026-10-25T00:30:00Z');
    await at('2026-10-25T01:30:00Z');
    expect(eves()).toEqual([
      'You are on call for Nights from 02:30 (UTC+02:00) on 2026-10-25 (Europe/Paris) until 02:30 (UTC+01:00) on 2026-10-25 (Europe/Paris).',
      'Your on-call shift for Nights ends at 02:30 (UTC+01:00) on 2026-10-25 (Europe/Paris).',
    ]);
  });
});
