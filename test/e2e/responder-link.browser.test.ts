/**
 * One-tap acknowledge end to end: `vigil serve` (the built binary) pages a user through a
 * webhook the Standard Webhooks library verifies; the page carries the user's `/r/<token>` link;
 * opening it changes nothing; in headless Chromium at phone size the page shows the incident and
 * its buttons, a tap acknowledges and another resolves, and the timeline says it was that user
 * "via link". A POST without the form token, from another site, or for another incident is
 * refused; an expired or altered link gets a page saying so. Skipped only when Chromium is
 * missing outside CI.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/client';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { responderTokens } from '../../src/core/responder-token.js';
import { callJson, connect } from '../helpers/clients.js';
import { until } from '../helpers/until.js';
import { type RunningVigil, startVigil, tempDir } from '../helpers/vigil.js';
import { verifyWebhook } from '../helpers/webhooks.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM) && process.env.CI !== 'true';
const FITS = 'document.documentElement.scrollWidth <= window.innerWidth';
const DOCS = new URL('../../docs/', import.meta.url);
/** With VIGIL_SCREENSHOTS=1 the README's screenshot of the page is taken again. */
const shoot = process.env.VIGIL_SCREENSHOTS === '1';
const SECRET = 'responder-link-test-secret-of-32-characters-or-more';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe.skipIf(skip)('one-tap acknowledge from a page', () => {
  let server: RunningVigil;
  let client: Client;
  let browser: Browser;
  let hooks: Server;
  const received: Received[] = [];
  let annId = '';
  let annSecret = '';
  /** Incident id → the path of Ann's link in the page about it. */
  const links = new Map<string, string>();
  let a = '';
  let b = '';

  const call = async (name: string, args: Record<string, unknown> = {}) => {
    const r = await callJson(client, name, args);
    expect(r.isError, JSON.stringify(r.body)).toBe(false);
    return r.body;
  };
  const status = async (id: string) => (await call('get_incidents', { incident_id: id })).incidents[0].status;
  const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${server.base}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    });
  const csrfOf = async (path: string) =>
    /name="csrf" value="([^"]+)"/.exec(await (await fetch(`${server.base}${path}`)).text())?.[1] as string;

  beforeAll(async () => {
    hooks = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    const hooksBase = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
    server = await startVigil({
      VIGIL_DATA_DIR: tempDir(),
      VIGIL_MODE: 'read_write',
      VIGIL_SECRET_KEY: SECRET,
    });
    client = await connect('http-modern', { base: server.base });
    browser = await chromium.launch({ executablePath: CHROMIUM });

    const ann = (
      await call('create_user', {
        name: 'Ann',
        email: 'ann@x.io',
        contact_methods: [{ type: 'webhook', address: `${hooksBase}/ann` }],
      })
    ).users[0];
    annId = ann.id;
    annSecret = ann.contact_methods[0].signing_secret;
    const bob = (await call('create_user', { name: 'Bob', email: 'bob@x.io' })).users[0];
    const policy = (
      await call('create_escalation_policy', {
        name: 'Payments',
        escalation_rules: [
          { escalation_delay_in_minutes: 30, targets: [{ id: ann.id, type: 'user_reference' }] },
          { escalation_delay_in_minutes: 30, targets: [{ id: bob.id, type: 'user_reference' }] },
        ],
      })
    ).escalation_policies[0];
    const service = (await call('create_service', { name: 'Payments API', escalation_policy_id: policy.id }))
      .services[0];
    for (const key of ['card-errors', 'queue-stuck']) {
      const res = await fetch(`${server.base}/v2/enqueue`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          routing_key: service.integration_key,
          event_action: 'trigger',
          dedup_key: key,
          payload: {
            summary: key === 'card-errors' ? 'Card payments failing' : 'Queue stuck',
            source: 'checkout-7',
            severity: 'critical',
            custom_details: { error_rate: '12%' },
          },
        }),
      });
      expect(res.status).toBe(202);
    }
    // The engine of `vigil serve` pages Ann on its own: one signed webhook per incident.
    const pages = await until('both pages to Ann', 20_000, async () => {
      const got = received.filter((r) => r.path === '/ann');
      return got.length >= 2 && got;
    });
    for (const page of pages) {
      verifyWebhook(annSecret, page.headers, page.body);
      const body = JSON.parse(page.body);
      expect(body.user.id).toBe(annId);
      links.set(body.incident.id, new URL(body.respond_url).pathname);
      if (body.incident.title === 'Card payments failing') a = body.incident.id;
      else b = body.incident.id;
      expect(body.text).toContain(body.respond_url);
    }
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await client?.close();
    await server?.stop();
    hooks?.close();
  });

  it('carries a /r/ link per incident, and opening it changes nothing', async () => {
    expect(links.get(a)).toMatch(/^\/r\/[\w-]+\.[\w-]+$/);
    expect(links.get(b)).toMatch(/^\/r\/[\w-]+\.[\w-]+$/);
    expect(links.get(a)).not.toBe(links.get(b));
    const before = (await call('get_incident_timeline', { incident_id: a, limit: 100 })).log_entries.length;
    for (let n = 0; n < 2; n++) {
      const res = await fetch(`${server.base}${links.get(a)}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('private, no-store');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
      expect(await res.text()).toContain('Card payments failing');
    }
    expect(await status(a)).toBe('triggered');
    expect((await call('get_incident_timeline', { incident_id: a, limit: 100 })).log_entries.length).toBe(
      before,
    );
  });

  it('refuses a POST without the form token, from another site, or for another incident', async () => {
    const pathA = links.get(a) as string;
    const refusedNoCsrf = await post(pathA, { action: 'acknowledge', incident: a });
    expect(refusedNoCsrf.status).toBe(403);
    expect(await refusedNoCsrf.text()).toContain('nothing was done');
    const csrf = await csrfOf(pathA);
    const crossSite = await post(
      pathA,
      { action: 'acknowledge', incident: a, csrf },
      { origin: 'https://evil.example' },
    );
    expect(crossSite.status).toBe(403);
    // A's link and its form token, naming B: refused, and neither incident changes.
    const other = await post(pathA, { action: 'resolve', incident: b, csrf });
    expect(other.status).toBe(403);
    expect(await other.text()).toContain('This link is for another incident');
    // B's form token on A's link: refused too.
    const borrowed = await post(pathA, {
      action: 'resolve',
      incident: a,
      csrf: await csrfOf(links.get(b) as string),
    });
    expect(borrowed.status).toBe(403);
    expect([await status(a), await status(b)]).toEqual(['triggered', 'triggered']);
  });

  it('shows the incident and its buttons on a phone; a tap acknowledges as Ann via link, another resolves', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 1 });
    await page.goto(`${server.base}${links.get(a)}`);
    expect(await page.locator('h1').textContent()).toBe('Card payments failing');
    expect(await page.locator('.badge').textContent()).toBe('triggered');
    const facts = (await page.locator('.facts').first().textContent()) ?? '';
    expect(facts).toContain('Payments API');
    expect(facts).toContain('Ann (you)');
    expect(await page.locator('body').textContent()).toContain('12%');
    const buttons = await page.locator('button').allTextContents();
    expect(buttons).toEqual(['Acknowledge', 'Resolve', 'Escalate to the next level', 'Snooze']);
    for (const name of buttons) expect(await page.getByRole('button', { name }).isVisible()).toBe(true);
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.evaluate(FITS)).toBe(true);
    if (shoot)
      await page.screenshot({ path: new URL('responder-page-phone.png', DOCS).pathname, fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgb(15, 18, 23)');

    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.waitForURL(/\?done=acknowledge$/);
    expect(await page.locator('.notice').textContent()).toContain('Acknowledged');
    expect(await page.locator('.badge').textContent()).toBe('acknowledged');
    expect(await page.locator('.timeline').textContent()).toContain('Acknowledged via link — Ann');
    expect(await status(a)).toBe('acknowledged');
    const entries = (await call('get_incident_timeline', { incident_id: a, limit: 100 })).log_entries;
    expect(entries.find((e: { type: string }) => e.type === 'acknowledge_log_entry')).toMatchObject({
      summary: 'Acknowledged via link',
      agent: { id: annId, summary: 'Ann' },
      details: { via: 'link' },
    });
    // The other incident, paged to the same person, is untouched.
    expect(await status(b)).toBe('triggered');

    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.waitForURL(/\?done=resolve$/);
    expect(await page.locator('.badge').textContent()).toBe('resolved');
    expect(await page.locator('button').count()).toBe(0);
    expect(await page.locator('.timeline').textContent()).toContain('Resolved via link — Ann');
    expect(await status(a)).toBe('resolved');
    await page.close();
  });

  it('answers an expired or altered link with a page that says so', async () => {
    const key = createHash('sha256').update(SECRET).digest();
    const stale = responderTokens(
      () => key,
      () => Date.now() - 8 * 86_400_000,
    ).issue(b, annId);
    const expired = await fetch(`${server.base}/r/${stale}`);
    expect(expired.status).toBe(410);
    const expiredText = await expired.text();
    expect(expiredText).toContain('This link has expired');
    expect(expiredText).not.toMatch(/\bat .*\.js:\d+/);
    const token = (links.get(b) as string).slice(3);
    const altered = `${token.slice(0, 5)}${token[5] === 'A' ? 'B' : 'A'}${token.slice(6)}`;
    for (const res of [
      await fetch(`${server.base}/r/${altered}`),
      await post(`/r/${altered}`, { action: 'resolve', incident: b }),
    ]) {
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text()).toContain('This link is not valid');
    }
    expect(await status(b)).toBe('triggered');
  });

  it('escalates to the next level and snoozes, as Ann via link', async () => {
    const path = links.get(b) as string;
    const escalated = await post(path, { action: 'escalate', incident: b, csrf: await csrfOf(path) });
    expect(escalated.status).toBe(303);
    expect(escalated.headers.get('location')).toBe(`${path}?done=escalate`);
    const snoozed = await post(path, {
      action: 'snooze',
      minutes: '30',
      incident: b,
      csrf: await csrfOf(path),
    });
    expect(snoozed.status).toBe(303);
    expect(await status(b)).toBe('acknowledged');
    const mine = (await call('get_incident_timeline', { incident_id: b, limit: 100 })).log_entries
      .filter((e: { agent?: { id: string } }) => e.agent?.id === annId)
      .map((e: { summary: string }) => e.summary);
    expect(mine).toEqual([
      'Escalated to level 2 via link',
      'Acknowledged via link',
      expect.stringMatching(/^Snoozed until \S+ via link$/),
    ]);
    const page = await (await fetch(`${server.base}${snoozed.headers.get('location')}`)).text();
    expect(page).toMatch(/Snoozed until [A-Z][a-z]{2} \d{1,2}, \d{4}/);
    expect(page).toContain('Bob');
    // Level 2 is the last: one more tap says so on the page, and changes nothing.
    const past = await post(path, { action: 'escalate', incident: b, csrf: await csrfOf(path) });
    expect(past.status).toBe(409);
    expect(await past.text()).toContain('Level 2 is the escalation policy&#39;s last');
  });
});
