/**
 * Alert rules end to end on SQLite and PostgreSQL with a controlled clock: a real HTTP server on
 * loopback flips to 500 and back; the check goes down after its threshold, its rule fires once,
 * a signed webhook reaches a real receiver, one incident opens on the service; on recovery the
 * alert and the incident resolve. Heartbeat rules fire when pings stop.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, storeAvailable } from '../../../../test/helpers/stores.js';
import { verifyWebhook } from '../../../../test/helpers/webhooks.js';
import type { Clock } from '../../../core/clock.js';
import { silentLogger } from '../../../core/log.js';
import { createEmbeddedProvider, type EmbeddedProvider } from '../index.js';

describe.each(STORES)('alerting on $kind', (store) => {
  let target: Server;
  let receiver: Server;
  let failing = false;
  let url = '';
  let hooks = '';
  const received: { headers: IncomingHttpHeaders; body: any; raw: string }[] = [];
  let t = Date.parse('2026-06-01T10:00:00Z');
  const clock: Clock = { now: () => t };
  let p: EmbeddedProvider;
  let skip = false;

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    target = createServer((_req, res) => res.writeHead(failing ? 500 : 200).end());
    receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => {
        raw += c;
      });
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(raw), raw });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/`;
    hooks = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;
    p = await createEmbeddedProvider({ ...(await store.open()), log: silentLogger(), clock });
  });
  afterAll(async () => {
    await p?.close();
    target?.close();
    receiver?.close();
  });

  /** Runs what is due — checks, then the engine — at `at`, and lets alert evaluation settle. */
  const at = async (ms: number) => {
    t = ms;
    await p.scheduler.runDue();
    await new Promise((r) => setTimeout(r, 50));
    await p.engine.tick();
  };

  it('opens one incident when a check goes down and resolves it when it comes back', async ({ skip: s }) => {
    if (skip) s();
    const { checks, alerts, directory, incidents } = p.ports;
    const service = await directory.createService({ name: 'Storefront' });
    const check = await checks.createCheck({
      name: 'Shop',
      type: 'web',
      url,
      interval: 60,
      failure_threshold: 2,
    });
    const hook = await alerts.createChannel({
      name: 'Ops hook',
      type: 'webhook',
      configuration: { url: hooks },
    });
    const secret = hook.configuration.signing_secret as string;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect((await alerts.listChannels(10, 0)).items[0]?.configuration.signing_secret).toBeUndefined();
    const rule = await alerts.createRule({
      name: 'Shop down',
      check_id: check.id,
      condition: 'check_failed',
      channel_ids: [hook.id],
      severity: 'critical',
      service_id: service.id,
    });
    const first = Date.parse(check.next_run_at as string);
    await at(first);
    expect((await checks.getCheck(check.id))?.status).toBe('ok');

    failing = true;
    await at(first + 60_000);
    expect((await alerts.listAlerts({ limit: 10, offset: 0 })).items).toEqual([]);
    await at(first + 120_000);
    await at(first + 180_000); // still down: no second alert
    const [alert] = (await alerts.listAlerts({ limit: 10, offset: 0 })).items;
    expect(alert).toMatchObject({
      rule_id: rule.id,
      status: 'firing',
      severity: 'critical',
      check_id: check.id,
    });
    expect(alert?.description).toBe(
      'Shop is failed: 2 failing run(s) in a row: Status 500, expected 2xx or 3xx',
    );
    const open = await incidents.findOpen(service.id, `vigil-alert:${rule.id}`);
    expect(open).toMatchObject({ status: 'triggered', urgency: 'high', title: alert?.description });
    expect(alert?.incident_id).toBe(open?.id);
    expect(received.map((r) => r.body.event)).toEqual(['alert_fired']);
    const fired = received[0];
    expect(verifyWebhook(secret, fired?.headers ?? {}, fired?.raw as string)).toMatch(/^P/);
    expect(() => verifyWebhook('whsec_d3Jvbmc=', fired?.headers ?? {}, fired?.raw as string)).toThrow();

    failing = false;
    await at(first + 240_000);
    expect((await alerts.getAlert(alert?.id as string))?.status).toBe('resolved');
    expect((await incidents.get(open?.id as string))?.status).toBe('resolved');
    expect(received.map((r) => r.body.event)).toEqual(['alert_fired', 'alert_resolved']);
    expect(await alerts.statistics()).toMatchObject({
      active_alerts: 0,
      recent_alerts: 1,
      total_rules: 1,
      total_channels: 1,
      severity_breakdown: { critical: 1 },
    });
  });

  it('fires a heartbeat rule when pings stop and resolves it on the next ping', async ({ skip: s }) => {
    if (skip) s();
    const { heartbeats, alerts } = p.ports;
    const hb = await heartbeats.createHeartbeat({ name: 'Backup', period_seconds: 3600, grace_seconds: 600 });
    const rule = await alerts.createRule({
      name: 'Backup missing',
      heartbeat_id: hb.id,
      condition: 'heartbeat_down',
    });
    await heartbeats.ping({ id: hb.id }, { kind: 'success' });
    await at(t + 3_600_000); // late: not yet
    expect((await alerts.listAlerts({ status: 'firing', limit: 10, offset: 0 })).items).toEqual([]);
    await at(t + 600_000); // down
    const [alert] = (await alerts.listAlerts({ status: 'firing', limit: 10, offset: 0 })).items;
    expect(alert).toMatchObject({ rule_id: rule.id, heartbeat_id: hb.id });
    await heartbeats.ping({ id: hb.id }, { kind: 'success' });
    await at(t + 1000);
    expect((await alerts.getAlert(alert?.id as string))?.status).toBe('resolved');
  });

  it('works a ping from any process through the outbox, not waiting for a sweep', async ({ skip: s }) => {
    if (skip) s();
    const { heartbeats, alerts } = p.ports;
    const hb = await heartbeats.createHeartbeat({ name: 'Import', period_seconds: 3600 });
    const rule = await alerts.createRule({
      name: 'Import failed',
      heartbeat_id: hb.id,
      condition: 'heartbeat_down',
    });
    const firing = async () =>
      (await alerts.listAlerts({ status: 'firing', limit: 50, offset: 0 })).items.filter(
        (a) => a.rule_id === rule.id,
      );
    await heartbeats.ping({ id: hb.id }, { kind: 'fail', exitCode: 3 });
    // A pass without sweeps sees only the outbox: the failure fires from its fact alone.
    await p.engine.tick({ sweeps: false });
    const [alert] = await firing();
    expect(alert?.description).toMatch(/^Heartbeat Import is down: /);
    await heartbeats.ping({ id: hb.id }, { kind: 'success' });
    await p.engine.tick({ sweeps: false });
    expect(await firing()).toEqual([]);
    expect((await alerts.getAlert(alert?.id as string))?.status).toBe('resolved');
  });

  it('fires on a failure ping, which no clock sees, and on failures in a row', async ({ skip: s }) => {
    if (skip) s();
    const { heartbeats, alerts, checks } = p.ports;
    const hb = await heartbeats.createHeartbeat({ name: 'Export', period_seconds: 3600 });
    const rule = await alerts.createRule({
      name: 'Export failed',
      heartbeat_id: hb.id,
      condition: 'heartbeat_down',
    });
    await heartbeats.ping({ id: hb.id }, { kind: 'fail', exitCode: 2 });
    await at(t + 1000);
    const active = async (ruleId: string) =>
      (await alerts.listAlerts({ status: 'firing', limit: 50, offset: 0 })).items.filter(
        (a) => a.rule_id === ruleId,
      );
    const fired = await active(rule.id);
    expect(fired).toHaveLength(1);
    expect(fired[0]?.description).toMatch(/^Heartbeat Export is down/);

    failing = true;
    const check = await checks.createCheck({
      name: 'Flaky',
      type: 'web',
      url,
      interval: 60,
      failure_threshold: 5,
    });
    const streak = await alerts.createRule({
      name: 'Flaky 3 times',
      check_id: check.id,
      condition: 'consecutive_failures',
      condition_parameters: { count: 3 },
    });
    const first = Date.parse(check.next_run_at as string);
    for (const k of [0, 1]) await at(first + k * 60_000);
    expect(await active(streak.id)).toEqual([]);
    await at(first + 120_000);
    expect((await active(streak.id)).map((a) => a.description)).toEqual(['Flaky failed 3 runs in a row']);
    failing = false;
    await at(first + 180_000);
    expect(await active(streak.id)).toEqual([]);
  });

  it('sets a status-page component while its alert fires, and back to operational on recovery', async ({
    skip: s,
  }) => {
    if (skip) s();
    const { checks, alerts, statusPages } = p.ports;
    const page = await statusPages.createPage({ name: 'Acme', subdomain: 'acme-alerts' });
    const api = await statusPages.createComponent(page.id, { name: 'API' });
    const check = await checks.createCheck({ name: 'API health', type: 'web', url, interval: 60 });
    await alerts.createRule({
      name: 'API down on the page',
      check_id: check.id,
      condition: 'check_failed',
      component_id: api.id,
      component_status: 'partial_outage',
    });
    const first = Date.parse(check.next_run_at as string);
    const status = async () => (await statusPages.getComponent(page.id, api.id)).status;
    failing = true;
    await at(first);
    expect(await status()).toBe('partial_outage');
    failing = false;
    await at(first + 60_000);
    expect(await status()).toBe('operational');
  });

  it('refuses rules that do not fit their source, naming the field', async ({ skip: s }) => {
    if (skip) s();
    const { alerts } = p.ports;
    await expect(alerts.createRule({ name: 'x', condition: 'check_failed' })).rejects.toThrow(
      'The condition check_failed watches a check: give check_id (and no heartbeat_id).',
    );
    await expect(
      alerts.createRule({ name: 'x', condition: 'heartbeat_late', check_id: 'PX' }),
    ).rejects.toThrow(/watches a heartbeat/);
    await expect(
      alerts.createRule({ name: 'x', condition: 'check_failed', check_id: 'PNOPE' }),
    ).rejects.toThrow("No check with id 'PNOPE'");
    await expect(
      alerts.createChannel({ name: 'x', type: 'email', configuration: { to: ['nope'] } }),
    ).rejects.toThrow('An email channel needs configuration.to');
  });
});
