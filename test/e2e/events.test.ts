/**
 * PagerDuty's Events API v2 on the built server, on SQLite and PostgreSQL: trigger, dedup,
 * acknowledge and resolve through `POST /v2/enqueue` answer as PagerDuty does and act on
 * incidents the MCP tools see; bad events are refused and write nothing.
 */
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, connect } from '../helpers/clients.js';
import { STORES, storeAvailable } from '../helpers/stores.js';
import { type RunningVigil, startVigil } from '../helpers/vigil.js';

describe.each(STORES)('/v2/enqueue on $kind', (store) => {
  let server: RunningVigil;
  let client: Client;
  let key = '';
  let serviceId = '';
  let skip = false;
  const send = (body: unknown, raw?: string) =>
    fetch(`${server.base}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: raw ?? JSON.stringify(body),
    });
  const incidents = async (args: Record<string, unknown> = {}) =>
    (
      await callJson(client, 'get_incidents', {
        current_user_context: false,
        service_ids: [serviceId],
        ...args,
      })
    ).body;
  const trigger = (extra: Record<string, unknown> = {}) => ({
    routing_key: key,
    event_action: 'trigger',
    payload: {
      summary: 'Disk full on db-1',
      source: 'db-1',
      severity: 'critical',
      custom_details: { free: '0%' },
    },
    ...extra,
  });

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    const { dataDir, databaseUrl } = await store.open();
    server = await startVigil({
      VIGIL_DATA_DIR: dataDir,
      VIGIL_MODE: 'read_write',
      ...(databaseUrl && { VIGIL_DATABASE_URL: databaseUrl }),
    });
    client = await connect('http-modern', { base: server.base });
    const service = (await callJson(client, 'create_service', { name: 'Database' })).body.services[0];
    key = service.integration_key;
    serviceId = service.id;
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  it('triggers, deduplicates, acknowledges and resolves as PagerDuty does', async ({ skip: s }) => {
    if (skip) s();
    const first = await send(trigger({ dedup_key: 'disk/db-1' }));
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({
      status: 'success',
      message: 'Event processed',
      dedup_key: 'disk/db-1',
    });
    expect((await send(trigger({ dedup_key: 'disk/db-1' }))).status).toBe(202);
    let [incident] = (await incidents()).incidents;
    expect(incident).toMatchObject({
      title: 'Disk full on db-1',
      status: 'triggered',
      urgency: 'high',
      incident_key: 'disk/db-1',
      alert_counts: { triggered: 2, resolved: 0, all: 2 },
      body_details: { free: '0%' },
      last_status_change_by: { id: serviceId, type: 'service_reference' },
    });
    expect(
      (await send({ routing_key: key, event_action: 'acknowledge', dedup_key: 'disk/db-1' })).status,
    ).toBe(202);
    [incident] = (await incidents()).incidents;
    expect(incident.status).toBe('acknowledged');
    expect((await send({ routing_key: key, event_action: 'resolve', dedup_key: 'disk/db-1' })).status).toBe(
      202,
    );
    const after = await incidents();
    expect(after.incidents[0]).toMatchObject({
      status: 'resolved',
      alert_counts: { triggered: 0, resolved: 2, all: 2 },
    });
    expect(after.metadata.autoresolve_count).toBe(1);
    // A resolve for a key with no open incident is accepted and does nothing.
    expect((await send({ routing_key: key, event_action: 'resolve', dedup_key: 'disk/db-1' })).status).toBe(
      202,
    );
  });

  it('generates a dedup key for a trigger without one, and maps severity to urgency', async ({ skip: s }) => {
    if (skip) s();
    const res = await send(
      trigger({ payload: { summary: 'Slow queries', source: 'db-2', severity: 'warning' } }),
    );
    const body = (await res.json()) as { dedup_key: string };
    expect(body.dedup_key).toMatch(/^[0-9a-f]{32}$/);
    const [incident] = (await incidents({ statuses: ['triggered'] })).incidents;
    expect(incident).toMatchObject({ title: 'Slow queries', urgency: 'low', incident_key: body.dedup_key });
  });

  it('opens exactly one incident for concurrent triggers with one dedup key', async ({ skip: s }) => {
    if (skip) s();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => send(trigger({ dedup_key: 'storm' }))),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(202));
    const open = (await incidents({ statuses: ['triggered'] })).incidents.filter(
      (i: { incident_key: string }) => i.incident_key === 'storm',
    );
    expect(open).toHaveLength(1);
    expect(open[0].alert_counts.all).toBe(20);
  });

  it('answers 202 to every one of concurrent resolves for one key', async ({ skip: s }) => {
    if (skip) s();
    expect((await send(trigger({ dedup_key: 'race' }))).status).toBe(202);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        send({ routing_key: key, event_action: 'resolve', dedup_key: 'race' }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(202));
    const raced = (await incidents({ statuses: ['resolved'] })).incidents.filter(
      (i: { incident_key: string }) => i.incident_key === 'race',
    );
    expect(raced).toHaveLength(1);
  });

  it('refuses bad events with PagerDuty’s answers and writes nothing', async ({ skip: s }) => {
    if (skip) s();
    const before = (await incidents({ limit: 1000 })).incidents.length;
    const unknown = await send(trigger({ routing_key: 'f'.repeat(32) }));
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({
      status: 'invalid event',
      message: 'Event object is invalid',
      errors: ['Invalid routing key'],
    });
    const invalid = await send({
      routing_key: key,
      event_action: 'trigger',
      payload: { source: 'x', severity: 'fatal' },
    });
    expect(invalid.status).toBe(400);
    const errors = ((await invalid.json()) as { errors: string[] }).errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        "'payload.summary' is missing or blank",
        expect.stringContaining("'payload.severity' is invalid"),
      ]),
    );
    const garbage = await send(undefined, '{"routing_key": ');
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { errors: string[] }).errors).toEqual([
      'Request body is not valid JSON',
    ]);
    const huge = await send(
      trigger({
        payload: {
          summary: 's',
          source: 's',
          severity: 'info',
          custom_details: { blob: 'x'.repeat(600 * 1024) },
        },
      }),
    );
    expect(huge.status).toBe(413);
    expect((await fetch(`${server.base}/v2/enqueue`)).status).toBe(405);
    expect((await incidents({ limit: 1000 })).incidents.length).toBe(before);
  });
});
