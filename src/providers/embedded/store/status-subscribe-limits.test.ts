/**
 * Subscribe limits counted in the store: on PostgreSQL from two nodes on one database, where
 * requests arriving at once on both nodes are counted together (on SQLite, which one process
 * writes, the same requests all reach one node), so a contact gets three and a client ten in ten
 * minutes however the requests are spread (an IPv6 client by its /64); a refused request stores
 * nothing and costs nothing; the window slides; the counts keep no address and are forgotten once
 * out of the window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, storeAvailable } from '../../../../test/helpers/stores.js';
import type { Clock } from '../../../core/clock.js';
import { silentLogger } from '../../../core/log.js';
import {
  type PublicSubscribeRequest,
  SUBSCRIBE_WINDOW_MS,
  SubscribeLimitError,
} from '../../../core/status-subscriptions.js';
import { createEmbeddedProvider, type EmbeddedProvider } from '../index.js';
import { clientNetwork, forgetSubscribeRequests } from './status-subscribe-limits.js';

describe('the network a client is counted as', () => {
  it('is an IPv4 address as it is, and an IPv6 address by its /64', () => {
    expect(clientNetwork('203.0.113.7')).toBe('203.0.113.7');
    expect(clientNetwork('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientNetwork('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientNetwork('2001:0DB8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64');
    expect(clientNetwork('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientNetwork('1::2:3:4:5:1.2.3.4')).toBe('1:0:2:3::/64');
    expect(clientNetwork('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientNetwork('::1')).toBe('0:0:0:0::/64');
  });
});

describe.each(STORES)('subscribe limits on $kind', (store) => {
  let a: EmbeddedProvider;
  let b: EmbeddedProvider;
  let skip = false;
  let pageId = '';
  let t = Date.parse('2026-06-01T10:00:00Z');
  const clock: Clock = { now: () => t };

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    const opened = await store.open();
    a = await createEmbeddedProvider({ ...opened, log: silentLogger(), clock });
    b =
      store.kind === 'postgres' ? await createEmbeddedProvider({ ...opened, log: silentLogger(), clock }) : a;
    pageId = (await a.ports.statusPages.createPage({ name: 'Acme', allow_email_subscribers: true })).id;
  });
  afterAll(async () => {
    await a?.close();
    if (b !== a) await b?.close();
  });

  const request = (node: EmbeddedProvider, r: Partial<PublicSubscribeRequest>) =>
    node.ports.statusSubscriptions.subscribe(pageId, {
      channel: 'email',
      contact: 'ann@example.com',
      components: [],
      client: '192.0.2.1',
      ...r,
    });
  /** The limit each refusal names, and how many went through. */
  const outcomes = async (requests: Promise<unknown>[]) => {
    const settled = await Promise.allSettled(requests);
    return {
      passed: settled.filter((s) => s.status === 'fulfilled').length,
      refused: settled.flatMap((s) => {
        if (s.status === 'fulfilled') return [];
        if (!(s.reason instanceof SubscribeLimitError)) throw s.reason;
        return [s.reason.by];
      }),
    };
  };
  const contacts = async () =>
    (await a.ports.statusSubscriptions.list(pageId, { limit: 100, offset: 0 })).items.map((s) => s.contact);

  it('lets one contact through three times in ten minutes across both nodes', async ({ skip: s }) => {
    if (skip) s();
    // A refused form (an unknown component) is not counted.
    await expect(request(a, { components: ['PNOPE'] })).rejects.toThrow(/PNOPE/);
    const all = await outcomes(
      Array.from({ length: 8 }, (_, i) => request(i % 2 ? a : b, { client: `198.51.100.${i}` })),
    );
    expect(all).toEqual({ passed: 3, refused: ['contact', 'contact', 'contact', 'contact', 'contact'] });
    expect(await contacts()).toEqual(['ann@example.com']);
    t += 4 * 60_000;
    const late = await request(b, { client: '198.51.100.99' }).catch((err: unknown) => err);
    expect(late).toBeInstanceOf(SubscribeLimitError);
    expect((late as SubscribeLimitError).retryAfterMs).toBe(SUBSCRIBE_WINDOW_MS - 4 * 60_000);
    // The window slides: once the first three are ten minutes old, the address may ask again.
    t += SUBSCRIBE_WINDOW_MS - 4 * 60_000 + 1;
    expect(await request(a, { client: '198.51.100.99' })).toBe('resent');
  });

  it('lets one client through ten times in ten minutes across both nodes', async ({ skip: s }) => {
    if (skip) s();
    t += SUBSCRIBE_WINDOW_MS;
    const all = await outcomes(
      Array.from({ length: 12 }, (_, i) =>
        request(i % 2 ? a : b, { contact: `c${i}@example.com`, client: '203.0.113.7' }),
      ),
    );
    expect(all).toEqual({ passed: 10, refused: ['client', 'client'] });
    // Another address in the same IPv6 /64 is the same client.
    const v6 = await outcomes(
      Array.from({ length: 11 }, (_, i) =>
        request(i % 2 ? a : b, { contact: `v${i}@example.com`, client: `2001:db8:1:2::${i + 1}` }),
      ),
    );
    expect(v6).toEqual({ passed: 10, refused: ['client'] });
    // Refused requests stored nothing: twenty new addresses beside Ann.
    expect(await contacts()).toHaveLength(21);
    expect(await request(b, { contact: 'other@example.com', client: '203.0.113.8' })).toBe('created');
  });

  it('keeps no address in its counts, and forgets them once out of the window', async ({ skip: s }) => {
    if (skip) s();
    const rows = await a.db.selectFrom('status_subscribe_limits').selectAll().execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toMatch(/example\.com|203\.0\.113|198\.51\.100|2001:db8/);
    // Counts last touched ten minutes before go; those touched since stay.
    await forgetSubscribeRequests(a.db, t + SUBSCRIBE_WINDOW_MS);
    const kept = await a.db.selectFrom('status_subscribe_limits').select('last_at').execute();
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(rows.length);
    expect(kept.every((r) => Number(r.last_at) === t)).toBe(true);
    expect(await forgetSubscribeRequests(a.db, t + SUBSCRIBE_WINDOW_MS + 1)).toBe(kept.length);
  });
});
