/**
 * Maintenance that silences, end to end on SQLite and PostgreSQL with a controlled clock, a real
 * check target and a real webhook receiver on loopback. During a service's maintenance window an
 * Events API trigger and a failing check open no incident and page nobody (the event's answer
 * says so, both are recorded); after the window a new trigger opens an incident, and the check
 * still failing is heard: its incident opens and its responder and channel are paged. An alert
 * that fires and recovers inside the window stays silent. A status-page maintenance over a
 * component that follows a check silences that check's alerts until it completes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STORES, storeAvailable } from '../../../../test/helpers/stores.js';
import type { Clock } from '../../../core/clock.js';
import type { Service } from '../../../core/directory.js';
import { silentLogger } from '../../../core/log.js';
import { createEmbeddedProvider, type EmbeddedProvider } from '../index.js';

const MIN = 60_000;

describe.each(STORES)('maintenance on $kind', (store) => {
  let target: Server;
  let receiver: Server;
  /** Paths of the target that answer 500. */
  const failing = new Set<string>();
  let base = '';
  let hooks = '';
  let received: { path: string; event: string }[] = [];
  let t = Date.parse('2026-06-01T10:00:00Z');
  const clock: Clock = { now: () => t };
  let p: EmbeddedProvider;
  let service: Service;
  let channelId = '';
  let skip = false;

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    target = createServer((req, res) => res.writeHead(failing.has(req.url ?? '') ? 500 : 200).end());
    receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => {
        raw += c;
      });
      req.on('end', () => {
        const body = JSON.parse(raw);
        // Channels and pages carry `event`; Events API events to PagerDuty, `event_action`.
        received.push({ path: req.url ?? '', event: body.event ?? body.event_action });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    hooks = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    p = await createEmbeddedProvider({
      ...(await store.open()),
      log: silentLogger(),
      clock,
      pagerduty: { eventsUrl: `${hooks}/events` },
    });
    const { directory, escalation, alerts } = p.ports;
    const ann = await directory.createUser({
      name: 'Ann',
      email: 'ann@x.io',
      contact_methods: [{ type: 'webhook', address: `${hooks}/ann` }],
    });
    const policy = await escalation.createPolicy({
      name: 'Payments primary',
      escalation_rules: [
        { escalation_delay_in_minutes: 30, targets: [{ id: ann.id, type: 'user_reference' }] },
      ],
    });
    service = await directory.createService({ name: 'Payments', escalation_policy_id: policy.id });
    channelId = (
      await alerts.createChannel({ name: 'Ops', type: 'webhook', configuration: { url: `${hooks}/channel` } })
    ).id;
  });
  afterAll(async () => {
    await p?.close();
    target?.close();
    receiver?.close();
  });
  beforeEach(() => {
    received = [];
  });

  /** Runs what is due — checks, then the engine with its sweeps — at `ms`. */
  const at = async (ms: number) => {
    t = ms;
    await p.scheduler.runDue();
    await p.engine.tick();
  };
  const trigger = (dedup: string) =>
    p.ingest({
      routing_key: service.integration_key as string,
      event_action: 'trigger',
      dedup_key: dedup,
      payload: { summary: `Card payments failing (${dedup})`, source: 'grafana', severity: 'critical' },
      links: [],
      images: [],
    });
  const openIncidents = async () =>
    (
      await p.ports.incidents.list({
        statuses: ['triggered', 'acknowledged'],
        urgencies: ['high', 'low'],
        serviceIds: [service.id],
        limit: 100,
        offset: 0,
      })
    ).items;
  /** A web check on its own path of the target, and a rule opening incidents on Payments. */
  const checkWithRule = async (name: string, over: { service?: boolean } = {}) => {
    const check = await p.ports.checks.createCheck({
      name,
      type: 'web',
      url: `${base}/${name}`,
      interval: 60,
      failure_threshold: 1,
    });
    const rule = await p.ports.alerts.createRule({
      name: `${name} down`,
      check_id: check.id,
      condition: 'check_failed',
      channel_ids: [channelId],
      severity: 'critical',
      ...(over.service !== false && { service_id: service.id }),
    });
    await at(Date.parse(check.next_run_at as string));
    expect((await p.ports.checks.getCheck(check.id))?.status).toBe('ok');
    return { check, rule };
  };

  it('opens nothing and pages nobody during the window; after it, a trigger and the failing check do', async ({
    skip: s,
  }) => {
    if (skip) s();
    const { check, rule } = await checkWithRule('shop');
    const window = await p.ports.maintenanceWindows.createWindow({
      start_time: new Date(t).toISOString(),
      end_time: new Date(t + 30 * MIN).toISOString(),
      description: 'Payments database upgrade',
      service_ids: [service.id],
    });

    // An Events API trigger: accepted, recorded, and the answer says it was silenced.
    const answer = await trigger('during');
    expect(answer).toEqual({
      status: 202,
      body: {
        status: 'success',
        message: 'Event processed',
        dedup_key: 'during',
        suppressed: {
          reason: `Service Payments is in maintenance until ${window.end_time}: the event was recorded; no incident was opened and nobody was paged.`,
          service: { id: service.id, summary: 'Payments' },
          maintenance_window: {
            type: 'maintenance_window',
            id: window.id,
            summary: 'Payments database upgrade',
            end_time: window.end_time,
          },
        },
      },
    });
    const recorded = await p.db.selectFrom('suppressed_events').selectAll().execute();
    expect(recorded.map((r) => [r.service_id, r.window_id, r.dedup_key, r.summary])).toEqual([
      [service.id, window.id, 'during', 'Card payments failing (during)'],
    ]);

    // The check fails: its alert is recorded with what silenced it, and that is all.
    failing.add('/shop');
    await at(t + MIN);
    await at(t + 10 * MIN);
    expect((await p.ports.checks.getCheck(check.id))?.status).toBe('failed');
    const [alert] = (await p.ports.alerts.listAlerts({ limit: 10, offset: 0 })).items;
    expect(alert).toMatchObject({ rule_id: rule.id, status: 'firing', incident_id: null });
    expect(alert?.alert_metadata).toMatchObject({
      suppressed_by: { type: 'maintenance_window', id: window.id },
    });
    expect(await openIncidents()).toEqual([]);
    expect(received).toEqual([]);
    const queued = await p.db.selectFrom('deliveries').select('event').execute();
    expect(queued).toEqual([]);

    // The window ends (at 10:30): a trigger opens an incident at once and pages Ann.
    await at(Date.parse(window.end_time));
    const after = await trigger('after');
    expect(after.body).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'after' });
    // The check still failing is heard now: its channel, and an incident that pages Ann.
    await at(t + 1000);
    const open = await openIncidents();
    expect(open.map((i) => i.incident_key).sort()).toEqual(['after', `vigil-alert:${rule.id}`]);
    expect(open.find((i) => i.incident_key === `vigil-alert:${rule.id}`)?.title).toBe(alert?.description);
    // Its details say what held it back.
    expect(open.find((i) => i.incident_key === `vigil-alert:${rule.id}`)?.body_details).toMatchObject({
      alert_id: alert?.id,
      silenced_by: { type: 'maintenance_window', id: window.id },
    });
    expect(received.map((r) => `${r.path} ${r.event}`).sort()).toEqual([
      '/ann incident.triggered',
      '/ann incident.triggered',
      '/channel alert_fired',
    ]);
    expect((await p.ports.alerts.getAlert(alert?.id as string))?.incident_id).toBe(
      open.find((i) => i.incident_key === `vigil-alert:${rule.id}`)?.id,
    );
    // The trigger silenced during the window opened nothing afterwards either.
    expect(open.some((i) => i.incident_key === 'during')).toBe(false);

    failing.delete('/shop');
    await at(t + MIN);
    for (const i of await openIncidents())
      await p.ports.incidents.resolve(i.id, { type: 'service', id: service.id });
    await p.ports.alerts.deleteRule(rule.id);
  });

  it('keeps an alert that fires and recovers inside the window silent for good', async ({ skip: s }) => {
    if (skip) s();
    const { rule } = await checkWithRule('blip');
    await p.ports.maintenanceWindows.createWindow({
      start_time: new Date(t).toISOString(),
      end_time: new Date(t + 20 * MIN).toISOString(),
      service_ids: [service.id],
    });
    failing.add('/blip');
    await at(t + MIN);
    failing.delete('/blip');
    await at(t + MIN);
    const alerts = (await p.ports.alerts.listAlerts({ limit: 10, offset: 0 })).items.filter(
      (a) => a.rule_id === rule.id,
    );
    expect(alerts.map((a) => a.status)).toEqual(['resolved']);
    await at(t + 30 * MIN);
    expect(await openIncidents()).toEqual([]);
    expect(received).toEqual([]);
    await p.ports.alerts.deleteRule(rule.id);
  });

  it('silences the alerts of checks a status-page maintenance covers, until it completes', async ({
    skip: s,
  }) => {
    if (skip) s();
    const { check, rule } = await checkWithRule('api', { service: false });
    // A second rule on the check sends PagerDuty Events API events instead.
    const forwarded = await p.ports.alerts.createRule({
      name: 'api to PagerDuty',
      check_id: check.id,
      condition: 'check_failed',
      routing_key: 'R0123456789abcdef0123456789abcde',
    });
    const page = await p.ports.statusPages.createPage({ name: 'Status', subdomain: 'status-mw' });
    const component = await p.ports.statusPages.createComponent(page.id, {
      name: 'API',
      check_ids: [check.id],
    });
    const maintenance = await p.ports.statusPages.createIncident(page.id, {
      name: 'API maintenance',
      status: 'in_progress',
      components: { [component.id]: 'under_maintenance' },
      scheduled_for: new Date(t).toISOString(),
      scheduled_until: new Date(t + 60 * MIN).toISOString(),
    });
    failing.add('/api');
    await at(t + MIN);
    await at(t + MIN);
    const [alert] = (await p.ports.alerts.listAlerts({ limit: 10, offset: 0 })).items.filter(
      (a) => a.rule_id === rule.id,
    );
    expect(alert).toMatchObject({ status: 'firing' });
    expect(
      (await p.ports.alerts.listAlerts({ limit: 10, offset: 0 })).items.filter(
        (a) => a.rule_id === forwarded.id,
      ),
    ).toMatchObject([{ status: 'firing', alert_metadata: { suppressed_by: { id: maintenance.id } } }]);
    expect(alert?.alert_metadata).toMatchObject({
      suppressed_by: { type: 'status_page_maintenance', id: maintenance.id, summary: 'API maintenance' },
    });
    expect(received).toEqual([]);

    // Completed early: the check still failing is heard at the next pass.
    await p.ports.statusPages.updateIncident(page.id, maintenance.id, { status: 'completed' });
    await at(t + 1000);
    expect(received.map((r) => `${r.path} ${r.event}`).sort()).toEqual([
      '/channel alert_fired',
      '/events trigger',
    ]);
    expect((await p.ports.alerts.getAlert(alert?.id as string))?.alert_metadata).not.toHaveProperty(
      'suppressed_by',
    );
  });
});
