/**
 * The slack channel against a fake incoming webhook (test/helpers/fake-chat.ts, which checks
 * Block Kit's documented limits): a page carries Acknowledge, Resolve and Open buttons whose value
 * names the incident and the person; an alert channel's message names no person; text is escaped
 * for mrkdwn; Slack's 4xx fails at once with its error code, its 429 waits the Retry-After.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, fakeSlack, pageMessage } from '../../../../../test/helpers/fake-chat.js';
import { chatButtons } from '../../../../core/chat-action.js';
import { PermanentDeliveryError, RetryableDeliveryError } from './channel.js';
import { slackChannel } from './slack.js';

const buttons = chatButtons(() => Buffer.from('test secret for slack buttons'));

interface Sent {
  text: string;
  blocks?: {
    type: string;
    text?: { text: string };
    elements?: { action_id: string; value?: string; url?: string }[];
  }[];
}

describe('slack channel', () => {
  let fake: FakeSlack;
  const url = () => `${fake.base}/services/T0/B0/hook`;
  const channel = slackChannel(buttons);
  beforeAll(async () => {
    fake = await fakeSlack();
  });
  afterAll(() => fake?.close());

  it("sends the text and Block Kit buttons naming the page's incident and person", async () => {
    const text =
      '[#7] Disk <!channel> & slow (Storage, high urgency) — acknowledge: https://vigil.example.com/r/abc.def';
    await channel.send({ address: url(), secret: null }, pageMessage({ text }));
    expect(fake.refused).toEqual([]);
    const sent = fake.messages.at(-1)?.body as Sent;
    // Both texts are mrkdwn: a title mentions nobody.
    expect(sent.text).toContain('Disk &lt;!channel&gt; &amp; slow');
    expect(sent.blocks?.[0]?.text?.text).toContain('Disk &lt;!channel&gt; &amp; slow');
    const actions = sent.blocks?.find((b) => b.type === 'actions')?.elements ?? [];
    expect(actions.map((a) => a.action_id)).toEqual(['vigil_acknowledge', 'vigil_resolve', 'vigil_open']);
    expect(buttons.openSlackValue(actions[0]?.value as string)).toEqual({
      ok: true,
      incidentId: 'PINCIDENT00007',
      userId: 'PUSERANN000001',
    });
    expect(actions[2]?.url).toBe('https://vigil.example.com/r/abc.def');
  });

  it("names no person in an alert channel's message, and sends a message about no incident as text", async () => {
    await channel.send({ address: url(), secret: null }, pageMessage({ incident: { id: 'PINCIDENT00007' } }));
    const sent = fake.messages.at(-1)?.body as Sent;
    const actions = sent.blocks?.find((b) => b.type === 'actions')?.elements ?? [];
    expect(actions.map((a) => a.action_id)).toEqual(['vigil_acknowledge', 'vigil_resolve']);
    expect(buttons.openSlackValue(actions[0]?.value as string)).toMatchObject({
      ok: true,
      userId: undefined,
    });
    const { incident: _, ...plain } = pageMessage({ text: '[critical] Resolved: disk' });
    await channel.send({ address: url(), secret: null }, plain);
    expect(fake.messages.at(-1)?.body).toEqual({ text: '[critical] Resolved: disk' });
  });

  it("fails at once on Slack's 4xx with its error code, and waits a 429's Retry-After", async () => {
    fake.failNext(400, 'invalid_blocks');
    const refused = await channel
      .send({ address: url(), secret: null }, pageMessage())
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PermanentDeliveryError);
    expect((refused as Error).message).toContain('invalid_blocks');
    fake.failNext(404, 'no_service');
    const gone = await channel.send({ address: url(), secret: null }, pageMessage()).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(PermanentDeliveryError);
    expect((gone as Error).message).toContain('no_service');
    fake.failNext(429, 'rate_limited', { 'retry-after': '30' });
    const limited = await channel
      .send({ address: url(), secret: null }, pageMessage())
      .catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RetryableDeliveryError);
    expect((limited as RetryableDeliveryError).retryAfterMs).toBe(30_000);
  });
});
