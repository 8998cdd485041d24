/**
 * Private status pages (viewers_must_be_team_members) on the built `vigil serve`: every route of
 * the page answers 401 without a credential, a bad one or an anonymous one, and 403 to a key
 * without the status_pages toolset; a key in the header opens it, never stored by shared caches
 * nor indexed; `?key=` takes only a key limited to reading status pages and swaps it for a signed
 * viewer token that the page's links carry instead (a browser is redirected to it), good for that
 * page only; and the shared rendering never reaches a request without a credential, even just
 * after a page turns private.
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
  let adminKey = '';
  let writerKey = '';
  let wideKey = '';
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
    call('create_page', { name: 'Board', subdomain: 'board', viewers_must_be_team_members: true });
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
    adminKey = key('admin', 'read_write');
    writerKey = key('page-writer', 'read_write', 'status_pages');
    wideKey = key('wide', 'read_only', 'status_pages,directory');
    server = await startVigil(env);
    client = await connect('http-modern', { base: server.base, ...bearer(adminKey) });
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

  it('takes in ?key= only a key limited to reading status pages, with a clear page for the rest', async () => {
    for (const k of [adminKey, writerKey, wideKey]) {
      const res = await get(`/status/internal?key=${encodeURIComponent(k)}`, { redirect: 'manual' });
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('private, no-store');
      const body = await res.text();
      expect(body).toContain('not taken in a URL');
      expect(body).toContain('--toolsets status_pages');
      expect(body).not.toContain('Billing');
      const json = await get(`/status/internal/api/v2/summary.json?key=${encodeURIComponent(k)}`);
      expect(json.status).toBe(403);
    }
    // The same keys still open the page from an Authorization header.
    expect((await get('/status/internal', bearer(adminKey))).status).toBe(200);
    expect((await get('/status/internal?key=vgl_wrong')).status).toBe(401);
  });

  it('swaps ?key= for a viewer token that the page carries on its links instead of the key', async () => {
    const q = `?key=${encodeURIComponent(pageKey)}`;
    const first = await get(`/status/internal${q}`, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('cache-control')).toBe('private, no-store');
    const location = first.headers.get('location') ?? '';
    expect(location).toMatch(/^\/status\/internal\?view=[\w%.-]+$/);
    const view = location.slice(location.indexOf('?'));

    const res = await get(location);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('Billing slow');
    expect(page).not.toContain(pageKey);
    expect(page).not.toContain('key=');
    expect(page).toContain(`href="/status/internal/incidents/${incident}${view}"`);
    expect(page).toContain(`href="/status/internal/history.rss${view}"`);
    const incidentPage = await get(`/status/internal/incidents/${incident}${view}`);
    expect(incidentPage.status).toBe(200);
    expect(await incidentPage.text()).toContain(`href="/status/internal${view}"`);
    // An incident page opened with the key is redirected too, to its own address.
    const deep = await get(`/status/internal/incidents/${incident}${q}`, { redirect: 'manual' });
    expect(deep.status).toBe(303);
    expect(deep.headers.get('location')).toMatch(
      new RegExp(`^/status/internal/incidents/${incident}\\?view=`),
    );

    // Feed readers and JSON clients keep their ?key= address; what they are given carries tokens.
    const rss = await get(`/status/internal/history.rss${q}`);
    expect(rss.status).toBe(200);
    const feed = await rss.text();
    expect(feed).toMatch(new RegExp(`/status/internal/incidents/${incident}\\?view=[^<]+</link>`));
    expect(feed).not.toContain(pageKey);
    const json = await get(`/status/internal/api/v2/summary.json${q}`);
    expect(json.status).toBe(200);
    expect(JSON.stringify(await json.json())).not.toContain(pageKey);
  });

  it('refuses a viewer token that was altered or is for another page', async () => {
    const first = await get(`/status/internal?key=${encodeURIComponent(pageKey)}`, { redirect: 'manual' });
    const token = decodeURIComponent((first.headers.get('location') ?? '').split('?view=')[1] ?? '');
    expect(token).toContain('.');
    expect((await get(`/status/internal?view=${encodeURIComponent(token)}`)).status).toBe(200);
    const [payload, mac] = token.split('.') as [string, string];
    const altered = `${payload}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
    for (const path of [
      `/status/internal?view=${encodeURIComponent(altered)}`,
      `/status/board?view=${encodeURIComponent(token)}`,
      '/status/internal?view=nonsense',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(401);
      const body = await res.text();
      expect(body).toContain('This viewing link has expired or is not for this page');
      expect(body).not.toContain('Billing');
    }
    // The board's own key-less address is still private.
    expect((await get('/status/board')).status).toBe(401);
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
