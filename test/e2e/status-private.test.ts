/**
 * Private status pages (viewers_must_be_team_members) on the built `vigil serve`: every route of
 * the page answers 401 without a credential, a bad one or an anonymous one, and 403 to a key
 * without the status_pages toolset; a key in the header or in `?key=` (kept on the page's own
 * links) opens it, never stored by shared caches nor indexed; and the shared rendering never
 * reaches a request without a credential, even just after a page turns private.
 */
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vigil } from '../helpers/cli.js';
import { callJson, connect } from '../helpers/clients.js';
import { type RunningVigil, startVigil, tempDir } from '../helpers/vigil.js';

const ROUTES = [
  '',
  '/api/v2/summary.json',
  '/api/v2/components.json',
  '/history.rss',
  '/history.atom',
  '/incidents/PNOPE',
];

describe('private status pages', () => {
  let server: RunningVigil;
  let client: Client;
  const env = { VIGIL_DATA_DIR: tempDir(), VIGIL_MODE: 'read_write' };
  let pageKey = '';
  let otherKey = '';
  let incident = '';
  const get = (path: string, init?: RequestInit) => fetch(`${server.base}${path}`, init);
  const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

  beforeAll(async () => {
    const call = (tool: string, args: unknown) => {
      const r = vigil(['call', tool, JSON.stringify(args)], env);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout);
    };
    call('create_page', { name: 'Internal', subdomain: 'internal', viewers_must_be_team_members: true });
    call('create_component', { page_id: 'internal', name: 'Billing' });
    incident = call('create_incident', { page_id: 'internal', name: 'Billing slow', status: 'investigating' })
      .incidents[0].id;
    call('create_page', { name: 'Open', subdomain: 'open' });
    const key = (name: string, mode: string, toolsets?: string) => {
      const r = vigil(
        ['keys', 'create', '--name', name, '--mode', mode, ...(toolsets ? ['--toolsets', toolsets] : [])],
        env,
      );
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    pageKey = key('viewer', 'read_only', 'status_pages');
    otherKey = key('directory', 'read_only', 'directory');
    const admin = key('admin', 'read_write');
    server = await startVigil(env);
    client = await connect('http-modern', { base: server.base, ...bearer(admin) });
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  it('answers 401 on every route without a credential, and 403 to a key without status_pages', async () => {
    for (const route of ROUTES) {
      const path = `/status/internal${route}`;
      for (const init of [undefined, bearer('vk_not_a_real_key'), bearer(otherKey)]) {
        const res = await get(path, init);
        const expected = init === undefined || init.headers.authorization.includes('vk_not') ? 401 : 403;
        expect(res.status, `${path} ${JSON.stringify(init)}`).toBe(expected);
        expect(res.headers.get('cache-control')).toBe('private, no-store');
        if (expected === 401) expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="vigil"/);
        const body = await res.text();
        expect(body).not.toContain('Billing');
      }
    }
    const html = await get('/status/internal');
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await html.text()).toContain('This status page is private');
    const json = await (await get('/status/internal/api/v2/status.json')).json();
    expect(json).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
  });

  it('opens to a key in the header, kept out of shared caches and search engines', async () => {
    const res = await get('/status/internal', bearer(pageKey));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('x-robots-tag')).toBe('noindex');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const page = await res.text();
    expect(page).toContain('Billing slow');
    expect(page).toContain('<meta name="robots" content="noindex">');
    expect(page).toContain(`href="/status/internal/incidents/${incident}"`);
    expect(page).not.toContain('key=');
    const json = await get('/status/internal/api/v2/summary.json', bearer(pageKey));
    expect(json.status).toBe(200);
    expect(json.headers.get('access-control-allow-origin')).toBeNull();
    expect(((await json.json()) as any).components[0].name).toBe('Billing');
    // Right after, the same rendering is not given to a request without the key.
    expect((await get('/status/internal')).status).toBe(401);
    expect((await get('/status/internal/api/v2/summary.json')).status).toBe(401);
  });

  it('opens to ?key=, which the page keeps on its own links', async () => {
    const q = `?key=${encodeURIComponent(pageKey)}`;
    const res = await get(`/status/internal${q}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain(`href="/status/internal/incidents/${incident}${q}"`);
    expect(page).toContain(`href="/status/internal/history.rss${q}"`);
    const incidentPage = await get(`/status/internal/incidents/${incident}${q}`);
    expect(incidentPage.status).toBe(200);
    expect(await incidentPage.text()).toContain(`href="/status/internal${q}"`);
    const rss = await get(`/status/internal/history.rss${q}`);
    expect(rss.status).toBe(200);
    expect(await rss.text()).toContain(`/status/internal/incidents/${incident}${q}</link>`);
    expect((await get('/status/internal?key=vk_wrong')).status).toBe(401);
  });

  it('is private at once when a public page turns private', async () => {
    expect((await get('/status/open')).status).toBe(200);
    expect((await get('/status/open/api/v2/summary.json')).status).toBe(200);
    const r = await callJson(client, 'patch_page', { page_id: 'open', viewers_must_be_team_members: true });
    expect(r.isError, JSON.stringify(r.body)).toBe(false);
    expect((await get('/status/open')).status).toBe(401);
    expect((await get('/status/open/api/v2/summary.json')).status).toBe(401);
    expect((await get('/status/open', bearer(pageKey))).status).toBe(200);
  });
});
