/**
 * Buttons in chat end to end, over real HTTP on loopback: the engine pages Ann on Slack (a fake
 * incoming webhook) and on Telegram (a fake Bot API); the messages carry Acknowledge and Resolve
 * buttons. A click signed as Slack signs it acknowledges as Ann "via Slack", escalation stops and
 * the message is replaced through its response_url; a wrong, missing or five-minute-old signature
 * is refused and changes nothing. A Telegram tap with the webhook's secret token acknowledges "via
 * Telegram", is answered and the message edited; a wrong or missing secret is refused. Buttons
 * never act on another incident or from another chat; malformed and oversized bodies get clear
 * 4xx answers and the server keeps serving. Messages to an alert channel name no person: a tap
 * acts as the Vigil user the chat account is linked to, and anyone else is told why not.
 *
 * In-process (test/helpers/in-process.ts) because the engine's clock must be the test's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatButtons } from '../../src/core/chat-action.js';
import type { IncidentStatus } from '../../src/core/incidents.js';
import { secretKey } from '../../src/providers/embedded/store/secrets-repo.js';
import {
  type Call,
  type FakeSlack,
  type FakeTelegram,
  fakeSlack,
  fakeTelegram,
  signSlack,
} from '../helpers/fake-chat.js';
import { type InProcess, serveInProcess } from '../helpers/in-process.js';
import { until } from '../helpers/until.js';

const SIGNING = 'slack-signing-secret-for-the-test';
const WEBHOOK_SECRET = 'telegram-webhook-secret_0123456789';
const ANN_CHAT = '4242';
const ROOM = '-100555';
const MINUTE = 60_000;
const LIMIT = 64 * 1024;
const SECRET_KEY = 'chat-buttons-test-secret-key-of-32-characters-or-more';
/** Buttons as the server signs them, for messages to an alert channel (which name no person). */
const signer = chatButtons(() => secretKey(SECRET_KEY, '/nonexistent'));

interface Button {
  action_id: string;
  value?: string;
  url?: string;
}
type Keyboard = ({ text: string; callback_data: string } | { text: string; url: string })[][];

describe('buttons in chat', () => {
  let t = Date.now();
  const clock = { now: () => t };
  let slack: FakeSlack;
  let telegram: FakeTelegram;
  let served: InProcess;
  let base = '';
  let serviceId = '';
  let routingKey = '';
  let ann = '';
  const ids: Record<string, string> = {};

  const incidents = () => served.rt.embedded.ports.incidents;
  const status = async (id: string): Promise<IncidentStatus | undefined> =>
    (await incidents().get(id))?.status;
  const timeline = async (id: string) => (await incidents().timeline(id, 200, 0)).items.map((e) => e.summary);
  const trigger = async (key: string, summary: string) => {
    await served.rt.embedded.ingest({
      routing_key: routingKey,
      event_action: 'trigger',
      dedup_key: key,
      payload: { summary, source: 'checkout-7', severity: 'critical' },
      links: [],
      images: [],
    });
    return (await incidents().findOpen(serviceId, key))?.id as string;
  };
  /** Ann's Slack message about incident `id`, and its buttons. */
  const slackPage = (id: string) => {
    const message = slack.messages.find(
      (m) =>
        m.path === '/services/T0/B0/ann' && (m.body as { text: string }).text.includes(titles[id] as string),
    ) as Call;
    const blocks = (message.body as { blocks: { type: string; elements?: Button[] }[] }).blocks;
    return { message, buttons: blocks.find((b) => b.type === 'actions')?.elements ?? [] };
  };
  const titles: Record<string, string> = {};
  const value = (id: string, action = 'vigil_acknowledge') =>
    slackPage(id).buttons.find((b) => b.action_id === action)?.value as string;
  const clickPayload = (actionId: string, buttonValue: string, id: string, extra: object = {}) => ({
    type: 'block_actions',
    user: { id: 'U0ANN', username: 'ann', name: 'ann', team_id: 'T0' },
    api_app_id: 'A0VIGIL',
    team: { id: 'T0', domain: 'example' },
    channel: { id: 'D0ANN', name: 'directmessage' },
    container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'D0ANN' },
    trigger_id: '1.2.3',
    response_url: `${slack.base}/actions/T0/${id}/hook`,
    message: slackPage(id).message.body,
    actions: [
      {
        action_id: actionId,
        block_id: 'vigil_incident',
        text: { type: 'plain_text', text: 'Acknowledge' },
        value: buttonValue,
        type: 'button',
        action_ts: '1700000001.000200',
      },
    ],
    ...extra,
  });
  const postSlack = (body: string, headers: Record<string, string>) =>
    fetch(`${base}/slack/interactivity`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
  const formOf = (payload: object) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const click = (payload: object) => {
    const body = formOf(payload);
    return postSlack(body, signSlack(SIGNING, body));
  };
  /** Ann's Telegram message about incident `id`. */
  const telegramPage = (id: string, chat = ANN_CHAT) => {
    const call = telegram.calls.find(
      (c) =>
        c.method === 'sendMessage' &&
        (c.body as { chat_id: string }).chat_id === chat &&
        (c.body as { text: string }).text.includes(titles[id] as string),
    ) as Call;
    const body = call.body as { text: string; reply_markup: { inline_keyboard: Keyboard } };
    return { text: body.text, keyboard: body.reply_markup.inline_keyboard };
  };
  const callbackData = (id: string, label: string, chat = ANN_CHAT) =>
    (
      telegramPage(id, chat)
        .keyboard.flat()
        .find((b) => b.text === label) as { callback_data: string }
    ).callback_data;
  let updateId = 1;
  const tap = (
    id: string,
    data: string,
    opts: { chat?: number; from?: number; secret?: string | null; text?: string } = {},
  ) =>
    fetch(`${base}/telegram/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(opts.secret !== null && { 'x-telegram-bot-api-secret-token': opts.secret ?? WEBHOOK_SECRET }),
      },
      body: JSON.stringify({
        update_id: updateId++,
        callback_query: {
          id: `cb-${updateId}`,
          from: { id: opts.from ?? Number(ANN_CHAT), is_bot: false, first_name: 'Ann' },
          chat_instance: '-1',
          data,
          message: {
            message_id: 100,
            date: Math.floor(Date.now() / 1000),
            chat: { id: opts.chat ?? Number(ANN_CHAT), type: 'private' },
            ...(opts.text === undefined
              ? { text: telegramPage(id).text, reply_markup: { inline_keyboard: telegramPage(id).keyboard } }
              : {
                  text: opts.text,
                  reply_markup: { inline_keyboard: [[{ text: 'Acknowledge', callback_data: data }]] },
                }),
          },
        },
      }),
    });

  beforeAll(async () => {
    slack = await fakeSlack();
    telegram = await fakeTelegram();
    telegram.chats.add(ANN_CHAT);
    telegram.chats.add(ROOM);
    served = await serveInProcess(
      {
        VIGIL_PUBLIC_URL: 'https://vigil.example.com',
        VIGIL_SECRET_KEY: SECRET_KEY,
        VIGIL_MAX_BODY_BYTES: String(LIMIT),
        VIGIL_SLACK_SIGNING_SECRET: SIGNING,
        VIGIL_SLACK_BOT_TOKEN: slack.botToken,
        VIGIL_SLACK_API_URL: `${slack.base}/api`,
        VIGIL_TELEGRAM_BOT_TOKEN: telegram.token,
        VIGIL_TELEGRAM_API_URL: telegram.base,
        VIGIL_TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
      },
      { clock },
    );
    base = served.base;
    const { directory, escalation } = served.rt.embedded.ports;
    ann = (
      await directory.createUser({
        name: 'Ann',
        email: 'ann@x.io',
        contact_methods: [
          { type: 'slack', address: `${slack.base}/services/T0/B0/ann` },
          { type: 'telegram', address: ANN_CHAT },
        ],
      })
    ).id;
    const bob = await directory.createUser({
      name: 'Bob',
      email: 'bob@x.io',
      contact_methods: [{ type: 'slack', address: `${slack.base}/services/T0/B0/bob` }],
    });
    const policy = await escalation.createPolicy({
      name: 'Payments',
      escalation_rules: [
        { escalation_delay_in_minutes: 30, targets: [{ id: ann, type: 'user_reference' }] },
        { escalation_delay_in_minutes: 30, targets: [{ id: bob.id, type: 'user_reference' }] },
      ],
    });
    const service = await directory.createService({ name: 'Payments API', escalation_policy_id: policy.id });
    serviceId = service.id;
    routingKey = service.integration_key as string;
    for (const [key, title] of [
      ['a', 'Card payments failing'],
      ['b', 'Queue stuck'],
      ['c', 'Refunds slow'],
    ] as const) {
      ids[key] = await trigger(key, title);
      titles[ids[key] as string] = title;
    }
    await served.rt.embedded.engine.tick();
  }, 60_000);
  afterAll(async () => {
    await served?.close();
    await slack?.close();
    await telegram?.close();
  });

  it('pages Ann on Slack with Block Kit buttons and on Telegram with an inline keyboard', () => {
    expect(slack.refused).toEqual([]);
    expect(telegram.refused).toEqual([]);
    const a = ids.a as string;
    const { message, buttons } = slackPage(a);
    expect((message.body as { text: string }).text).toContain('Card payments failing');
    expect(buttons.map((b) => b.action_id)).toEqual(['vigil_acknowledge', 'vigil_resolve', 'vigil_open']);
    expect(buttons[0]?.value).toBe(buttons[1]?.value);
    expect(buttons[2]?.url).toMatch(/^https:\/\/vigil\.example\.com\/r\/[\w-]+\.[\w-]+$/);
    const { keyboard, text } = telegramPage(a);
    expect(text).toContain('Card payments failing');
    expect(keyboard[0]?.map((b) => b.text)).toEqual(['Acknowledge', 'Resolve']);
    for (const b of keyboard[0] ?? [])
      expect(Buffer.byteLength((b as { callback_data: string }).callback_data)).toBeLessThanOrEqual(64);
    expect(keyboard[1]?.[0]).toMatchObject({
      text: 'Open',
      url: expect.stringMatching(/^https:\/\/vigil\.example\.com\/r\//),
    });
    const sent = telegram.calls.find((c) => c.method === 'sendMessage');
    expect(sent?.path).toBe(`/bot${telegram.token}/sendMessage`);
  });

  it('refuses a wrong, missing or five-minute-old Slack signature, and nothing changes', async () => {
    const a = ids.a as string;
    const before = await timeline(a);
    const body = formOf(clickPayload('vigil_acknowledge', value(a), a));
    const now = Math.floor(Date.now() / 1000);
    const attempts: Record<string, string>[] = [
      signSlack('not-the-signing-secret', body, now),
      { 'x-slack-request-timestamp': String(now) },
      {},
      signSlack(SIGNING, body, now - 5 * 60 - 5),
      signSlack(SIGNING, body, now + 6 * 60),
      // Signed for another body: the signature covers every byte.
      signSlack(SIGNING, `${body}&x=1`, now),
    ];
    for (const headers of attempts) {
      const res = await postSlack(body, headers);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    }
    expect(await status(a)).toBe('triggered');
    expect(await timeline(a)).toEqual(before);
    expect(slack.responses).toEqual([]);
  });

  it('acknowledges as Ann via Slack on a correct signature; escalation stops; the message says who', async () => {
    const a = ids.a as string;
    const res = await click(clickPayload('vigil_acknowledge', value(a), a));
    expect(res.status).toBe(200);
    expect(await status(a)).toBe('acknowledged');
    expect(await timeline(a)).toContain('Acknowledged via Slack');
    const audited = await served.rt.embedded.ports.audit.list({ objectId: a, limit: 10, offset: 0 });
    expect(audited.items[0]).toMatchObject({
      actor_label: 'slack:ann@x.io',
      user: ann,
      tool: '/slack/interactivity acknowledge',
      outcome: 'ok',
    });
    const update = await until('the Slack message replaced', 5000, async () =>
      slack.responses.find((r) => r.path === `/actions/T0/${a}/hook`),
    );
    const body = update.body as {
      replace_original: boolean;
      text: string;
      blocks: { type: string; elements?: Button[] }[];
    };
    expect(body.replace_original).toBe(true);
    expect(body.text).toContain('Acknowledged by Ann via Slack');
    expect(JSON.stringify(body.blocks)).toContain('Acknowledged by Ann via Slack');
    // Resolve and Open stay; Acknowledge has done its work.
    expect(body.blocks.find((b) => b.type === 'actions')?.elements?.map((e) => e.action_id)).toEqual([
      'vigil_resolve',
      'vigil_open',
    ]);
    expect(slack.refused).toEqual([]);
    // Past level 1's delay: Bob is paged about the others, never about A.
    t += 31 * MINUTE;
    const seen = slack.messages.length;
    await served.rt.embedded.engine.tick();
    const toBob = slack.messages
      .slice(seen)
      .filter((m) => m.path === '/services/T0/B0/bob')
      .map((m) => (m.body as { text: string }).text);
    expect(toBob.some((text) => text.includes('Queue stuck'))).toBe(true);
    expect(toBob.some((text) => text.includes('Card payments failing'))).toBe(false);
  });

  it('never acts on another incident with a button made for one', async () => {
    const [a, b] = [ids.a as string, ids.b as string];
    const ofA = value(a, 'vigil_resolve');
    const [payload, mac] = ofA.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = `${Buffer.from(JSON.stringify({ ...claims, i: b })).toString('base64url')}.${mac}`;
    const res = await click(clickPayload('vigil_resolve', forged, b));
    expect(res.status).toBe(403);
    expect(await status(b)).toBe('triggered');
    // A Telegram button of A, with B's id put in: refused too.
    const data = callbackData(a, 'Resolve').replace(a, b);
    expect((await tap(b, data)).status).toBe(200);
    await until('the refusal answered', 5000, async () =>
      telegram.calls.find(
        (c) => c.method === 'answerCallbackQuery' && JSON.stringify(c.body).includes('not one Vigil made'),
      ),
    );
    expect(await status(b)).toBe('triggered');
  });

  it('answers malformed Slack requests with a clear 4xx, and keeps serving', async () => {
    const a = ids.a as string;
    const signed = async (body: string) => {
      const res = await postSlack(body, signSlack(SIGNING, body));
      return {
        status: res.status,
        message: ((await res.json()) as { error: { message: string } }).error.message,
      };
    };
    expect(await signed('payload=%7Bnot+json')).toMatchObject({
      status: 400,
      message: expect.stringContaining('not valid JSON'),
    });
    expect(await signed('nothing=here')).toMatchObject({
      status: 400,
      message: expect.stringContaining('payload'),
    });
    expect(await signed(formOf({ type: 'view_submission' }))).toMatchObject({ status: 400 });
    expect(await signed(formOf(clickPayload('delete_everything', value(a), a)))).toMatchObject({
      status: 400,
      message: expect.stringContaining('Unknown action_id'),
    });
    const huge = `payload=${'x'.repeat(LIMIT + 10)}`;
    const tooLarge = await postSlack(huge, signSlack(SIGNING, huge));
    expect(tooLarge.status).toBe(413);
    expect((await fetch(`${base}/slack/interactivity`)).status).toBe(405);
    expect(await status(a)).toBe('acknowledged');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    // And a good click still works: Resolve.
    expect((await click(clickPayload('vigil_resolve', value(a, 'vigil_resolve'), a))).status).toBe(200);
    expect(await status(a)).toBe('resolved');
    expect(await timeline(a)).toContain('Resolved via Slack');
  });

  it('refuses a Telegram update without the webhook secret, or with another', async () => {
    const c = ids.c as string;
    const data = callbackData(c, 'Acknowledge');
    const calls = telegram.calls.length;
    for (const secret of [null, 'wrong-secret-wrong-secret', `${WEBHOOK_SECRET}x`, '']) {
      const res = await tap(c, data, { secret });
      expect(res.status).toBe(401);
    }
    expect(await status(c)).toBe('triggered');
    expect(telegram.calls.length).toBe(calls);
  });

  it('acknowledges as Ann via Telegram with the secret; answers the tap and edits the message', async () => {
    const c = ids.c as string;
    // Ann's button replayed from another chat: refused.
    await tap(c, callbackData(c, 'Acknowledge'), { chat: 999 });
    expect(await status(c)).toBe('triggered');
    const res = await tap(c, callbackData(c, 'Acknowledge'));
    expect(res.status).toBe(200);
    expect(await status(c)).toBe('acknowledged');
    expect(await timeline(c)).toContain('Acknowledged via Telegram');
    const edit = await until('the message edited', 5000, async () =>
      telegram.calls.find((x) => x.method === 'editMessageText'),
    );
    const body = edit.body as {
      chat_id: number;
      message_id: number;
      text: string;
      reply_markup: { inline_keyboard: Keyboard };
    };
    expect(body.chat_id).toBe(Number(ANN_CHAT));
    expect(body.message_id).toBe(100);
    expect(body.text).toContain('Refunds slow');
    expect(body.text).toContain('Acknowledged by Ann via Telegram');
    expect(body.reply_markup.inline_keyboard.flat().map((b) => b.text)).toEqual(['Resolve', 'Open']);
    const answered = telegram.calls
      .filter((x) => x.method === 'answerCallbackQuery')
      .map((x) => (x.body as { text: string }).text);
    expect(answered).toContain('Acknowledged by Ann via Telegram');
    expect(telegram.refused).toEqual([]);
  });

  it('answers malformed Telegram updates with a clear 4xx, ignores other updates, and keeps serving', async () => {
    const post = (body: string) =>
      fetch(`${base}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
        body,
      });
    expect((await post('{"update_id": 1, "callback_query": ')).status).toBe(400);
    expect((await post('[]')).status).toBe(400);
    expect((await post(JSON.stringify({ update_id: 2, callback_query: { id: 'x' } }))).status).toBe(400);
    expect((await post('x'.repeat(LIMIT + 1))).status).toBe(413);
    const calls = telegram.calls.length;
    const other = await post(
      JSON.stringify({ update_id: 3, message: { message_id: 1, chat: { id: 4242 }, text: '/start' } }),
    );
    expect(other.status).toBe(200);
    expect(telegram.calls.length).toBe(calls);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
  it('acts from an alert channel as the Vigil user the clicker is known as, and otherwise says so', async () => {
    const b = ids.b as string;
    // Telegram: a group's button names no person; the tapper's user id is Ann's telegram chat id.
    const data = signer.telegramData('acknowledge', { incidentId: b }, ROOM) as string;
    const group = { chat: Number(ROOM), text: '[critical] Alert: Queue stuck' };
    await tap(b, data, { ...group, from: 777 });
    await until('the stranger told', 5000, async () =>
      telegram.calls.find(
        (c) => c.method === 'answerCallbackQuery' && JSON.stringify(c.body).includes('chat id 777'),
      ),
    );
    expect(await status(b)).toBe('triggered');
    expect((await tap(b, data, { ...group, from: Number(ANN_CHAT) })).status).toBe(200);
    expect(await status(b)).toBe('acknowledged');
    expect(await timeline(b)).toContain('Acknowledged via Telegram');
    // Slack: a clicker Slack does not know by a Vigil user's email only hears why; Ann is Ann,
    // found by users.info (Slack's payloads carry only the user's id) or a payload's email.
    const value = signer.slackValue({ incidentId: b });
    const before = slack.responses.length;
    slack.emails.set('U0STRANGER', 'stranger@elsewhere.example');
    const stranger = { id: 'U0STRANGER', username: 'x', name: 'x', team_id: 'T0' };
    const res = await click({
      ...clickPayload('vigil_resolve', value, b, { user: stranger }),
      message: undefined,
    });
    expect(res.status).toBe(200);
    const whispered = await until('the ephemeral answer', 5000, async () => slack.responses[before]);
    expect(whispered.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(JSON.stringify(whispered.body)).toContain('cannot tell which of its users you are');
    expect(await status(b)).toBe('acknowledged');
    slack.emails.set('U0ANN', 'ann@x.io');
    const asAnn = clickPayload('vigil_resolve', value, b, {
      user: { id: 'U0ANN', username: 'ann', name: 'ann', team_id: 'T0' },
      message: undefined,
    });
    expect((await click(asAnn)).status).toBe(200);
    expect(await status(b)).toBe('resolved');
    const replaced = await until('the message replaced', 5000, async () =>
      slack.responses
        .slice(before + 1)
        .find((r) => (r.body as { replace_original?: boolean }).replace_original),
    );
    // Rebuilt from the incident when the payload carries no message; no button is left to press.
    expect((replaced.body as { text: string }).text).toMatch(
      /^\[#\d+\] Queue stuck \(Payments API, high urgency\)\nResolved by Ann via Slack$/,
    );
    expect(JSON.stringify(replaced.body)).not.toContain('"actions"');
  });
  it("puts buttons on an alert channel's message about an incident; a tap from a linked Telegram account acts", async () => {
    const { checks, alerts, directory } = served.rt.embedded.ports;
    const target = await fakeSlack(); // any loopback server: its /services/ path answers 400, a failure
    try {
      const service = await directory.createService({ name: 'Storefront' });
      const check = await checks.createCheck({
        name: 'Shop',
        type: 'web',
        url: `${target.base}/down`,
        interval: 60,
        failure_threshold: 1,
      });
      const room = await alerts.createChannel({
        name: 'Ops room',
        type: 'telegram',
        configuration: { to: [ROOM] },
      });
      await alerts.createRule({
        name: 'Shop down',
        check_id: check.id,
        condition: 'check_failed',
        channel_ids: [room.id],
        severity: 'critical',
        service_id: service.id,
      });
      t = Math.max(t, Date.parse(check.next_run_at as string));
      await served.rt.embedded.scheduler.runDue();
      const sent = await until('the alert in the room', 5000, async () => {
        await served.rt.embedded.engine.tick();
        return telegram.calls.find(
          (c) => c.method === 'sendMessage' && (c.body as { chat_id: string }).chat_id === ROOM,
        );
      });
      const body = sent.body as { text: string; reply_markup: { inline_keyboard: Keyboard } };
      expect(body.text).toContain('Alert: Shop');
      const ack = body.reply_markup.inline_keyboard.flat().find((b) => b.text === 'Acknowledge') as {
        callback_data: string;
      };
      const opened = signer.openTelegramData(ack.callback_data, [ROOM]);
      expect(opened).toMatchObject({ ok: true, action: 'acknowledge', userId: undefined });
      const incidentId = (opened as { incidentId: string }).incidentId;
      expect(await status(incidentId)).toBe('triggered');
      await tap(incidentId, ack.callback_data, {
        chat: Number(ROOM),
        from: Number(ANN_CHAT),
        text: body.text,
      });
      expect(await status(incidentId)).toBe('acknowledged');
      expect(await timeline(incidentId)).toContain('Acknowledged via Telegram');
    } finally {
      await target.close();
    }
  });
});
