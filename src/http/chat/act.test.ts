/**
 * The gate both chat endpoints pass a request through before reading it: another method is 405,
 * an endpoint without its settings is 404 naming them, and neither acts on anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeServer, listenFake } from '../../../test/helpers/fake-http.js';
import { chatButtons } from '../../core/chat-action.js';
import { silentLogger } from '../../core/log.js';
import type { ChatDeps } from './act.js';
import { serveSlackInteractivity } from './slack-route.js';
import { serveTelegramWebhook } from './telegram-route.js';

/** No signing secret and no bot: neither endpoint is set up. An incident port that is touched fails the test. */
const deps: ChatDeps = {
  incidents: new Proxy({}, { get: () => expect.unreachable('an incident was touched') }) as never,
  buttons: chatButtons(() => Buffer.from('test secret')),
  log: silentLogger(),
  maxBodyBytes: 1024,
};

describe('chat endpoints that are not set up', () => {
  let server: FakeServer;
  let base = '';
  beforeAll(async () => {
    server = await listenFake((req, res) =>
      req.url === '/slack' ? serveSlackInteractivity(req, res, deps) : serveTelegramWebhook(req, res, deps),
    );
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server?.close());

  it.each([
    ['/slack', 'VIGIL_SLACK_SIGNING_SECRET'],
    ['/telegram', 'VIGIL_TELEGRAM_WEBHOOK_SECRET'],
  ])('%s answers 404 naming its settings, and 405 to a GET', async (path, setting) => {
    const res = await fetch(`${base}${path}`, { method: 'POST', body: 'payload=%7B%7D' });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('NOT_FOUND');
    expect(body.error.message).toContain(setting);
    const get = await fetch(`${base}${path}`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });
});
