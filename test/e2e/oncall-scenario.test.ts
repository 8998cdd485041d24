/**
 * The on-call scenario end to end on SQLite and PostgreSQL, over real HTTP with a controlled
 * clock: an alert through `POST /v2/enqueue` → level 1 (a user) notified by webhook, signature
 * verified by a real receiver on loopback → nobody acknowledges → level 2 (a schedule) pages
 * whoever is on call at that minute, across a handoff on the day clocks go forward → acknowledged
 * with the MCP tool over Streamable HTTP, escalation stops → resolved through `/v2/enqueue` with
 * the dedup key. Then again with the server stopped and started between level 1 and level 2.
 *
 * In-process (the app as `vigil serve` builds it, test/helpers/in-process.ts) because the clock
 * must be the test's; everything between client and store is the real thing.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRuntime, type Runtime } from '../../src/cli/runtime.js';
import { parseConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { callJson, connect } from '../helpers/clients.js';
import { type InProcess, serveInProcess } from '../helpers/in-process.js';
import { STORES, storeAvailable } from '../helpers/stores.js';
import { verifyWebhook } from '../helpers/webhooks.js';

const MINUTE = 60_000;

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe.each(STORES)('on-call scenario on $kind', (store) => {
  let t = 0;
  const clock = { now: () => t };
  let env: Record<string, string>;
  let rt: Runtime;
  let served: InProcess;
  let base = '';
  let client: Client;
  let receiver: Server;
  let hooks = '';
  let received: Received[] = [];
  const secrets: Record<string, string> = {};
  let routingKey = '';
  let serviceId = '';
  let bobKey = '';
  let skip = false;

  async function start() {
    served = await serveInProcess(env, { clock });
    ({ rt, base } = served);
    client = await connect('http-modern', { base, headers: { authorization: `Bearer ${bobKey}` } });
  }
  async function stop() {
    await client.close();
    await served.close();
  }
  const enqueue = async (body: Record<string, unknown>) => {
    const res = await fetch(`${base}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: routingKey, ...body }),
    });
    return { status: res.status, body: await res.json() };
  };
  /** Runs the engine (as the lease holder would) and answers who was paged, by webhook path. */
  const tick = async () => {
    received = [];
    await rt.embedded.engine.tick();
    return received.map((r) => r.path).sort();
  };

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hooks = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const { dataDir, databaseUrl } = await store.open();
    env = {
      VIGIL_DATA_DIR: dataDir,
      VIGIL_MODE: 'read_write',
      HTTP_PORT: '0',
      ...(databaseUrl && { VIGIL_DATABASE_URL: databaseUrl }),
    };
    // The directory is set up through the store: the tools are the subject of other tests.
    t = Date.parse('2026-03-20T00:00:00Z');
    rt = await openRuntime(parseConfig(env), silentLogger(), { clock });
    const { directory, escalation, schedules } = rt.embedded.ports;
    const user = async (name: string) => {
      const u = await directory.createUser({
        name,
        email: `${name.toLowerCase()}@x.io`,
        contact_methods: [{ type: 'webhook', address: `${hooks}/${name.toLowerCase()}` }],
      });
      secrets[name] = u.contact_methods[0]?.signing_secret as string;
      return u.id;
    };
    const [ann, bob, cem] = [await user('Ann'), await user('Bob'), await user('Cem')];
    // Daily handoffs at 09:00 Berlin time: Fri 27 March Bob, Sat Cem, Sun 29 (summer time from
    // 03:00) Bob from 09:00 CEST = 07:00Z, Mon Cem from 07:00Z.
    const secondary = await schedules.createSchedule({
      name: 'Secondary',
      time_zone: 'Europe/Berlin',
      schedule_layers: [
        {
          start: '2026-03-27T09:00:00+01:00',
          rotation_turn_length_seconds: 86_400,
          users: [bob, cem],
        },
      ],
    });
    const policy = await escalation.createPolicy({
      name: 'Database',
      escalation_rules: [
        { escalation_delay_in_minutes: 10, targets: [{ id: ann, type: 'user_reference' }] },
        { escalation_delay_in_minutes: 10, targets: [{ id: secondary.id, type: 'schedule_reference' }] },
      ],
    });
    const service = await directory.createService({ name: 'Database', escalation_policy_id: policy.id });
    routingKey = service.integration_key as string;
    serviceId = service.id;
    // Bob acknowledges from his own MCP client: a key bound to him.
    bobKey = (await rt.embedded.apiKeys.create({ name: 'bob', mode: 'read_write', userId: bob })).key;
    await rt.close();
    await start();
  });
  afterAll(async () => {
    if (!skip) await stop();
    receiver?.close();
  });

  async function scenario(dedupKey: string, onCallAtLevel2: string, between?: () => Promise<void>) {
    const triggered = await enqueue({
      event_action: 'trigger',
      dedup_key: dedupKey,
      payload: { summary: `Replication lag ${dedupKey}`, source: 'db-1', severity: 'critical' },
    });
    expect(triggered).toEqual({
      status: 202,
      body: { status: 'success', message: 'Event processed', dedup_key: dedupKey },
    });
    expect(await tick()).toEqual(['/ann']);
    const ann = received[0] as Received;
    expect(JSON.parse(ann.body)).toMatchObject({ event: 'incident.triggered', level: 1 });
    verifyWebhook(secrets.Ann as string, ann.headers, ann.body);

    await between?.();

    t += 10 * MINUTE - 1000;
    expect(await tick()).toEqual([]);
    t += 1000;
    expect(await tick()).toEqual([`/${onCallAtLevel2.toLowerCase()}`]);
    const page = received[0] as Received;
    expect(JSON.parse(page.body)).toMatchObject({ event: 'incident.escalated', level: 2 });
    verifyWebhook(secrets[onCallAtLevel2] as string, page.headers, page.body);

    // Bob acknowledges through the MCP tool, as himself; escalation stops.
    const found = (
      await callJson(client, 'get_incidents', { current_user_context: false, service_ids: [serviceId] })
    ).body.incidents.find((i: { incident_key: string }) => i.incident_key === dedupKey);
    expect(found).toMatchObject({
      status: 'triggered',
      assignments: [{ assignee: { summary: onCallAtLevel2 } }],
    });
    const acked = await callJson(client, 'acknowledge_incident', { incident_id: found.id });
    expect(acked.body.incidents[0].status).toBe('acknowledged');
    t += 60 * MINUTE;
    expect(await tick()).toEqual([]);

    expect(await enqueue({ event_action: 'resolve', dedup_key: dedupKey })).toMatchObject({ status: 202 });
    const timeline = (await callJson(client, 'get_incident_timeline', { incident_id: found.id })).body;
    expect(
      timeline.log_entries.map((e: { type: string; summary: string }) => `${e.type}: ${e.summary}`),
    ).toEqual([
      `trigger_log_entry: Triggered: Replication lag ${dedupKey}`,
      'assign_log_entry: Assigned to level 1: Ann',
      'notify_log_entry: Notified by webhook (incident.triggered)',
      'escalate_log_entry: Escalated to level 2',
      `assign_log_entry: Assigned to level 2: ${onCallAtLevel2}`,
      'notify_log_entry: Notified by webhook (incident.escalated)',
      'acknowledge_log_entry: Acknowledged',
      'resolve_log_entry: Resolved',
    ]);
  }

  it('pages level 1, then the schedule’s on-call user at the right minute; ack stops it, resolve ends it', async ({
    skip: s,
  }) => {
    if (skip) s();
    // Sunday 29 March, 08:55 CEST: Cem's turn ends at 09:00 CEST; level 2 is due at 09:05.
    t = Date.parse('2026-03-29T06:55:00Z');
    await scenario('lag-1', 'Bob');
  });

  it('resumes after the server stops and starts between level 1 and level 2', async ({ skip: s }) => {
    if (skip) s();
    // Monday 30 March, 08:55 CEST: Bob's turn ends at 09:00; Cem is on call when level 2 is due.
    t = Date.parse('2026-03-30T06:55:00Z');
    await scenario('lag-2', 'Cem', async () => {
      await stop();
      await start();
    });
  });
});
