/**
 * The Pingera client against the loopback fake: paging by limit/offset over both pagination
 * styles, credentials, retries for idempotent requests only, and every fault a clear error.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakePingera, startFakePingera } from '../../../test/helpers/fake-pingera.js';
import { silentLogger } from '../../core/log.js';
import { credentialOf, PingeraClient } from './client.js';

describe('Pingera client', () => {
  let fake: FakePingera;
  const slept: number[] = [];
  const client = (auth = 'key-a', timeoutMs = 2000) =>
    new PingeraClient(
      {
        baseUrl: fake.url,
        timeoutMs,
        maxRetries: 3,
        log: silentLogger(),
        userAgent: 'vigil/test',
        sleep: async (ms) => {
          slept.push(ms);
        },
      },
      async () => credentialOf(auth),
    );

  beforeAll(async () => {
    fake = await startFakePingera();
    fake.addAccount(['key-a', 'Bearer jwt-a'], {
      checks: Array.from({ length: 130 }, (_, i) => ({
        name: `Check ${String(i).padStart(3, '0')}`,
        type: 'web',
        url: `https://example.com/${i}`,
      })),
      heartbeats: Array.from({ length: 7 }, (_, i) => ({ name: `Job ${i}`, period_seconds: 3600 })),
    });
  });
  afterAll(async () => {
    await fake?.close();
  });
  beforeEach(() => {
    slept.length = 0;
    fake.clearFaults();
  });

  it('reads limit items from any offset, page by page, and knows when more remain', async () => {
    const all = await client().list<{ name: string }>('/v1/checks', 'checks', {}, 'page_size', 1000, 0);
    expect(all.items).toHaveLength(130);
    expect(all.more).toBe(false);
    const mid = await client().list<{ name: string }>('/v1/checks', 'checks', {}, 'page_size', 110, 15);
    expect(mid.items.map((c) => c.name)).toEqual(all.items.slice(15, 125).map((c) => c.name));
    expect(mid.more).toBe(true);
    const tail = await client().list<{ name: string }>('/v1/checks', 'checks', {}, 'page_size', 10, 125);
    expect(tail.items).toHaveLength(5);
    expect(tail.more).toBe(false);
    const beats = await client('Bearer jwt-a').list('/v1/heartbeats', 'checks', {}, 'per_page', 3, 5);
    expect(beats.items).toHaveLength(2);
    expect(fake.violations()).toEqual([]);
  });

  it('sends a key raw and a JWT as Bearer', async () => {
    await client('key-a').get('/v1/checks', { page: 1, page_size: 1 });
    expect(fake.requests.at(-1)?.headers.authorization).toBe('key-a');
    await client('Bearer jwt-a').get('/v1/checks', { page: 1, page_size: 1 });
    expect(fake.requests.at(-1)?.headers.authorization).toBe('Bearer jwt-a');
  });

  it('retries GETs on 429 (as Retry-After says) and 5xx, never a POST', async () => {
    fake.fail({ kind: '429', path: '/v1/checks', times: 1, retryAfterSeconds: 2 });
    fake.fail({ kind: '500', path: '/v1/checks', times: 1 });
    await client().get('/v1/checks', { page: 1, page_size: 1 });
    expect(slept[0]).toBe(2000);
    expect(slept).toHaveLength(2);

    fake.fail({ kind: '500', method: 'POST', path: '/v1/check-groups', times: 1 });
    const before = fake.requests.length;
    const err = await client()
      .send('POST', '/v1/check-groups', { name: 'G' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UPSTREAM_ERROR', details: { provider: 'pingera', status: 500 } });
    expect(fake.requests.length - before).toBe(1);

    fake.fail({ kind: '500', path: '/v1/checks', times: 10 });
    const gaveUp = await client()
      .get('/v1/checks')
      .catch((e: unknown) => e);
    expect(gaveUp).toMatchObject({ code: 'UPSTREAM_ERROR' });
    expect(slept.length).toBe(2 + 3);
  });

  it('maps 401, 403 (plan limit), 404, 422, malformed JSON and a hang to clear errors', async () => {
    expect(
      await client('key-nobody')
        .get('/v1/checks')
        .catch((e: unknown) => e),
    ).toMatchObject({
      code: 'UNAUTHORIZED',
    });
    fake.fail({ kind: '403', path: '/v1/checks', message: 'Plan limit reached: 10 checks' });
    expect(
      await client()
        .get('/v1/checks')
        .catch((e: unknown) => e),
    ).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('Plan limit reached'),
    });
    expect(await client().find('/v1/checks/nosuchcheck0')).toBeUndefined();
    const invalid = (await client()
      .send('POST', '/v1/checks', { name: 'x', type: 'web' })
      .catch((e: unknown) => e)) as Error;
    expect(invalid).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(invalid.message).not.toContain('[object Object]');
    fake.fail({ kind: 'malformed', path: '/v1/checks' });
    expect(
      await client()
        .get('/v1/checks')
        .catch((e: unknown) => e),
    ).toMatchObject({
      code: 'UPSTREAM_ERROR',
      message: expect.stringContaining('malformed JSON'),
    });
    fake.fail({ kind: 'hang', path: '/v1/checks' });
    const started = Date.now();
    expect(
      await client('key-a', 300)
        .get('/v1/checks')
        .catch((e: unknown) => e),
    ).toMatchObject({
      code: 'UPSTREAM_TIMEOUT',
    });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('a DELETE retried after a 500 finds the item gone: done, not NOT_FOUND', async () => {
    const made = await client().send<{ id: string }>('POST', '/v1/check-groups', { name: 'Doomed' });
    const path = `/v1/check-groups/${made.id}`;
    // As when the first attempt deleted it but its answer was lost: gone before the retry.
    await client().send('DELETE', path);
    fake.fail({ kind: '500', method: 'DELETE', path, times: 1 });
    await expect(client().send('DELETE', path)).resolves.toBeUndefined();
    // Without a retry, a 404 is still NOT_FOUND.
    expect(
      await client()
        .send('DELETE', path)
        .catch((e: unknown) => e),
    ).toMatchObject({ code: 'NOT_FOUND' });
  });
});
