/**
 * The mixed setup end to end on SQLite and PostgreSQL: Vigil's engine runs a real HTTP check
 * (a loopback server flipping 200 → 500 → 200) and its alert rule, holding a PagerDuty routing
 * key, sends Events API v2 events instead of opening an incident here. The "PagerDuty" is a
 * second Vigil's real `POST /v2/enqueue` on loopback, behind a small edge that checks every body
 * against the Events v2 rules (core/events-v2.ts), records it, and can answer a fault instead.
 *
 * In-process (the app as `vigil serve` builds it, test/helpers/in-process.ts) because the sender's
 * clock must be the test's: retries fall due by it. Tools are called over Streamable HTTP.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertEvent, parseAlertEvent } from '../../src/core/events-v2.js';
import { callJson, connect } from '../helpers/clients.js';
import { type InProcess, serveInProcess } from '../helpers/in-process.js';
import { STORES, storeAvailable } from '../helpers/stores.js';
import { tempDir } from '../helpers/vigil.js';

const MINUTE = 60_000;

interface Seen {
  event: AlertEvent;
  raw: string;
  /** What the edge answered. */
  status: number;
}

interface Served extends InProcess {
  client: Client;
}

/** A runtime with its HTTP app and an MCP client, as `vigil serve` would run it. */
async function serve(env: Record<string, string>, clock?: { now(): number }): Promise<Served> {
  const served = await serveInProcess(env, clock ? { clock } : {});
  return { ...served, client: await connect('http-modern', { base: served.base }) };
}

async function stopServed(s: Served | undefined) {
  await s?.client.close();
  await s?.close();
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      raw += c;
    });
    req.on('end', () => resolve(raw));
    req.on('error', reject);
  });
}

const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );

describe.each(STORES)('alert rules paging PagerDuty through Events API v2 on $kind', (store) => {
  let t = Date.parse('2026-06-01T10:00:00Z');
  const clock = { now: () => t };
  let vigil: Served;
  let pagerduty: Served;
  let edge: Server;
  let target: Server;
  let targetHost = '';
  let edgeHost = '';
  const failing = new Set<string>();
  let seen: Seen[] = [];
  /** Statuses the edge answers instead of forwarding, one per request, first first. */
  let faults: number[] = [];
  let serviceId = '';
  let routingKey = '';
  let skip = false;

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    target = createServer((req, res) => res.writeHead(failing.has(req.url ?? '') ? 500 : 200).end());
    targetHost = await listen(target);
    // PagerDuty's side: a second Vigil on its own clock and store (SQLite is enough).
    pagerduty = await serve({ VIGIL_DATA_DIR: tempDir() });
    const service = (await callJson(pagerduty.client, 'create_service', { name: 'Shop' })).body.services[0];
    serviceId = service.id;
    routingKey = service.integration_key;
    edge = createServer(async (req, res) => {
      const raw = await readAll(req);
      const parsed = parseAlertEvent(JSON.parse(raw));
      // Vigil must never send what PagerDuty would refuse as malformed.
      expect(parsed.ok ? [] : parsed.errors).toEqual([]);
      if (!parsed.ok) {
        res.writeHead(400).end();
        return;
      }
      const fault = faults.shift();
      if (fault) {
        seen.push({ event: parsed.event, raw, status: fault });
        res.writeHead(fault, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'throttle event', message: 'Slow down' }));
        return;
      }
      const answer = await fetch(`${pagerduty.base}/v2/enqueue`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: raw,
      });
      seen.push({ event: parsed.event, raw, status: answer.status });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
    });
    edgeHost = await listen(edge);
    const { dataDir, databaseUrl } = await store.open();
    vigil = await serve(
      {
        VIGIL_DATA_DIR: dataDir,
        ...(databaseUrl && { VIGIL_DATABASE_URL: databaseUrl }),
        PAGERDUTY_EVENTS_URL: `http://${edgeHost}/v2/enqueue`,
        VIGIL_PUBLIC_URL: 'https://vigil.example.com',
      },
      clock,
    );
  });
  afterAll(async () => {
    await stopServed(vigil);
    await stopServed(pagerduty);
    edge?.close();
    target?.close();
  });

  /** At `ms`: due checks run, their rules are evaluated, the engine sends what is due. */
  const at = async (ms: number) => {
    t = ms;
    await vigil.rt.embedded.scheduler.runDue();
    await vigil.rt.embedded.engine.tick();
  };
  const tool = async (name: string, args: Record<string, unknown>) => {
    const r = await callJson(vigil.client, name, args);
    expect(r.isError, JSON.stringify(r.body)).toBe(false);
    return r.body;
  };
  /** A web check on its own path of the target, and a rule paging `key` when it fails. */
  const watched = async (name: string, key: string) => {
    const check = (
      await tool('create_check', {
        name,
        type: 'web',
        url: `http://${targetHost}/${name}`,
        interval: 60,
        failure_threshold: 2,
      })
    ).checks[0];
    const rule = (
      await tool('create_alert', {
        alert_data: { name: `${name} down`, check_id: check.id, condition: 'check_failed', routing_key: key },
      })
    ).rules[0];
    return { check, rule, first: Date.parse(check.next_run_at), path: `/${name}` };
  };
  const alertOf = async (ruleId: string) =>
    (await tool('list_alerts', {})).alerts.find((a: { rule_id: string }) => a.rule_id === ruleId);
  /** The incidents PagerDuty's side holds for a dedup key. */
  const paged = async (dedupKey: string) =>
    (
      await callJson(pagerduty.client, 'get_incidents', {
        current_user_context: false,
        service_ids: [serviceId],
        statuses: ['triggered', 'acknowledged', 'resolved'],
      })
    ).body.incidents.filter((i: { incident_key: string }) => i.incident_key === dedupKey);

  it('triggers one PagerDuty alert, opens no incident here, and resolves it on recovery', async ({
    skip: s,
  }) => {
    if (skip) s();
    const { check, rule, first, path } = await watched('shop', routingKey);
    expect(rule.routing_key).toBe(`${'*'.repeat(28)}${routingKey.slice(-4)}`);
    await at(first);
    failing.add(path);
    await at(first + MINUTE);
    expect(seen).toEqual([]);
    await at(first + 2 * MINUTE); // down: the rule fires
    await at(first + 3 * MINUTE); // still down: nothing more
    await at(first + 4 * MINUTE);
    const dedupKey = `vigil-alert:${rule.id}:check:${check.id}`;
    const alert = await alertOf(rule.id);
    expect(seen.map((e) => [e.event.event_action, e.status])).toEqual([['trigger', 202]]);
    expect(seen[0]?.event).toEqual({
      routing_key: routingKey,
      event_action: 'trigger',
      dedup_key: dedupKey,
      payload: {
        summary: alert.description,
        source: targetHost,
        severity: 'error',
        timestamp: alert.fired_at,
        component: 'shop',
        class: 'check_failed',
        custom_details: expect.objectContaining({
          alert_id: alert.id,
          rule: { id: rule.id, name: 'shop down', condition: 'check_failed', severity: 'high' },
          check: expect.objectContaining({ id: check.id, name: 'shop', type: 'web', status: 'failed' }),
          last_result: expect.objectContaining({
            status: 'failed',
            error_message: 'Status 500, expected 2xx or 3xx',
            check_metadata: expect.objectContaining({ status_code: 500 }),
          }),
        }),
      },
      client: 'Vigil',
      client_url: 'https://vigil.example.com',
      links: [],
      images: [],
    });
    expect(alert).not.toHaveProperty('incident_id');
    expect(alert).toMatchObject({
      status: 'firing',
      pagerduty: {
        dedup_key: dedupKey,
        events: [{ event_action: 'trigger', status: 'delivered', attempts: 1 }],
      },
    });
    // Nothing opened here; one incident there, with one alert, paged at high urgency.
    const here = await vigil.rt.embedded.ports.incidents.list({
      statuses: ['triggered', 'acknowledged', 'resolved'],
      urgencies: ['high', 'low'],
      limit: 10,
      offset: 0,
    });
    expect(here.items).toEqual([]);
    expect(await paged(dedupKey)).toMatchObject([
      { status: 'triggered', urgency: 'high', title: alert.description, alert_counts: { all: 1 } },
    ]);

    failing.delete(path);
    await at(first + 5 * MINUTE);
    expect(seen.map((e) => [e.event.event_action, e.event.dedup_key, e.status])).toEqual([
      ['trigger', dedupKey, 202],
      ['resolve', dedupKey, 202],
    ]);
    expect(seen[1]?.event).toMatchObject({ routing_key: routingKey, client: 'Vigil' });
    expect(await alertOf(rule.id)).toMatchObject({
      status: 'resolved',
      pagerduty: { events: [{ status: 'delivered' }, { event_action: 'resolve', status: 'delivered' }] },
    });
    expect(await paged(dedupKey)).toMatchObject([{ status: 'resolved', alert_counts: { all: 1 } }]);
  });

  it('delivers an event once after 429 and 500, and holds the resolve back until then', async ({
    skip: s,
  }) => {
    if (skip) s();
    seen = [];
    faults = [];
    const { check, rule, first, path } = await watched('checkout', routingKey);
    const dedupKey = `vigil-alert:${rule.id}:check:${check.id}`;
    await at(first);
    failing.add(path);
    await at(first + MINUTE);
    faults = [429, 500];
    const fired = first + 2 * MINUTE;
    await at(fired); // fires; PagerDuty answers 429
    expect(seen.map((e) => e.status)).toEqual([429]);
    expect((await alertOf(rule.id)).pagerduty.events).toEqual([
      {
        event_action: 'trigger',
        status: 'pending',
        attempts: 1,
        last_error: `HTTP 429 from ${edgeHost}: Slow down`,
      },
    ]);
    await at(fired + 29_000); // not due yet
    expect(seen).toHaveLength(1);
    await at(fired + 30_000); // first retry: 500, next in 60 s
    expect(seen.map((e) => e.status)).toEqual([429, 500]);

    failing.delete(path);
    await at(fired + MINUTE); // recovered: the resolve waits for its trigger
    expect((await alertOf(rule.id)).status).toBe('resolved');
    expect(seen).toHaveLength(2);
    expect(await paged(dedupKey)).toEqual([]);

    await at(fired + 90_000); // second retry: delivered
    await at(fired + 90_000); // then the resolve
    expect(seen.map((e) => [e.event.event_action, e.status])).toEqual([
      ['trigger', 429],
      ['trigger', 500],
      ['trigger', 202],
      ['resolve', 202],
    ]);
    // The same event each time: one dedup key, one PagerDuty alert.
    expect(new Set(seen.slice(0, 3).map((e) => e.raw)).size).toBe(1);
    expect(await paged(dedupKey)).toMatchObject([{ status: 'resolved', alert_counts: { all: 1 } }]);
    const events = (await alertOf(rule.id)).pagerduty.events;
    expect(events).toMatchObject([
      { event_action: 'trigger', status: 'delivered', attempts: 3 },
      { event_action: 'resolve', status: 'delivered', attempts: 1 },
    ]);
    // Delivered at last: the error is gone (answers leave out empty fields).
    expect(events[0]).not.toHaveProperty('last_error');
    await at(first + 10 * MINUTE);
    expect(seen).toHaveLength(4);
  });

  it('records a 400 as failed with PagerDuty’s message, and does not retry it', async ({ skip: s }) => {
    if (skip) s();
    seen = [];
    faults = [];
    // Well formed, but no service on PagerDuty's side has it: its /v2/enqueue answers 400.
    const { rule, first, path } = await watched('search', 'f'.repeat(32));
    await at(first);
    failing.add(path);
    await at(first + MINUTE);
    await at(first + 2 * MINUTE);
    expect(seen.map((e) => e.status)).toEqual([400]);
    const failed = {
      event_action: 'trigger',
      status: 'failed',
      attempts: 1,
      last_error: `${edgeHost} refused the event (HTTP 400): Event object is invalid: Invalid routing key`,
    };
    const alert = await alertOf(rule.id);
    expect(alert.pagerduty.events).toEqual([failed]);
    await at(first + 10 * MINUTE);
    expect(seen).toHaveLength(1);
    const details = await tool('get_alert_details', { alert_id: alert.id });
    expect(details.alerts[0]).toMatchObject({ status: 'firing', pagerduty: { events: [failed] } });
  });

  it('pages PagerDuty for a heartbeat rule, with the heartbeat in the details', async ({ skip: s }) => {
    if (skip) s();
    seen = [];
    faults = [];
    const hb = (
      await tool('create_heartbeat', {
        heartbeat_data: { name: 'Nightly backup', period_seconds: 3600, grace_seconds: 600 },
      })
    ).heartbeats[0];
    const rule = (
      await tool('create_alert', {
        alert_data: {
          name: 'Backup missing',
          heartbeat_id: hb.id,
          condition: 'heartbeat_down',
          severity: 'medium',
          routing_key: routingKey,
        },
      })
    ).rules[0];
    await tool('send_heartbeat_ping', { heartbeat_id: hb.id });
    await at(t + 3_600_000 + 600_000 + 1000);
    expect(seen.map((e) => [e.event.event_action, e.status])).toEqual([['trigger', 202]]);
    expect(seen[0]?.event).toMatchObject({
      dedup_key: `vigil-alert:${rule.id}:heartbeat:${hb.id}`,
      payload: {
        source: 'heartbeat Nightly backup',
        severity: 'warning',
        component: 'Nightly backup',
        class: 'heartbeat_down',
        custom_details: {
          heartbeat: { id: hb.id, name: 'Nightly backup', status: 'down', period_seconds: 3600 },
        },
      },
    });
  });
});
