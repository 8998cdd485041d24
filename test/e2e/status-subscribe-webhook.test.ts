/**
 * A webhook subscribed from the public status page: the page's form takes a URL, the URL gets a
 * ping signed as every Vigil webhook that carries its signing secret and a link to confirm, and
 * once the link's button is pressed it receives each update, verified with the Standard Webhooks
 * library. The page answers a known URL as a new one; by default only https URLs on public
 * addresses are taken (a stranger's form must not make the server post into its own network).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { subscriberTokens } from '../../src/core/status-subscriptions.js';
import { STATUS_PATH, type StatusDeps, serveStatus } from '../../src/http/status/route.js';
import { createEmbeddedProvider, type EmbeddedProvider } from '../../src/providers/embedded/index.js';
import { tempDir } from '../helpers/vigil.js';
import { verifyWebhook } from '../helpers/webhooks.js';

const SECRET = 'webhook-subscribe-test-secret-of-32-characters-or-more';

describe('a webhook subscribed from the status page', () => {
  let p: EmbeddedProvider;
  let web: Server;
  let hooks: Server;
  let base = '';
  let hookUrl = '';
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  let lenient = true;

  const post = (path: string, body: string) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
  const csrf = async (path: string) =>
    /name="csrf" value="([^"]+)"/.exec(await (await fetch(`${base}${path}`)).text())?.[1] ?? '';

  beforeAll(async () => {
    hooks = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/in`;
    let deps: StatusDeps | undefined;
    web = createServer((req, res) => {
      const m = STATUS_PATH.exec(new URL(req.url ?? '/', 'http://x').pathname);
      if (!m || !deps) {
        res.writeHead(404).end();
        return;
      }
      void serveStatus(req, res, deps, { ref: m[1] as string, rest: m[2] ?? '' });
    });
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
    p = await createEmbeddedProvider({
      dataDir: tempDir(),
      log: silentLogger(),
      publicUrl: base,
      secretKey: SECRET,
    });
    deps = {
      pages: p.ports.statusPages,
      publicUrl: base,
      subscriptions: {
        port: p.ports.statusSubscriptions,
        tokens: subscriberTokens(() => createHash('sha256').update(SECRET).digest()),
        // No SMTP here: the pages offer webhooks only.
        sendsEmail: false,
        // This test's receiver is on loopback: let it through only while `lenient`.
        checkWebhook: async (url) => (lenient ? undefined : `not ${url}`),
      },
    };
    await p.ports.statusPages.createPage({
      name: 'Hooks',
      subdomain: 'hooks',
      allow_webhook_subscribers: true,
    });
  });
  afterAll(async () => {
    await p?.close();
    web?.close();
    hooks?.close();
  });

  it('pings with the secret and a confirm link, then sends signed updates', async () => {
    const html = await (await fetch(`${base}/status/hooks`)).text();
    expect(html).toContain('name="webhook"');
    expect(html).not.toContain('name="email"');
    const token = await csrf('/status/hooks');
    const first = await post(
      '/status/hooks/subscribe',
      new URLSearchParams({ csrf: token, webhook: hookUrl }).toString(),
    );
    expect(first.status).toBe(200);
    const answer = await first.text();
    expect(answer).toContain('Check your endpoint');
    await p.engine.tick();
    expect(received).toHaveLength(1);
    const ping = JSON.parse(received[0]?.body ?? '{}');
    expect(ping).toMatchObject({ event: 'subscription_confirmation', page: { name: 'Hooks' } });
    expect(ping.signing_secret).toMatch(/^whsec_/);
    verifyWebhook(ping.signing_secret, received[0]?.headers ?? {}, received[0]?.body ?? '');
    const confirm = new URL(ping.confirm_url).pathname;
    expect(confirm).toMatch(/^\/status\/hooks\/confirm\//);

    // Before confirming: nothing but the ping.
    const page = (await p.ports.statusPages.getPage('hooks'))?.id as string;
    await p.ports.statusPages.createIncident(page, { name: 'Early', status: 'investigating' });
    await p.engine.tick();
    expect(received).toHaveLength(1);

    const opened = await (await fetch(`${base}${confirm}`)).text();
    expect(opened).toContain('Press the button to start receiving updates at the webhook.');
    const form = /name="csrf" value="([^"]+)"/.exec(opened)?.[1] ?? '';
    const done = await post(confirm, `csrf=${form}`);
    expect(done.status).toBe(303);
    const [subscription] = (await p.ports.statusSubscriptions.list(page, { limit: 10, offset: 0 })).items;
    expect(subscription).toMatchObject({
      channel: 'webhook',
      contact: hookUrl,
      status: 'active',
      origin: 'page',
    });

    // The same URL again: the same answer; a note, no second secret.
    const again = await post(
      '/status/hooks/subscribe',
      new URLSearchParams({ csrf: token, webhook: hookUrl }).toString(),
    );
    expect(await again.text()).toBe(answer);
    await p.engine.tick();
    const note = JSON.parse(received[1]?.body ?? '{}');
    expect(note.event).toBe('subscription_exists');
    expect(note.signing_secret).toBeUndefined();

    await p.ports.statusPages.createIncident(page, { name: 'Database slow', status: 'investigating' });
    await p.engine.tick();
    const news = received[2];
    verifyWebhook(ping.signing_secret, news?.headers ?? {}, news?.body ?? '');
    expect(JSON.parse(news?.body ?? '{}')).toMatchObject({
      event: 'incident_created',
      incident: { name: 'Database slow' },
    });
  });

  it('offers no email where the server sends none', async () => {
    await p.ports.statusPages.createPage({
      name: 'Mailless',
      subdomain: 'mailless',
      allow_email_subscribers: true,
      allow_webhook_subscribers: true,
    });
    const html = await (await fetch(`${base}/status/mailless`)).text();
    expect(html).toContain('name="webhook"');
    expect(html).not.toContain('name="email"');
    const token = await csrf('/status/mailless');
    const res = await post(
      '/status/mailless/subscribe',
      new URLSearchParams({ csrf: token, email: 'a@example.com' }).toString(),
    );
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('does not take email subscriptions');
    const page = (await p.ports.statusPages.getPage('mailless'))?.id as string;
    expect((await p.ports.statusSubscriptions.list(page, { limit: 10, offset: 0 })).items).toEqual([]);
  });

  it('takes only public https URLs by default, storing nothing otherwise', async () => {
    lenient = false;
    const token = await csrf('/status/hooks');
    for (const url of ['ftp://example.com/x', 'not a url']) {
      const res = await post(
        '/status/hooks/subscribe',
        new URLSearchParams({ csrf: token, webhook: url }).toString(),
      );
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('nothing was stored');
    }
    const page = (await p.ports.statusPages.getPage('hooks'))?.id as string;
    expect((await p.ports.statusSubscriptions.list(page, { limit: 10, offset: 0 })).items).toHaveLength(1);
    lenient = true;
  });
});
