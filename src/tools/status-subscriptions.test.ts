/**
 * The subscriber tools through a real MCP client on SQLite and PostgreSQL: an operator's
 * subscribers confirmed at once (a webhook's secret shown once), listed, counted, filtered and
 * deleted; how many each incident update reached; bad input naming its parameter with nothing
 * stored; writes refused in read-only mode.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, openHarness } from '../../test/helpers/harness.js';
import { STORES, storeAvailable } from '../../test/helpers/stores.js';

describe.each(STORES)('status page subscription tools on $kind', (store) => {
  let h: Harness;
  let hooks: Server;
  let hook = '';
  let skip = false;
  let pageId = '';
  let api = '';

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    hooks = createServer((_req, res) => res.writeHead(204).end());
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    hook = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`;
    h = await openHarness({ store: await store.open() });
    pageId = (await h.ok('create_page', { name: 'Acme', subdomain: 'acme' })).pages[0].id;
    api = (await h.ok('create_component', { page_id: 'acme', name: 'API' })).components[0].id;
  });
  afterAll(async () => {
    await h?.close();
    hooks?.close();
  });

  it('creates, lists, counts and deletes subscribers', async ({ skip: s }) => {
    if (skip) s();
    const mail = (
      await h.ok('create_status_page_subscription', {
        page_id: 'acme',
        channel: 'email',
        contact: 'ops@example.com',
        components: [api],
      })
    ).subscriptions[0];
    expect(mail).toMatchObject({
      type: 'status_page_subscription',
      status_page: { id: pageId, type: 'status_page' },
      subscribable_object: { id: pageId, type: 'status_page' },
      channel: 'email',
      contact: 'ops@example.com',
      status: 'active',
      components: [api],
      origin: 'operator',
    });
    const webhook = (
      await h.ok('create_status_page_subscription', { page_id: pageId, channel: 'webhook', contact: hook })
    ).subscriptions[0];
    expect(webhook.signing_secret).toMatch(/^whsec_/);
    const got = (await h.ok('get_status_page_subscription', { page_id: 'acme', subscription_id: webhook.id }))
      .subscriptions[0];
    expect(got.signing_secret).toBeUndefined();
    const listed = await h.ok('list_status_page_subscriptions', { page_id: 'acme', channel: 'email' });
    expect(listed.subscriptions.map((x: { id: string }) => x.id)).toEqual([mail.id]);
    expect(
      (await h.ok('list_status_page_subscriptions', { page_id: 'acme', status: 'pending' })).subscriptions,
    ).toEqual([]);
    expect((await h.ok('get_status_page_subscription_counts', { page_id: 'acme' })).counts).toEqual([
      { page_id: pageId, active: 2, pending: 0, suspended: 0, by_channel: { email: 1, webhook: 1 } },
    ]);

    const incident = (
      await h.ok('create_incident', {
        page_id: 'acme',
        name: 'Slow',
        status: 'investigating',
        body: 'Looking.',
      })
    ).incidents[0];
    await h.ok('add_incident_update', {
      page_id: 'acme',
      incident_id: incident.id,
      status: 'resolved',
      body: 'Fixed.',
    });
    await h.rt.embedded.engine.tick();
    const counts = (
      await h.ok('get_incident_notification_counts', { page_id: 'acme', incident_id: incident.id })
    ).notifications;
    // No SMTP server here: the email is recorded as not sent, the webhook as delivered.
    expect(counts.map((c: Record<string, unknown>) => [c.event, c.queued, c.delivered, c.failed])).toEqual([
      ['incident_created', 2, 1, 1],
      ['incident_resolved', 2, 1, 1],
    ]);

    // An update queued, then its email subscriber leaves before it is sent: it reached one.
    await h.ok('add_incident_update', {
      page_id: 'acme',
      incident_id: incident.id,
      status: 'resolved',
      body: 'Fixed for good.',
    });
    expect(
      (await h.ok('delete_status_page_subscription', { page_id: 'acme', subscription_id: mail.id }))
        .subscriptions[0].id,
    ).toBe(mail.id);
    await h.rt.embedded.engine.tick();
    const last = (
      await h.ok('get_incident_notification_counts', { page_id: 'acme', incident_id: incident.id })
    ).notifications.find(
      (c: { update_id: string }) => !counts.some((o: { update_id: string }) => o.update_id === c.update_id),
    );
    expect([last.queued, last.delivered, last.failed, last.pending]).toEqual([1, 1, 0, 0]);
    const gone = await h.call('get_status_page_subscription', { page_id: 'acme', subscription_id: mail.id });
    expect(gone.body.error.code).toBe('NOT_FOUND');
  });

  it('refuses bad input, naming the parameter, and stores nothing', async ({ skip: s }) => {
    if (skip) s();
    const before = (await h.ok('get_status_page_subscription_counts', {})).counts;
    const cases: [Record<string, unknown>, string, string][] = [
      [{ channel: 'email', contact: 'not an address' }, 'VALIDATION_ERROR', 'contact'],
      [{ channel: 'email', contact: 'a@example.com\r\nBcc: b@example.com' }, 'VALIDATION_ERROR', 'contact'],
      [{ channel: 'slack', contact: 'javascript:alert(1)' }, 'VALIDATION_ERROR', 'contact'],
      [{ channel: 'email', contact: 'x@example.com', components: ['PNOPE'] }, 'NOT_FOUND', 'components'],
      [{ channel: 'pager', contact: 'x@example.com' }, 'VALIDATION_ERROR', 'channel'],
      [{ channel: 'webhook', contact: hook }, 'CONFLICT', ''],
    ];
    for (const [args, code, parameter] of cases) {
      const r = await h.call('create_status_page_subscription', { page_id: 'acme', ...args });
      expect(r.isError, JSON.stringify(args)).toBe(true);
      expect(r.body.error.code).toBe(code);
      if (parameter) expect(JSON.stringify(r.body.error)).toContain(parameter);
    }
    expect((await h.ok('get_status_page_subscription_counts', {})).counts).toEqual(before);
  });

  it('refuses writes in read-only mode', async ({ skip: s }) => {
    if (skip) s();
    const reader = await h.as({ mode: 'read_only' });
    const r = await reader.call('create_status_page_subscription', {
      page_id: 'acme',
      channel: 'email',
      contact: 'ro@example.com',
    });
    expect(r.body.error.code).toBe('READ_ONLY');
    expect(
      (await reader.ok('list_status_page_subscriptions', { page_id: 'acme' })).subscriptions,
    ).toHaveLength(1);
  });
});
