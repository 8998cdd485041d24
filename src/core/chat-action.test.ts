/**
 * Chat buttons: a Slack value and Telegram callback data name one incident (and person), only
 * this server's secret makes them, they expire, and Telegram's are bound to their chat and fit
 * in 64 bytes.
 */
import { describe, expect, it } from 'vitest';
import { CHAT_BUTTON_TTL_MS, chatButtons } from './chat-action.js';

const secret = () => Buffer.from('a secret of the server, long enough to be a key');
const A = 'PAAAAAAAAAAAAA';
const B = 'PBBBBBBBBBBBBB';
const ANN = 'PANNANNANNANNA';

describe('Slack button values', () => {
  it('name their incident and person, and nothing else passes', () => {
    const t = 1_800_000_000_000;
    const buttons = chatButtons(secret, () => t);
    const value = buttons.slackValue({ incidentId: A, userId: ANN }, t);
    expect(buttons.openSlackValue(value)).toEqual({ ok: true, incidentId: A, userId: ANN });
    expect(buttons.openSlackValue(buttons.slackValue({ incidentId: A }, t))).toEqual({
      ok: true,
      incidentId: A,
      userId: undefined,
    });
    // The same claims naming B, under A's MAC: refused.
    const [payload, mac] = value.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = `${Buffer.from(JSON.stringify({ ...claims, i: B })).toString('base64url')}.${mac}`;
    expect(buttons.openSlackValue(forged)).toEqual({ ok: false, reason: 'invalid' });
    // Another server's secret, or a responder-link-like token: refused.
    const other = chatButtons(
      () => Buffer.from('another server entirely, another key'),
      () => t,
    );
    expect(other.openSlackValue(value)).toEqual({ ok: false, reason: 'invalid' });
    expect(buttons.openSlackValue('')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('expire seven days after the message', () => {
    let t = 1_800_000_000_000;
    const buttons = chatButtons(secret, () => t);
    const value = buttons.slackValue({ incidentId: A, userId: ANN }, t);
    t += CHAT_BUTTON_TTL_MS + 1000;
    expect(buttons.openSlackValue(value)).toEqual({ ok: false, reason: 'expired' });
  });
});

describe('Telegram callback data', () => {
  const t = 1_800_000_000_000;
  const buttons = chatButtons(secret, () => t);

  it('fits in 64 bytes and opens only in the chat it was sent to', () => {
    const data = buttons.telegramData('acknowledge', { incidentId: A, userId: ANN }, '-1001234567890', t);
    expect(data).toBeDefined();
    expect(Buffer.byteLength(data as string)).toBeLessThanOrEqual(64);
    expect(buttons.openTelegramData(data as string, ['-1001234567890'])).toEqual({
      ok: true,
      action: 'acknowledge',
      incidentId: A,
      userId: ANN,
    });
    expect(buttons.openTelegramData(data as string, ['4242'])).toEqual({ ok: false, reason: 'invalid' });
    // A channel addressed by @username: its callbacks come with its numeric id and its username.
    const byName = buttons.telegramData('resolve', { incidentId: A }, '@vigil_alerts', t) as string;
    expect(buttons.openTelegramData(byName, ['-100999', '@vigil_alerts'])).toMatchObject({
      ok: true,
      action: 'resolve',
      userId: undefined,
    });
  });

  it('never acts on another incident, another person or another action', () => {
    const data = buttons.telegramData('acknowledge', { incidentId: A, userId: ANN }, '4242', t) as string;
    for (const forged of [
      data.replace(A, B),
      data.replace(ANN, 'PBOBBOBBOBBOBB'),
      `r${data.slice(1)}`,
      data.replace(/\.[^.]+$/, '.AAAAAAAAAAAAAAAAAAAAAA'),
      'a.garbage',
    ])
      expect(buttons.openTelegramData(forged, ['4242'])).toEqual({ ok: false, reason: 'invalid' });
  });

  it('expire, and are not made when they would not fit', () => {
    const data = buttons.telegramData(
      'acknowledge',
      { incidentId: A },
      '4242',
      t - CHAT_BUTTON_TTL_MS - 7_200_000,
    );
    expect(buttons.openTelegramData(data as string, ['4242'])).toEqual({ ok: false, reason: 'expired' });
    const long = 'P'.repeat(40);
    expect(
      buttons.telegramData('acknowledge', { incidentId: long, userId: long }, '4242', t),
    ).toBeUndefined();
  });
});
