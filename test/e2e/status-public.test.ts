/**
 * Public status pages on the built `vigil serve`, without authentication: Statuspage's v2 JSON
 * (field names and types written out below), RSS and Atom feeds, the HTML page and incident
 * pages, a page on its own domain by Host, unknown pages answered 404, and user text that is
 * markup rendered as text everywhere.
 */
import { request } from 'node:http';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../helpers/clients.js';
import { ACME_DOMAIN, EVIL, type StatusFixture, seedStatusPages } from '../helpers/status-fixture.js';
import { type RunningVigil, startVigil, tempDir } from '../helpers/vigil.js';

/** A type per field: 'string', 'number', 'boolean', 'null', 'array', 'object'; '|' for either; '?' optional. */
type Spec = Record<string, string | [Spec]>;

const PAGE: Spec = { id: 'string', name: 'string', url: 'string', time_zone: 'string', updated_at: 'string' };
const STATUS: Spec = { indicator: 'string', description: 'string' };
const COMPONENT: Spec = {
  id: 'string',
  name: 'string',
  status: 'string',
  created_at: 'string',
  updated_at: 'string',
  position: 'number',
  description: 'string|null',
  showcase: 'boolean',
  start_date: 'string|null',
  group_id: 'string|null',
  page_id: 'string',
  group: 'boolean',
  only_show_if_degraded: 'boolean',
  'components?': 'array',
};
const UPDATE: Spec = {
  id: 'string',
  status: 'string',
  body: 'string',
  incident_id: 'string',
  created_at: 'string',
  updated_at: 'string',
  display_at: 'string',
  affected_components: 'array|null',
};
const INCIDENT: Spec = {
  id: 'string',
  name: 'string',
  status: 'string',
  created_at: 'string',
  updated_at: 'string',
  monitoring_at: 'string|null',
  resolved_at: 'string|null',
  impact: 'string',
  shortlink: 'string',
  started_at: 'string',
  page_id: 'string',
  incident_updates: [UPDATE],
  components: [COMPONENT],
};
const MAINTENANCE: Spec = { ...INCIDENT, scheduled_for: 'string', scheduled_until: 'string' };

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function conforms(value: unknown, spec: Spec, at: string): void {
  expect(typeOf(value), at).toBe('object');
  const obj = value as Record<string, unknown>;
  const required = Object.keys(spec).filter((k) => !k.endsWith('?'));
  const allowed = Object.keys(spec).map((k) => k.replace(/\?$/, ''));
  for (const k of required) expect(Object.keys(obj), `${at}.${k}`).toContain(k);
  for (const k of Object.keys(obj)) expect(allowed, `${at}: unexpected field ${k}`).toContain(k);
  for (const [key, want] of Object.entries(spec)) {
    const k = key.replace(/\?$/, '');
    if (!(k in obj)) continue;
    if (Array.isArray(want)) {
      expect(typeOf(obj[k]), `${at}.${k}`).toBe('array');
      (obj[k] as unknown[]).forEach((item, n) => {
        conforms(item, want[0], `${at}.${k}[${n}]`);
      });
    } else expect(want.split('|'), `${at}.${k}`).toContain(typeOf(obj[k]));
  }
}

const PUBLIC = 'https://vigil.example.com';

/** A GET with a Host header of our choosing (fetch sends the URL's). */
function getWithHost(base: string, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

describe('public status pages', () => {
  let server: RunningVigil;
  let client: Client;
  let f: StatusFixture;
  const get = (path: string, init?: RequestInit) => fetch(`${server.base}${path}`, init);
  const json = async (path: string) => {
    const res = await get(path);
    expect(res.status, path).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    return (await res.json()) as Record<string, any>;
  };

  beforeAll(async () => {
    server = await startVigil({
      VIGIL_DATA_DIR: tempDir(),
      VIGIL_MODE: 'read_write',
      VIGIL_PUBLIC_URL: PUBLIC,
    });
    client = await connect('http-modern', { base: server.base });
    f = await seedStatusPages(client);
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  it("answers every v2 endpoint in Statuspage's public shape", async () => {
    const summary = await json('/status/acme/api/v2/summary.json');
    conforms(
      summary,
      {
        page: 'object',
        components: 'array',
        incidents: 'array',
        scheduled_maintenances: 'array',
        status: 'object',
      },
      'summary',
    );
    conforms(summary.page, PAGE, 'page');
    expect(summary.page).toMatchObject({ id: f.page, name: 'Acme', time_zone: 'UTC' });
    expect(summary.page.updated_at).toMatch(ISO);
    conforms(summary.status, STATUS, 'status');
    expect(summary.status).toEqual({ indicator: 'minor', description: 'Minor Service Outage' });
    for (const c of summary.components) conforms(c, COMPONENT, 'component');
    expect(summary.components.map((c: any) => [c.name, c.status])).toEqual([
      ['Platform', 'operational'],
      ['API', 'operational'],
      ['Web', 'operational'],
      ['Database', 'degraded_performance'],
    ]);
    expect(summary.components[0].components).toHaveLength(2);
    expect(summary.incidents.map((i: any) => i.id)).toEqual([f.open]);
    for (const i of summary.incidents) conforms(i, INCIDENT, 'incident');
    expect(summary.incidents[0]).toMatchObject({
      status: 'investigating',
      impact: 'minor',
      shortlink: `${summary.page.url}/incidents/${f.open}`,
      components: [{ id: f.db, name: 'Database' }],
    });
    expect(summary.incidents[0].incident_updates[0].affected_components).toEqual([
      { code: f.db, name: 'Database', old_status: 'operational', new_status: 'degraded_performance' },
    ]);
    expect(summary.scheduled_maintenances.map((i: any) => i.id)).toEqual([f.maintenance]);
    for (const m of summary.scheduled_maintenances) conforms(m, MAINTENANCE, 'maintenance');

    const status = await json('/status/acme/api/v2/status.json');
    conforms(status, { page: 'object', status: 'object' }, 'status.json');
    expect(status.status).toEqual(summary.status);

    const components = await json(`/status/${f.page}/api/v2/components.json`);
    conforms(components, { page: 'object', components: [COMPONENT] }, 'components.json');

    const incidents = await json('/status/acme/api/v2/incidents.json');
    conforms(incidents, { page: 'object', incidents: [INCIDENT] }, 'incidents.json');
    expect(incidents.incidents.map((i: any) => i.id)).toEqual([f.open, f.resolved]);
    expect(incidents.incidents[1]).toMatchObject({
      status: 'resolved',
      resolved_at: expect.stringMatching(ISO),
    });

    const unresolved = await json('/status/acme/api/v2/incidents/unresolved.json');
    conforms(unresolved, { page: 'object', incidents: [INCIDENT] }, 'unresolved.json');
    expect(unresolved.incidents.map((i: any) => i.id)).toEqual([f.open]);

    const maintenance = await json('/status/acme/api/v2/scheduled-maintenances.json');
    conforms(
      maintenance,
      { page: 'object', scheduled_maintenances: [MAINTENANCE] },
      'scheduled-maintenances.json',
    );
    expect(maintenance.scheduled_maintenances[0]).toMatchObject({ id: f.maintenance, status: 'scheduled' });
  });

  it('answers 404 in JSON for an unknown page or endpoint, and only GET and HEAD', async () => {
    for (const path of [
      '/status/nope/api/v2/summary.json',
      '/status/acme/api/v2/nothing.json',
      '/status/nope/history.rss',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as any).error.code).toBe('NOT_FOUND');
    }
    const page = await get('/status/nope');
    expect([page.status, page.headers.get('content-type')]).toEqual([404, 'text/html; charset=utf-8']);
    expect((await get('/status/acme', { method: 'POST', body: 'x' })).status).toBe(405);
    expect((await get('/status/acme', { method: 'HEAD' })).status).toBe(200);
  });

  it('serves RSS 2.0 and Atom feeds of the incident history', async () => {
    const rss = await get('/status/acme/history.rss');
    expect(rss.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    const rssText = await rss.text();
    expect(rssText).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<rss version="2.0"/);
    expect(rssText.match(/<item>/g)).toHaveLength(3);
    expect(rssText).toContain(`<guid isPermaLink="true">${PUBLIC}/status/acme/incidents/${f.open}</guid>`);
    const atom = await get('/status/acme/history.atom');
    expect(atom.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    const atomText = await atom.text();
    expect(atomText).toContain('<feed xml:lang="en-US" xmlns="http://www.w3.org/2005/Atom">');
    expect(atomText.match(/<entry>/g)).toHaveLength(3);
  });

  it('serves the HTML page by subdomain, id and own domain, and a page per incident', async () => {
    const res = await get('/status/acme');
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await res.text();
    for (const text of ['Acme', 'Minor Service Outage', 'Database degraded', 'Database upgrade', 'Platform'])
      expect(page).toContain(text);
    expect(page).not.toMatch(/<script|<link rel="stylesheet"|src="http/);
    expect(await (await get(`/status/${f.page}`)).text()).toContain(
      `href="/status/${f.page}/incidents/${f.open}"`,
    );
    const incident = await (await get(`/status/acme/incidents/${f.resolved}`)).text();
    expect(incident).toContain('Rolled back; all clear.');
    expect((await get('/status/acme/incidents/nope')).status).toBe(404);
    const domain = await getWithHost(server.base, '/', ACME_DOMAIN);
    expect(domain.status).toBe(200);
    expect(domain.body).toContain('Minor Service Outage');
    expect(domain.body).toContain(`href="/incidents/${f.open}"`);
    const domainJson = await getWithHost(server.base, '/api/v2/status.json', `${ACME_DOMAIN}:80`);
    expect(JSON.parse(domainJson.body).page.url).toBe(`https://${ACME_DOMAIN}`);
    expect((await getWithHost(server.base, '/', 'other.test')).status).toBe(404);
  });

  it('renders names made of markup, quotes and entities as text in HTML, feeds and JSON', async () => {
    const escaped = EVIL.replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;');
    for (const path of ['/status/evil', '/status/evil/history.rss', '/status/evil/history.atom']) {
      const body = await (await get(path)).text();
      expect(body, path).not.toContain('<script>');
      expect(body, path).not.toContain(EVIL);
      expect(body, path).toContain(escaped);
    }
    const raw = await (await get('/status/evil/api/v2/summary.json')).text();
    expect(raw).not.toContain('<script>');
    const summary = JSON.parse(raw);
    expect(summary.page.name).toBe(EVIL);
    expect(summary.components[0]).toMatchObject({ name: EVIL, description: EVIL });
    expect(summary.incidents[0].incident_updates[0].body).toBe(EVIL);
  });
});
