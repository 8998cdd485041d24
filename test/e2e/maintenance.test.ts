/**
 * Maintenance windows on the built server, on SQLite and PostgreSQL: a window made with the MCP
 * tool over HTTP silences `POST /v2/enqueue` triggers for its service — 202 with PagerDuty's body
 * and a `suppressed` field, no incident, counted as `suppressed` in the audit trail — and once it
 * is ended (delete_maintenance_window on an ongoing window) the same trigger opens an incident.
 */
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, connect } from '../helpers/clients.js';
import { STORES, storeAvailable } from '../helpers/stores.js';
import { type RunningVigil, startVigil } from '../helpers/vigil.js';

describe.each(STORES)('maintenance windows and /v2/enqueue on $kind', (store) => {
  let server: RunningVigil;
  let client: Client;
  let skip = false;

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
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  it('silences triggers while the window is in effect, and not after', async ({ skip: s }) => {
    if (skip) s();
    const service = (await callJson(client, 'create_service', { name: 'Payments' })).body.services[0];
    const trigger = () =>
      fetch(`${server.base}/v2/enqueue`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          routing_key: service.integration_key,
          event_action: 'trigger',
          dedup_key: 'cards',
          payload: { summary: 'Card payments failing', source: 'grafana', severity: 'critical' },
        }),
      });
    const incidents = async () =>
      (
        await callJson(client, 'get_incidents', {
          current_user_context: false,
          service_ids: [service.id],
          statuses: ['triggered', 'acknowledged', 'resolved'],
        })
      ).body.incidents;

    const created = await callJson(client, 'create_maintenance_window', {
      start_time: new Date().toISOString(),
      end_time: new Date(Date.now() + 3_600_000).toISOString(),
      description: 'Payments database upgrade',
      service_ids: [service.id],
    });
    expect(created.isError).toBe(false);
    const window = created.body.maintenance_windows[0];

    const during = await trigger();
    expect(during.status).toBe(202);
    expect(await during.json()).toEqual({
      status: 'success',
      message: 'Event processed',
      dedup_key: 'cards',
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
    });
    expect(await incidents()).toEqual([]);

    // Ending the window now: the next trigger opens an incident as usual.
    const ended = await callJson(client, 'delete_maintenance_window', { maintenance_window_id: window.id });
    expect(ended.isError).toBe(false);
    const after = await trigger();
    expect(await after.json()).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'cards' });
    expect((await incidents()).map((i: { incident_key: string }) => i.incident_key)).toEqual(['cards']);

    // The audit trail counts the silenced event apart from the accepted one.
    const audit = await callJson(client, 'get_audit_log');
    expect(audit.isError, JSON.stringify(audit.body)).toBe(false);
    const counted = audit.body.entries
      .filter((e: { tool: string }) => e.tool === '/v2/enqueue')
      .map((e: { outcome: string; count: number }) => [e.outcome, e.count])
      .sort();
    expect(counted).toEqual([
      ['ok', 1],
      ['suppressed', 1],
    ]);
  });
});
