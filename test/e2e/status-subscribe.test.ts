/**
 * Subscribing from a status page over real HTTP, with a real SMTP server on loopback: double
 * opt-in (nothing sent before the link is followed), the same answer for a new and a known
 * address, a GET that changes nothing, one-click unsubscribe by POST, and bad input — malformed
 * addresses, header injection, a 1 MB body, unknown components, another site's form, replayed,
 * altered or expired links, too many requests — each a clear answer with nothing stored. A
 * private page offers no subscription. On SQLite and PostgreSQL.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusPage } from '../../src/core/status-pages.js';
import { subscriberTokens } from '../../src/core/status-subscriptions.js';
import { type InProcess, serveInProcess } from '../helpers/in-process.js';
import { type SmtpCapture, smtpCapture } from '../helpers/smtp.js';
import { STORES, storeAvailable } from '../helpers/stores.js';

const SECRET = 'status-subscribe-test-secret-of-32-characters-or-more';

describe.each(STORES)('subscribing from a status page on $kind', (store) => {
  let skip = false;
  let smtp: SmtpCapture;
  let served: InProcess;
  let page: StatusPage;
  let api = '';

  const subscriptions = () =>
    served.rt.embedded.ports.statusSubscriptions.list(page.id, { limit: 100, offset: 0 });
  const form = async (path = '/status/acme') =>
    /name="csrf" value="([^"]+)"/.exec(await (await fetch(`${served.base}${path}`)).text())?.[1] ?? '';
  const post = (path: string, body: string | URLSearchParams, headers: Record<string, string> = {}) =>
    fetch(`${served.base}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: body.toString(),
    });
  const subscribe = async (email: string, extra: [string, string][] = []) =>
    post('/status/acme/subscribe', new URLSearchParams([['csrf', await form()], ['email', email], ...extra]));
  const deliver = () => served.rt.embedded.engine.tick();
  const linkIn = (text: string, kind: string) =>
    new URL(new RegExp(`https?://\\S+/${kind}/[\\w-]+\\.[\\w-]+`).exec(text)?.[0] as string).pathname;

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    const { dataDir, databaseUrl } = await store.open();
    smtp = await smtpCapture();
    served = await serveInProcess({
      VIGIL_DATA_DIR: dataDir,
      ...(databaseUrl && { VIGIL_DATABASE_URL: databaseUrl }),
      VIGIL_SECRET_KEY: SECRET,
      VIGIL_SMTP_URL: smtp.url,
      VIGIL_SMTP_FROM: 'Status <status@example.com>',
    });
    const pages = served.rt.embedded.ports.statusPages;
    page = await pages.createPage({ name: 'Acme', subdomain: 'acme', allow_email_subscribers: true });
    api = (await pages.createComponent(page.id, { name: 'API' })).id;
    await pages.createPage({
      name: 'Inside',
      subdomain: 'inside',
      allow_email_subscribers: true,
      viewers_must_be_team_members: true,
    });
    await pages.createPage({ name: 'Quiet', subdomain: 'quiet' });
    await pages.createPage({ name: 'Hooks', subdomain: 'hooks', allow_webhook_subscribers: true });
  }, 30_000);
  afterAll(async () => {
    await served?.close();
    await smtp?.close();
  });

  it('shows the form only on a public page that takes subscribers', async ({ skip: s }) => {
    if (skip) s();
    const html = await (await fetch(`${served.base}/status/acme`)).text();
    expect(html).toContain('action="/status/acme/subscribe"');
    expect(html).toContain(`name="component" value="${api}"`);
    expect(await (await fetch(`${served.base}/status/quiet`)).text()).not.toContain('/subscribe');
    const refused = await post('/status/inside/subscribe', 'csrf=x&email=a%40example.com');
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('private: it takes no public subscriptions');
    expect((await post('/status/quiet/subscribe', 'email=a%40example.com')).status).toBe(403);
  });

  it('refuses bad input with a clear answer and stores nothing', async ({ skip: s }) => {
    if (skip) s();
    const cases: [string, number, RegExp][] = [
      ['not-an-address', 400, /Give an email address/],
      ['a@b', 400, /Give an email address/],
      ['ann@example.com\r\nBcc: all@example.com', 400, /Give an email address/],
      ['"Evil\r\nBcc: x@example.com" <ann@example.com>', 400, /Give an email address/],
      [`${'a'.repeat(300)}@example.com`, 400, /Give an email address/],
    ];
    for (const [email, status, said] of cases) {
      const res = await subscribe(email);
      expect(res.status, email).toBe(status);
      expect(await res.text()).toMatch(said);
    }
    const unknown = await subscribe('ann@example.com', [['component', 'PNOPE']]);
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('No component on this status page with id &#39;PNOPE&#39;');
    const huge = await post(
      '/status/acme/subscribe',
      `csrf=${await form()}&email=ann%40example.com&x=${'a'.repeat(1 << 20)}`,
    );
    expect(huge.status).toBe(413);
    const noToken = await post('/status/acme/subscribe', 'email=ann%40example.com');
    expect(noToken.status).toBe(403);
    const otherSite = await post('/status/acme/subscribe', `csrf=${await form()}&email=ann%40example.com`, {
      origin: 'https://evil.example',
    });
    expect(otherSite.status).toBe(403);
    expect((await subscriptions()).items).toEqual([]);
    await deliver();
    expect(smtp.mails).toEqual([]);
  });

  it('confirms by a link and a button, answering a known address as a new one', async ({ skip: s }) => {
    if (skip) s();
    const first = await subscribe('Ann@Example.com', [['component', api]]);
    expect(first.status).toBe(200);
    const answer = await first.text();
    expect(answer).toContain('Check your inbox');
    expect(answer).not.toContain('Ann@Example.com');
    await deliver();
    expect(smtp.mails.map((m) => m.to.map((a) => a.toLowerCase()))).toEqual([['ann@example.com']]);
    const confirm = linkIn(smtp.mails[0]?.parsed.text ?? '', 'confirm');
    // The GET a mail scanner makes confirms nothing.
    const opened = await fetch(`${served.base}${confirm}`);
    expect(opened.status).toBe(200);
    expect((await subscriptions()).items[0]?.status).toBe('pending');
    // An altered link, a manage link used to confirm, an expired one.
    expect((await fetch(`${served.base}${confirm}x`)).status).toBe(400);
    const token = confirm.split('/').pop() as string;
    const signer = subscriberTokens(() => createHash('sha256').update(SECRET).digest());
    const opening = signer.open(token);
    expect(opening.ok).toBe(true);
    if (!opening.ok) return;
    const expired = signer.issue(opening.ref, 'confirm', Date.now() - 3 * 86_400_000);
    const gone = await fetch(`${served.base}/status/acme/confirm/${expired}`);
    expect(gone.status).toBe(410);
    expect(await gone.text()).toContain('48 hours');

    const csrf = /name="csrf" value="([^"]+)"/.exec(await opened.text())?.[1] as string;
    const done = await post(confirm, `csrf=${csrf}`);
    expect(done.status).toBe(303);
    const manage = done.headers.get('location') as string;
    expect(manage).toMatch(/^\/status\/acme\/manage\/[\w-]+\.[\w-]+\?done=confirmed$/);
    const managed = await (await fetch(`${served.base}${manage}`)).text();
    expect(managed).toContain('Subscribed.');
    expect(managed).toContain('A•••@Example.com');
    expect(managed).toContain(`value="${api}" checked`);
    // Replayed: a clear answer, nothing new.
    const again = await post(confirm, `csrf=${csrf}`);
    expect(again.headers.get('location')).toMatch(/done=already$/);
    const [subscription] = (await subscriptions()).items;
    expect(subscription).toMatchObject({ status: 'active', contact: 'Ann@Example.com', components: [api] });
    // Never on a public route.
    for (const route of [
      '',
      '/api/v2/summary.json',
      '/api/v2/incidents.json',
      '/history.rss',
      '/history.atom',
    ]) {
      const text = (await (await fetch(`${served.base}/status/acme${route}`)).text()).toLowerCase();
      expect(text, route).not.toContain('ann@example.com');
    }

    // The same address again: the same answer, and a note to the address rather than a change.
    const known = await subscribe('ann@example.com');
    expect(known.status).toBe(200);
    expect(await known.text()).toBe(answer);
    await deliver();
    expect(smtp.mails.at(-1)?.parsed.subject).toBe('[Acme] Your subscription to Acme');
    expect((await subscriptions()).items).toHaveLength(1);
  });

  it('unsubscribes with one POST, and says so when it is replayed', async ({ skip: s }) => {
    if (skip) s();
    const [subscription] = (await subscriptions()).items;
    await served.rt.embedded.ports.statusPages.createIncident(page.id, {
      name: 'API down',
      status: 'investigating',
      components: { [api]: 'major_outage' },
    });
    await deliver();
    const news = smtp.mails.at(-1)?.parsed;
    expect(news?.subject).toBe('[Acme] Incident: API down');
    // This server's address is plain http: the link is offered, one-click (https only) is not.
    const headers = news?.headerLines.map((h) => h.line) ?? [];
    expect(headers).toContainEqual(
      expect.stringMatching(/^List-Unsubscribe:\s+<http:\/\/127\.0\.0\.1:\d+\/status\/acme\/unsubscribe\//),
    );
    expect(headers.filter((h) => /^List-Unsubscribe-Post:/i.test(h))).toEqual([]);
    const unsubscribe = linkIn(news?.text ?? '', 'unsubscribe');
    expect((await fetch(`${served.base}${unsubscribe}`)).status).toBe(200);
    expect((await subscriptions()).items).toHaveLength(1);
    const res = await post(unsubscribe, 'List-Unsubscribe=One-Click', { origin: 'https://mail.example' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('no more updates');
    expect((await subscriptions()).items).toEqual([]);
    // Its address goes from the mail it was sent too.
    const sent = await served.rt.embedded.db
      .selectFrom('deliveries')
      .select('address')
      .where('subscriber_id', '=', subscription?.id as string)
      .execute();
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((d) => d.address === '')).toBe(true);
    const replay = await post(unsubscribe, 'List-Unsubscribe=One-Click');
    expect(replay.status).toBe(200);
    expect((await fetch(`${served.base}${unsubscribe.replace('/unsubscribe/', '/manage/')}`)).status).toBe(
      410,
    );
  });

  it('takes a webhook from the page only on a public https address', async ({ skip: s }) => {
    if (skip) s();
    const token = await form('/status/hooks');
    for (const url of [
      'http://example.com/hook',
      'https://127.0.0.1/hook',
      'https://localhost/hook',
      'https://[::1]/x',
      'https://10.1.2.3/x',
      'https://169.254.169.254/latest',
    ]) {
      const res = await post('/status/hooks/subscribe', new URLSearchParams({ csrf: token, webhook: url }));
      expect(res.status, url).toBe(400);
      expect(await res.text()).toContain('an https:// URL on a public address');
    }
    // This page takes webhooks, not email.
    const mail = await post(
      '/status/hooks/subscribe',
      new URLSearchParams({ csrf: token, email: 'a@example.com' }),
    );
    expect(mail.status).toBe(403);
    const hooksPage = (await served.rt.embedded.ports.statusPages.getPage('hooks'))?.id as string;
    expect(
      (await served.rt.embedded.ports.statusSubscriptions.list(hooksPage, { limit: 10, offset: 0 })).items,
    ).toEqual([]);
  });

  it('limits subscribe requests per address', async ({ skip: s }) => {
    if (skip) s();
    const answers: number[] = [];
    for (let n = 0; n < 4; n++) answers.push((await subscribe('bob@example.com')).status);
    expect(answers).toEqual([200, 200, 200, 429]);
    expect(await (await subscribe('bob@example.com')).text()).toContain('given several times');
    // Ann twice and Bob three times so far; ten a client in ten minutes.
    for (let n = 0; n < 5; n++) expect((await subscribe(`c${n}@example.com`)).status).toBe(200);
    const flood = await subscribe('c5@example.com');
    expect(flood.status).toBe(429);
    // Retry-After: when the oldest request counted leaves the ten-minute window.
    expect(Number(flood.headers.get('retry-after'))).toBeGreaterThan(500);
    expect(Number(flood.headers.get('retry-after'))).toBeLessThanOrEqual(600);
    expect(await flood.text()).toContain('from your address');
    expect((await subscriptions()).items.map((s) => s.contact).sort()).toEqual([
      'bob@example.com',
      'c0@example.com',
      'c1@example.com',
      'c2@example.com',
      'c3@example.com',
      'c4@example.com',
    ]);
  });
});
