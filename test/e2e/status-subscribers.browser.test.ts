/**
 * Status-page subscribers end to end: a person subscribes from the page on its own domain in
 * headless Chromium (no JavaScript needed), confirms from the emailed link, and an incident and
 * two updates posted through the MCP tools reach them as three emails — received by a real SMTP
 * server on loopback and parsed with mailparser — with the right subject, components, RFC 8058
 * unsubscribe headers and links on the page's domain. One POST to the List-Unsubscribe address
 * unsubscribes, and nothing comes after. Skipped only when Chromium is missing outside CI.
 */
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import type { Client } from '@modelcontextprotocol/client';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, connect } from '../helpers/clients.js';
import { type InProcess, serveInProcess } from '../helpers/in-process.js';
import { type SmtpCapture, smtpCapture } from '../helpers/smtp.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM) && process.env.CI !== 'true';
const DOMAIN = 'status.acme.test';

describe.skipIf(skip)('status page subscribers, end to end', () => {
  let smtp: SmtpCapture;
  let served: InProcess;
  let client: Client;
  let browser: Browser;
  let port = 0;

  const call = async (name: string, args: Record<string, unknown> = {}) => {
    const r = await callJson(client, name, args);
    expect(r.isError, JSON.stringify(r.body)).toBe(false);
    return r.body;
  };
  const deliver = () => served.rt.embedded.engine.tick();
  /** A link from the mail as the TLS proxy passes it on to this server. */
  const behindTls = (link: string) => link.replace(/^https:/, 'http:');
  /** A POST to the page's domain as a mail provider makes it (RFC 8058), straight to this server. */
  const postToDomain = (path: string, body: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'POST',
          headers: { host: DOMAIN, 'content-type': 'application/x-www-form-urlencoded' },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => {
            text += c.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  beforeAll(async () => {
    smtp = await smtpCapture();
    served = await serveInProcess({
      // Links are https, as behind the TLS proxy a public server has; the test speaks plain HTTP
      // to the server behind it (see `behindTls`).
      VIGIL_PUBLIC_URL: 'https://vigil.acme.test',
      VIGIL_SMTP_URL: smtp.url,
      VIGIL_SMTP_FROM: 'Vigil <status@acme.test>',
      VIGIL_SECRET_KEY: 'subscribers-e2e-secret-of-32-characters-or-more',
    });
    port = Number(new URL(served.base).port);
    client = await connect('http-modern', { base: served.base });
    // The page's own domain resolves to this server, as DNS would send it there in production.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [`--host-resolver-rules=MAP ${DOMAIN} 127.0.0.1:${port}`],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await client?.close();
    await served?.close();
    await smtp?.close();
  });

  it('subscribes, confirms, hears of an incident and two updates, and unsubscribes with one POST', async () => {
    const page = (
      await call('create_page', {
        name: 'Acme Cloud',
        subdomain: 'acme',
        domain: DOMAIN,
        allow_email_subscribers: true,
      })
    ).pages[0];
    const api = (await call('create_component', { page_id: page.id, name: 'API' })).components[0];
    const web = (await call('create_component', { page_id: page.id, name: 'Website' })).components[0];

    // Subscribe from the page, for the API only, at phone size.
    const tab = await browser.newPage({ viewport: { width: 375, height: 812 }, javaScriptEnabled: false });
    await tab.goto(`http://${DOMAIN}/`);
    await tab.getByRole('textbox', { name: 'Email address' }).fill('dana@example.com');
    await tab.getByText('Only some components').click();
    await tab.getByRole('checkbox', { name: 'API' }).check();
    await tab.getByRole('button', { name: 'Subscribe' }).click();
    await expect.poll(() => tab.locator('h2').first().textContent()).toBe('Check your inbox');
    expect(await tab.content()).not.toContain('dana@example.com');

    await deliver();
    expect(smtp.mails).toHaveLength(1);
    const confirmMail = smtp.mails[0]?.parsed;
    expect(confirmMail?.subject).toBe('[Acme Cloud] Confirm your subscription to Acme Cloud');
    const confirm = /https:\/\/status\.acme\.test\/confirm\/[\w-]+\.[\w-]+/.exec(
      confirmMail?.text ?? '',
    )?.[0];
    expect(confirm).toBeDefined();
    await tab.goto(behindTls(confirm as string));
    // Opening the link confirms nothing: the button does.
    expect((await call('list_status_page_subscriptions', { page_id: page.id })).subscriptions[0].status).toBe(
      'pending',
    );
    await tab.getByRole('button', { name: 'Confirm subscription' }).click();
    await expect.poll(() => tab.locator('.notice').textContent()).toContain('Subscribed.');
    expect(await tab.getByRole('checkbox', { name: 'API' }).isChecked()).toBe(true);
    expect(await tab.getByRole('checkbox', { name: 'Website' }).isChecked()).toBe(false);
    expect(await tab.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);

    // An incident and two updates, through the tools.
    const incident = (
      await call('create_incident', {
        page_id: page.id,
        name: 'API errors',
        status: 'investigating',
        body: 'Elevated error rates on the API.',
        components: { [api.id]: 'major_outage', [web.id]: 'degraded_performance' },
      })
    ).incidents[0];
    await call('add_incident_update', {
      page_id: page.id,
      incident_id: incident.id,
      status: 'identified',
      body: 'A bad deploy; rolling back.',
    });
    await call('add_incident_update', {
      page_id: page.id,
      incident_id: incident.id,
      status: 'monitoring',
      body: 'Rolled back; watching.',
    });
    await deliver();
    const news = smtp.mails.slice(1);
    expect(news.map((m) => m.parsed.subject).sort()).toEqual(
      [
        '[Acme Cloud] Incident: API errors',
        '[Acme Cloud] Identified: API errors',
        '[Acme Cloud] Monitoring: API errors',
      ].sort(),
    );
    let unsubscribe = '';
    for (const mail of news) {
      const m = mail.parsed;
      expect(mail.to).toEqual(['dana@example.com']);
      expect(m.from?.value[0]).toEqual({ name: 'Acme Cloud', address: 'status@acme.test' });
      expect(m.text).toContain('API: Major outage');
      expect(m.text).toContain('Website: Degraded performance');
      expect(m.html).toContain('API: Major outage');
      const header = (name: string) =>
        m.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]+:\s*/, '');
      expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
      unsubscribe =
        /^<(https:\/\/status\.acme\.test\/unsubscribe\/[\w-]+\.[\w-]+)>$/.exec(
          header('list-unsubscribe') ?? '',
        )?.[1] ?? '';
      expect(unsubscribe).not.toBe('');
      // Every link is on the page's own domain.
      const links = [...(m.text ?? '').matchAll(/https?:\/\/[^\s)]+/g)].map((x) => new URL(x[0]).host);
      expect(new Set(links)).toEqual(new Set([DOMAIN]));
      expect(m.text).toContain(`https://${DOMAIN}/incidents/${incident.id}`);
    }
    const counts = (
      await call('get_incident_notification_counts', { page_id: page.id, incident_id: incident.id })
    ).notifications;
    expect(
      counts.map((c: Record<string, unknown>) => `${c.event} ${c.queued} ${c.delivered}`).sort(),
    ).toEqual(['incident_created 1 1', 'incident_updated 1 1', 'incident_updated 1 1']);

    // One POST, as a mail provider sends it; then nothing more.
    const res = await postToDomain(new URL(unsubscribe).pathname, 'List-Unsubscribe=One-Click');
    expect(res.status).toBe(200);
    expect(res.text).toContain('no more updates');
    expect((await call('list_status_page_subscriptions', { page_id: page.id })).subscriptions).toEqual([]);
    await call('add_incident_update', {
      page_id: page.id,
      incident_id: incident.id,
      status: 'resolved',
      body: 'Fixed.',
    });
    await deliver();
    expect(smtp.mails).toHaveLength(4);
  }, 60_000);
});
