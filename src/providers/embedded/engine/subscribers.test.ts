/**
 * Status-page subscribers hear of news through the delivery outbox, on SQLite and PostgreSQL with
 * a controlled clock: a real SMTP server on loopback receives each subscriber's own email (HTML
 * and text, from the page's name, RFC 8058 unsubscribe headers, links on the page's domain,
 * what operators wrote escaped in the HTML), a
 * webhook subscriber's JSON passes the Standard Webhooks library, component filters hold, a
 * maintenance reminds an hour before it starts, an address the mail server refuses is suspended,
 * a pending address hears nothing and is forgotten after seven days, from the outbox too.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SmtpCapture, smtpCapture } from '../../../../test/helpers/smtp.js';
import { STORES, storeAvailable } from '../../../../test/helpers/stores.js';
import { verifyWebhook } from '../../../../test/helpers/webhooks.js';
import type { Clock } from '../../../core/clock.js';
import { silentLogger } from '../../../core/log.js';
import { createEmbeddedProvider, type EmbeddedProvider } from '../index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe.each(STORES)('status-page subscribers on $kind', (store) => {
  let smtp: SmtpCapture;
  let hooks: Server;
  let hookBase = '';
  const received: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
  let t = Date.parse('2026-06-01T10:00:00Z');
  const clock: Clock = { now: () => t };
  let p: EmbeddedProvider;
  let skip = false;

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    smtp = await smtpCapture();
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
    hookBase = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
    p = await createEmbeddedProvider({
      ...(await store.open()),
      log: silentLogger(),
      clock,
      smtp: { url: smtp.url, from: 'Vigil <status@example.com>' },
      publicUrl: 'https://vigil.example.com',
      secretKey: 'subscriber-test-secret-of-32-characters-or-more',
    });
  });
  afterAll(async () => {
    await p?.close();
    await smtp?.close();
    hooks?.close();
  });

  /** Runs the engine at `ms` until nothing more is due then. */
  const at = async (ms: number) => {
    t = ms;
    await p.engine.tick();
  };

  it('tells each subscriber of what they chose, in their own message', async ({ skip: skipIt }) => {
    if (skip) skipIt();
    const pages = p.ports.statusPages;
    const subs = p.ports.statusSubscriptions;
    const page = await pages.createPage({
      name: 'Acme Status',
      subdomain: 'acme',
      domain: 'status.acme.test',
    });
    const api = await pages.createComponent(page.id, { name: 'API' });
    const web = await pages.createComponent(page.id, { name: 'Website' });
    const all = await subs.create(page.id, { channel: 'email', contact: 'all@example.com' });
    const webOnly = await subs.create(page.id, {
      channel: 'email',
      contact: 'web@example.com',
      components: [web.id],
    });
    const hook = await subs.create(page.id, { channel: 'webhook', contact: `${hookBase}/hook` });
    expect(all).toMatchObject({ status: 'active', origin: 'operator', components: [] });
    expect(webOnly.components).toEqual([web.id]);
    expect(hook.signing_secret).toMatch(/^whsec_/);
    await expect(subs.create(page.id, { channel: 'email', contact: 'ALL@example.com' })).rejects.toThrow(
      /already/,
    );
    await expect(
      subs.create(page.id, { channel: 'email', contact: 'x@y', components: ['PNOPE'] }),
    ).rejects.toThrow(/email address/);
    await expect(
      subs.create(page.id, { channel: 'email', contact: 'z@example.com', components: ['PNOPE'] }),
    ).rejects.toThrow(/PNOPE/);

    const incident = await pages.createIncident(page.id, {
      name: 'API errors',
      status: 'investigating',
      body: 'We are looking into elevated errors.',
      components: { [api.id]: 'major_outage' },
    });
    await at(t + 1000);
    expect(smtp.mails.map((m) => m.to)).toEqual([['all@example.com']]);
    const mail = smtp.mails[0]?.parsed;
    expect(mail?.subject).toBe('[Acme Status] Incident: API errors');
    expect(mail?.from?.value[0]).toEqual({ name: 'Acme Status', address: 'status@example.com' });
    expect(mail?.text).toContain('We are looking into elevated errors.');
    expect(mail?.text).toContain('API: Major outage');
    expect(mail?.html).toContain('API: Major outage');
    const header = (name: string) =>
      mail?.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]+:\s*/, '');
    const unsubscribe = header('list-unsubscribe');
    expect(unsubscribe).toMatch(/^<https:\/\/status\.acme\.test\/unsubscribe\/[\w-]+\.[\w-]+>$/);
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(mail?.text).toContain(`https://status.acme.test/incidents/${incident.id}`);
    expect(mail?.text).toMatch(/Choose components: https:\/\/status\.acme\.test\/manage\//);
    expect(mail?.text).not.toContain('vigil.example.com');

    const [webhook] = received;
    verifyWebhook(hook.signing_secret as string, webhook?.headers ?? {}, webhook?.body ?? '');
    const payload = JSON.parse(webhook?.body ?? '{}');
    expect(payload).toMatchObject({
      event: 'incident_created',
      page: { id: page.id, url: 'https://status.acme.test' },
      incident: {
        id: incident.id,
        name: 'API errors',
        components: [{ id: api.id, name: 'API', status: 'major_outage' }],
      },
      incident_update: { status: 'investigating' },
    });

    // Now the website too: its subscriber hears of this update, and of the resolution.
    await pages.updateIncident(page.id, incident.id, {
      components: { [api.id]: 'major_outage', [web.id]: 'degraded_performance' },
      status: 'identified',
      body: 'A bad deploy; rolling back.',
    });
    t += 60_000;
    await pages.updateIncident(page.id, incident.id, { status: 'resolved', body: 'All good.' });
    await at(t + 1000);
    const subjects = smtp.mails.map((m) => `${m.to[0]} ${m.parsed.subject}`).sort();
    expect(subjects).toEqual(
      [
        'all@example.com [Acme Status] Incident: API errors',
        'all@example.com [Acme Status] Identified: API errors',
        'web@example.com [Acme Status] Identified: API errors',
        'all@example.com [Acme Status] Resolved: API errors',
        'web@example.com [Acme Status] Resolved: API errors',
      ].sort(),
    );
    expect(received.map((r) => JSON.parse(r.body).event)).toEqual([
      'incident_created',
      'incident_updated',
      'incident_resolved',
    ]);
    for (const r of received) verifyWebhook(hook.signing_secret as string, r.headers, r.body);
    // No message names another subscriber.
    for (const m of smtp.mails) expect(m.raw).not.toContain(m.to[0] === 'all@example.com' ? 'web@' : 'all@');

    // The website goes: its subscriber is not told of the API from then on, nor listed as hearing all.
    await pages.deleteComponent(page.id, web.id);
    expect(await subs.get(page.id, webOnly.id)).toMatchObject({ components: [], all_components: false });
    const mailed = smtp.mails.length;
    const apiOnly = await pages.createIncident(page.id, {
      name: 'API slow',
      status: 'investigating',
      components: { [api.id]: 'degraded_performance' },
    });
    await at(t + 1000);
    expect(smtp.mails.slice(mailed).map((m) => m.to[0])).toEqual(['all@example.com']);
    await pages.deleteIncident(page.id, apiOnly.id);
    received.splice(3);

    const counts = await subs.notified(page.id, incident.id);
    expect(counts.map((c) => [c.event, c.queued, c.delivered])).toEqual([
      ['incident_created', 2, 2],
      ['incident_updated', 3, 3],
      ['incident_resolved', 3, 3],
    ]);
    expect(await subs.counts(page.id)).toEqual([
      { page_id: page.id, active: 3, pending: 0, suspended: 0, by_channel: { email: 2, webhook: 1 } },
    ]);
  });

  it('tells chat subscribers through their channel, and keeps a page name from adding headers', async ({
    skip: skipIt,
  }) => {
    if (skip) skipIt();
    const pages = p.ports.statusPages;
    const subs = p.ports.statusSubscriptions;
    const page = await pages.createPage({ name: 'Evil\r\nBcc: thief@example.com', subdomain: 'chatty' });
    await subs.create(page.id, { channel: 'slack', contact: `${hookBase}/slack` });
    await subs.create(page.id, { channel: 'discord', contact: `${hookBase}/api/webhooks/123/abc` });
    await subs.create(page.id, { channel: 'microsoft_teams', contact: `${hookBase}/teams` });
    await subs.create(page.id, { channel: 'email', contact: 'reader@example.com' });
    await expect(
      subs.create(page.id, { channel: 'discord', contact: `${hookBase}/elsewhere` }),
    ).rejects.toThrow(/discord\.com\/api\/webhooks/);
    const before = received.length;
    await pages.createIncident(page.id, {
      name: 'Queue delays',
      status: 'identified',
      body: 'Draining the backlog.',
    });
    await at(t + 1000);
    const got = Object.fromEntries(
      received.slice(before).map((r) => [r.path.replace(/\?.*$/, ''), JSON.parse(r.body)]),
    );
    expect(got['/slack'].text).toContain('Queue delays — Draining the backlog.');
    expect(got['/slack'].text).toContain('/status/chatty/incidents/');
    const embed = got['/api/webhooks/123/abc'].embeds[0];
    expect(embed.title).toBe('Incident: Queue delays');
    expect(embed.description).not.toContain('Acknowledge');
    expect(embed.fields.map((f: { name: string }) => f.name)).toEqual(['Status', 'Update', 'Details']);
    expect(JSON.stringify(got['/teams'])).toContain('Draining the backlog.');
    expect(JSON.stringify(got['/teams'])).not.toContain('Acknowledge');
    const mail = smtp.mails.find((m) => m.to[0] === 'reader@example.com');
    expect(mail?.parsed.bcc).toBeUndefined();
    expect(mail?.raw.split(/\r?\n\r?\n/)[0]).not.toMatch(/^Bcc:/im);
    expect(mail?.parsed.from?.value[0]?.name).toBe('Evil Bcc: thief@example.com');
    expect(mail?.parsed.subject).toBe('[Evil Bcc: thief@example.com] Incident: Queue delays');
  });

  it('escapes what operators wrote in the HTML part of the mail', async ({ skip: skipIt }) => {
    if (skip) skipIt();
    const pages = p.ports.statusPages;
    const page = await pages.createPage({ name: 'A <b>&</b> "Co"', subdomain: 'marked' });
    await p.ports.statusSubscriptions.create(page.id, { channel: 'email', contact: 'html@example.com' });
    await pages.createIncident(page.id, {
      name: '<script>alert(1)</script>',
      status: 'investigating',
      body: '<img src=x onerror=alert(2)> & more',
    });
    await at(t + 1000);
    const mail = smtp.mails.find((m) => m.to[0] === 'html@example.com')?.parsed;
    const html = String(mail?.html);
    expect(html).not.toMatch(/<script|<img|<b>/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt; &amp; more');
    expect(html).toContain('A &lt;b&gt;&amp;&lt;/b&gt; &quot;Co&quot;');
    expect(mail?.text).toContain('<img src=x onerror=alert(2)> & more');
  });

  it('suspends an address the mail server refuses', async ({ skip: skipIt }) => {
    if (skip) skipIt();
    const pages = p.ports.statusPages;
    const page = await pages.createPage({ name: 'Bouncy', subdomain: 'bouncy' });
    smtp.refuse.add('gone@example.com');
    const gone = await p.ports.statusSubscriptions.create(page.id, {
      channel: 'email',
      contact: 'gone@example.com',
    });
    await pages.createIncident(page.id, { name: 'Slow', status: 'investigating' });
    await at(t + 1000);
    const after = await p.ports.statusSubscriptions.get(page.id, gone.id);
    expect(after.status).toBe('suspended');
    expect(after.suspended_reason).toMatch(/550/);
    const before = smtp.mails.length;
    await pages.createIncident(page.id, { name: 'Slow again', status: 'investigating' });
    await at(t + 1000);
    expect(smtp.mails.length).toBe(before);
  });

  it('reminds of maintenance an hour before it starts, once', async ({ skip: skipIt }) => {
    if (skip) skipIt();
    const pages = p.ports.statusPages;
    const page = await pages.createPage({ name: 'Planned', subdomain: 'planned' });
    await p.ports.statusSubscriptions.create(page.id, { channel: 'email', contact: 'ops@example.com' });
    const hook = await p.ports.statusSubscriptions.create(page.id, {
      channel: 'webhook',
      contact: `${hookBase}/planned`,
    });
    const start = t + 5 * HOUR;
    await pages.createIncident(page.id, {
      name: 'Database upgrade',
      status: 'scheduled',
      scheduled_for: new Date(start).toISOString(),
      scheduled_until: new Date(start + HOUR).toISOString(),
      scheduled_remind_prior: true,
      auto_transition_deliver_notifications_at_start: true,
      auto_transition_deliver_notifications_at_end: true,
    });
    const mine = () => smtp.mails.filter((m) => m.to[0] === 'ops@example.com').map((m) => m.parsed.subject);
    await at(t + 1000);
    expect(mine()).toEqual(['[Planned] Scheduled maintenance: Database upgrade']);
    expect(await p.engine.nextDue()).toBeLessThanOrEqual(start - HOUR);
    await at(start - HOUR - 60_000);
    expect(mine()).toHaveLength(1);
    await at(start - HOUR);
    await at(start - HOUR + 60_000);
    expect(mine()).toEqual([
      '[Planned] Scheduled maintenance: Database upgrade',
      `[Planned] Reminder: maintenance Database upgrade starts ${new Date(start).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    ]);
    await at(start);
    await at(start + HOUR);
    expect(mine().slice(2)).toEqual([
      '[Planned] Maintenance in progress: Database upgrade',
      '[Planned] Maintenance completed: Database upgrade',
    ]);
    const hooked = received.filter((r) => r.path === '/planned');
    for (const r of hooked) verifyWebhook(hook.signing_secret as string, r.headers, r.body);
    expect(hooked.map((r) => JSON.parse(r.body).event)).toEqual([
      'maintenance_scheduled',
      'maintenance_reminder',
      'maintenance_started',
      'maintenance_completed',
    ]);
  });

  it('tells a page made private only to the subscribers an operator added', async ({ skip: skipIt }) => {
    if (skip) skipIt();
    const pages = p.ports.statusPages;
    const subs = p.ports.statusSubscriptions;
    const page = await pages.createPage({ name: 'Closing', subdomain: 'closing' });
    expect(
      await subs.subscribe(page.id, {
        channel: 'email',
        contact: 'public@example.com',
        components: [],
        client: '192.0.2.7',
      }),
    ).toBe('created');
    await at(t + 1000);
    // Confirmed as its emailed link would: by its id and link key.
    const row = await p.db
      .selectFrom('status_subscribers')
      .select(['id', 'link_key'])
      .where('address', '=', 'public@example.com')
      .executeTakeFirstOrThrow();
    expect(await subs.confirm({ id: row.id, key: row.link_key })).toBe(true);
    await subs.create(page.id, { channel: 'email', contact: 'staff@example.com' });
    const news = (to: string) =>
      smtp.mails.filter((m) => m.to[0] === to && !/Confirm your subscription/.test(m.parsed.subject ?? ''));

    await pages.createIncident(page.id, { name: 'While public', status: 'investigating' });
    await at(t + 1000);
    expect(news('public@example.com')).toHaveLength(1);
    expect(news('staff@example.com')).toHaveLength(1);

    await pages.updatePage(page.id, { viewers_must_be_team_members: true });
    await pages.createIncident(page.id, { name: 'While private', status: 'investigating' });
    await at(t + 1000);
    expect(news('public@example.com')).toHaveLength(1);
    expect(news('staff@example.com').map((m) => m.parsed.subject)).toEqual([
      expect.stringContaining('While public'),
      expect.stringContaining('While private'),
    ]);
  });

  it('holds news from a pending address, and forgets it after seven days', async ({ skip: skipIt }) => {
    if (skip) skipIt();
    const pages = p.ports.statusPages;
    const subs = p.ports.statusSubscriptions;
    const page = await pages.createPage({ name: 'Opt-in', subdomain: 'optin' });
    const c = await pages.createComponent(page.id, { name: 'API' });
    const request = (contact: string, components: string[]) =>
      subs.subscribe(page.id, { channel: 'email', contact, components, client: '192.0.2.1' });
    await expect(request('new@example.com', ['PNOPE'])).rejects.toThrow(/PNOPE/);
    await expect(request('bad@@example.com', [])).rejects.toThrow(/email address/);
    expect((await subs.list(page.id, { limit: 10, offset: 0 })).items).toEqual([]);
    expect(await request('new@example.com', [c.id])).toBe('created');
    expect(await request('NEW@example.com', [])).toBe('resent');
    await pages.createIncident(page.id, { name: 'Quiet', status: 'investigating' });
    await at(t + 1000);
    const mine = smtp.mails.filter((m) => m.to[0]?.toLowerCase() === 'new@example.com');
    expect(mine.map((m) => m.parsed.subject)).toEqual([
      '[Opt-in] Confirm your subscription to Opt-in',
      '[Opt-in] Confirm your subscription to Opt-in',
    ]);
    expect(mine[0]?.parsed.text).toMatch(
      /https:\/\/vigil\.example\.com\/status\/optin\/confirm\/[\w-]+\.[\w-]+/,
    );
    const [pending] = (await subs.list(page.id, { status: 'pending', limit: 10, offset: 0 })).items;
    expect(pending?.components).toEqual([]);
    await at(t + 8 * DAY);
    await p.statusAutomation.run(t, true);
    expect((await subs.list(page.id, { limit: 10, offset: 0 })).items).toEqual([]);
    // Forgotten from the outbox too: its confirmations stay counted, without the address.
    const sent = await p.db
      .selectFrom('deliveries')
      .select(['address', 'status'])
      .where('event', '=', 'subscription_confirmation')
      .execute();
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(sent).toLowerCase()).not.toContain('new@example.com');
  });
});
