/**
 * How an answer becomes an outcome for every channel that sends over HTTP: 2xx delivered; 408,
 * 429 and 5xx retryable, carrying the wait asked for (the vendor's body field before
 * `Retry-After`, in seconds or as a date); any other 4xx permanent with the vendor's words; a
 * refused address permanent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeServer, listenFake, readBody } from '../../../../../test/helpers/fake-http.js';
import { PermanentDeliveryError, RetryableDeliveryError } from './channel.js';
import { deliver, retryAfter, textAt } from './http.js';

describe('deliver', () => {
  let server: FakeServer;
  let base = '';
  const answers: { status: number; headers?: Record<string, string>; body?: string }[] = [];

  beforeAll(async () => {
    server = await listenFake(async (req, res) => {
      await readBody(req);
      const a = answers.shift() ?? { status: 204 };
      res.writeHead(a.status, a.headers ?? {}).end(a.body ?? '');
    });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server?.close());

  const explain = (body: unknown) => ({
    message: textAt(body, 'message'),
    retryAfterMs:
      typeof (body as { wait?: unknown }).wait === 'number' ? (body as { wait: number }).wait : undefined,
  });
  const outcome = (a: (typeof answers)[number]) => {
    answers.push(a);
    return deliver(`${base}/x`, '{}', { explain }).then(
      (text) => ({ ok: text }),
      (err: Error) => ({
        kind:
          err instanceof PermanentDeliveryError
            ? 'permanent'
            : err instanceof RetryableDeliveryError
              ? 'retry'
              : 'other',
        message: err.message,
        wait: (err as RetryableDeliveryError).retryAfterMs,
      }),
    );
  };

  it('answers the text of a 2xx', async () => {
    expect(await outcome({ status: 200, body: 'ok' })).toEqual({ ok: 'ok' });
  });

  it('fails a 4xx for good with the vendor message, or its text when the body is not JSON', async () => {
    expect(await outcome({ status: 404, body: '{"message":"Unknown Webhook"}' })).toEqual({
      kind: 'permanent',
      message: `127.0.0.1:${server.port} refused the message (HTTP 404): Unknown Webhook`,
      wait: undefined,
    });
    expect(await outcome({ status: 403, body: 'forbidden\n' })).toMatchObject({
      kind: 'permanent',
      message: expect.stringMatching(/\(HTTP 403\): forbidden$/),
    });
  });

  it('retries 408, 429 and 5xx, with the body field before Retry-After', async () => {
    expect(await outcome({ status: 408 })).toMatchObject({ kind: 'retry', wait: undefined });
    expect(await outcome({ status: 503, headers: { 'retry-after': '120' } })).toMatchObject({
      kind: 'retry',
      message: `HTTP 503 from 127.0.0.1:${server.port}`,
      wait: 120_000,
    });
    expect(
      await outcome({
        status: 429,
        headers: { 'retry-after': '9' },
        body: '{"message":"slow down","wait":2500}',
      }),
    ).toMatchObject({ kind: 'retry', message: expect.stringMatching(/: slow down$/), wait: 2500 });
  });

  it('refuses a cloud metadata address for good, without connecting', async () => {
    await expect(deliver('http://169.254.169.254/latest', '{}')).rejects.toBeInstanceOf(
      PermanentDeliveryError,
    );
  });
});

describe('retryAfter', () => {
  it('reads delay-seconds and HTTP dates, and nothing else', () => {
    expect(retryAfter('7')).toBe(7000);
    expect(retryAfter('1.5')).toBe(1500);
    const at = retryAfter(new Date(Date.now() + 60_000).toUTCString()) as number;
    expect(at).toBeGreaterThan(58_000);
    expect(at).toBeLessThanOrEqual(60_000);
    expect(retryAfter(new Date(Date.now() - 60_000).toUTCString())).toBe(0);
    expect(retryAfter('soon')).toBeUndefined();
    expect(retryAfter(undefined)).toBeUndefined();
  });
});
