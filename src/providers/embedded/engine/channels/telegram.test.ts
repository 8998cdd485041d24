/**
 * The telegram channel against a fake Bot API (test/helpers/fake-chat.ts): `sendMessage` to the
 * bot's path with the chat id, the text and an inline keyboard; a 400 fails at once with
 * Telegram's description; a 429 is retried after `retry_after`, by the engine's own clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTelegram, fakeTelegram, pageMessage } from '../../../../../test/helpers/fake-chat.js';
import { tempDir } from '../../../../../test/helpers/vigil.js';
import { addressProblem, checkChannelConfiguration } from '../../../../core/channels.js';
import { chatButtons } from '../../../../core/chat-action.js';
import { silentLogger } from '../../../../core/log.js';
import { createEmbeddedProvider } from '../../index.js';
import { PermanentDeliveryError, RetryableDeliveryError } from './channel.js';
import { telegramChannel } from './telegram.js';

const buttons = chatButtons(() => Buffer.from('test secret for telegram buttons'));

describe('telegram channel', () => {
  let fake: FakeTelegram;
  beforeAll(async () => {
    fake = await fakeTelegram();
    fake.chats.add('4242');
  });
  afterAll(() => fake?.close());
  const channel = () => telegramChannel({ botToken: fake.token, apiUrl: fake.base }, buttons);

  it('sends the documented sendMessage: chat id, text, Acknowledge/Resolve callbacks and the link', async () => {
    await channel().send({ address: '4242', secret: null }, pageMessage());
    expect(fake.refused).toEqual([]);
    const call = fake.calls.at(-1);
    expect(call?.path).toBe(`/bot${fake.token}/sendMessage`);
    const body = call?.body as {
      chat_id: string;
      text: string;
      reply_markup: { inline_keyboard: unknown[][] };
    };
    expect(body.chat_id).toBe('4242');
    expect(body.text).toContain('Disk full');
    const [row, link] = body.reply_markup.inline_keyboard as [
      { text: string; callback_data: string }[],
      { text: string; url: string }[],
    ];
    expect(row.map((b) => b.text)).toEqual(['Acknowledge', 'Resolve']);
    expect(buttons.openTelegramData(row[0]?.callback_data as string, ['4242'])).toMatchObject({
      ok: true,
      action: 'acknowledge',
      incidentId: 'PINCIDENT00007',
      userId: 'PUSERANN000001',
    });
    expect(link).toEqual([{ text: 'Open', url: 'https://vigil.example.com/r/abc.def' }]);
  });

  it('sends an alert without an incident as text alone', async () => {
    const { incident: _, ...plain } = pageMessage({ text: '[critical] Alert: disk 95%' });
    await channel().send({ address: '4242', secret: null }, plain);
    expect(fake.calls.at(-1)?.body).not.toHaveProperty('reply_markup');
  });

  it("fails for good on a 400 with Telegram's description, and on a wrong token", async () => {
    const err = await channel()
      .send({ address: '777', secret: null }, pageMessage())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentDeliveryError);
    expect((err as Error).message).toContain('Bad Request: chat not found');
    const wrong = telegramChannel({ botToken: '1:wrong', apiUrl: fake.base }, buttons);
    const denied = await wrong
      .send({ address: '4242', secret: null }, pageMessage())
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(PermanentDeliveryError);
    expect((denied as Error).message).toContain('Unauthorized');
    // The token is never in what is recorded.
    expect((denied as Error).message).not.toContain('wrong');
  });

  it('is retried after retry_after on a 429, and with backoff on a 5xx', async () => {
    fake.failNext('sendMessage', 429, 'Too Many Requests: retry after 7', { retry_after: 7 });
    const limited = await channel()
      .send({ address: '4242', secret: null }, pageMessage())
      .catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RetryableDeliveryError);
    expect((limited as RetryableDeliveryError).retryAfterMs).toBe(7000);
    fake.failNext('sendMessage', 502, 'Bad Gateway');
    const down = await channel()
      .send({ address: '4242', secret: null }, pageMessage())
      .catch((e: unknown) => e);
    expect(down).toBeInstanceOf(RetryableDeliveryError);
    expect((down as RetryableDeliveryError).retryAfterMs).toBeUndefined();
  });

  it('pages through the engine: a 429 waits the seconds Telegram asked for, then delivers', async () => {
    let t = Date.parse('2026-05-01T10:00:00Z');
    const p = await createEmbeddedProvider({
      dataDir: tempDir(),
      log: silentLogger(),
      clock: { now: () => t },
      telegram: { botToken: fake.token, apiUrl: fake.base },
    });
    try {
      const { directory, escalation } = p.ports;
      const ann = await directory.createUser({
        name: 'Ann',
        email: 'ann@example.com',
        contact_methods: [{ type: 'telegram', address: '4242' }],
      });
      const policy = await escalation.createPolicy({
        name: 'Chat',
        escalation_rules: [
          { escalation_delay_in_minutes: 30, targets: [{ id: ann.id, type: 'user_reference' }] },
        ],
      });
      const service = await directory.createService({ name: 'Storage', escalation_policy_id: policy.id });
      const sends = () => fake.calls.filter((c) => c.method === 'sendMessage').length;
      const before = sends();
      fake.failNext('sendMessage', 429, 'Too Many Requests: retry after 40', { retry_after: 40 });
      await p.ingest({
        routing_key: service.integration_key as string,
        event_action: 'trigger',
        payload: { summary: 'Disk full', source: 'db-1', severity: 'critical' },
        links: [],
        images: [],
      });
      await p.engine.tick();
      expect(sends()).toBe(before);
      t += 39_000;
      await p.engine.tick();
      expect(sends()).toBe(before);
      t += 1_000;
      await p.engine.tick();
      expect(sends()).toBe(before + 1);
      expect(JSON.stringify(fake.calls.at(-1)?.body)).toContain('Disk full');
    } finally {
      await p.close();
    }
  });
});

describe('telegram addresses', () => {
  it('are chat ids or a channel @username; anything else is refused naming the field', () => {
    for (const ok of ['4242', '-1001234567890', '@vigil_alerts'])
      expect(addressProblem('telegram', ok)).toBeUndefined();
    for (const bad of ['', 'abc', '12 34', '0', '+4242', '@ab', 'https://t.me/vigil', '-'])
      expect(addressProblem('telegram', bad), bad).toContain('Telegram chat id');
    expect(checkChannelConfiguration('telegram', { to: ['-100555'] })).toEqual({
      configuration: { to: ['-100555'] },
    });
    expect(checkChannelConfiguration('telegram', { to: ['-100555', 'general'] })).toMatchObject({
      parameter: 'configuration.to',
      problem: expect.stringContaining("'general' is not a Telegram chat id"),
    });
    expect(checkChannelConfiguration('telegram', { url: 'https://api.telegram.org' })).toMatchObject({
      parameter: 'configuration.to',
    });
  });
});
