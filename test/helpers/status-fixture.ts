/**
 * Two status pages on a running `vigil serve`, made through MCP as an agent would: "Acme" (a
 * group of two components, a database, an open incident, a resolved one, maintenance tomorrow,
 * its own domain) and a page whose every name is markup, quotes and entities.
 */
import type { Client } from '@modelcontextprotocol/client';
import { expect } from 'vitest';
import { callJson } from './clients.js';

export const EVIL = `<script>alert("x")</script> O'Brien & "Co" &amp;`;
export const ACME_DOMAIN = 'status.acme.test';

export interface StatusFixture {
  page: string;
  evilPage: string;
  api: string;
  db: string;
  open: string;
  resolved: string;
  maintenance: string;
}

export async function seedStatusPages(client: Client): Promise<StatusFixture> {
  const ok = async (tool: string, args: Record<string, unknown>) => {
    const r = await callJson(client, tool, args);
    expect(r.isError, JSON.stringify(r.body)).toBe(false);
    return r.body;
  };
  const page = (
    await ok('create_page', {
      name: 'Acme',
      subdomain: 'acme',
      domain: ACME_DOMAIN,
      headline: 'Acme services',
    })
  ).pages[0].id;
  const platform = (await ok('create_component', { page_id: 'acme', name: 'Platform', group: true }))
    .components[0].id;
  const api = (await ok('create_component', { page_id: 'acme', name: 'API', group_id: platform }))
    .components[0].id;
  await ok('create_component', { page_id: 'acme', name: 'Web', group_id: platform });
  const db = (await ok('create_component', { page_id: 'acme', name: 'Database', description: 'Primary' }))
    .components[0].id;
  const resolved = (
    await ok('create_incident', {
      page_id: 'acme',
      name: 'API errors',
      status: 'identified',
      impact: 'critical',
      body: 'Elevated errors on the API.',
      components: { [api]: 'major_outage' },
    })
  ).incidents[0].id;
  await ok('add_incident_update', {
    page_id: 'acme',
    incident_id: resolved,
    update_data: { body: 'Rolled back; all clear.', status: 'resolved' },
  });
  const open = (
    await ok('create_incident', {
      page_id: 'acme',
      name: 'Database degraded',
      status: 'investigating',
      impact: 'minor',
      body: 'Slow queries on the primary.',
      components: { [db]: 'degraded_performance' },
    })
  ).incidents[0].id;
  const start = new Date(Date.now() + 86_400_000);
  start.setUTCHours(2, 0, 0, 0);
  const maintenance = (
    await ok('create_incident', {
      page_id: 'acme',
      name: 'Database upgrade',
      status: 'scheduled',
      impact: 'none',
      body: 'PostgreSQL upgrade.',
      scheduled_for: start.toISOString(),
      scheduled_until: new Date(start.getTime() + 7_200_000).toISOString(),
      components: { [db]: 'under_maintenance' },
    })
  ).incidents[0].id;

  const evilPage = (await ok('create_page', { name: EVIL, subdomain: 'evil', headline: EVIL })).pages[0].id;
  const evilComponent = (await ok('create_component', { page_id: 'evil', name: EVIL, description: EVIL }))
    .components[0].id;
  await ok('create_incident', {
    page_id: 'evil',
    name: EVIL,
    status: 'investigating',
    impact: 'major',
    body: EVIL,
    components: { [evilComponent]: 'partial_outage' },
  });
  return { page, evilPage, api, db, open, resolved, maintenance };
}
