/**
 * Each notification service against its loopback fake (test/helpers/fake-channels.ts), through
 * the engine with a controlled clock: a page reaches the vendor as it documents its API (path,
 * authentication, body), carrying the responder link; the vendor's 400 fails the delivery at once
 * with the vendor's own message; its 429 is retried after the wait it asks for (or, where it
 * asks for none, after the outbox's backoff) and then delivered. Then alert channels: one with
 * several recipients (Matrix rooms) and one whose token is in its URL (Gotify).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FAKE_CREDENTIALS as C,
  type FakeChannel,
  type FakeRequest,
  shapeProblems,
  startFakeChannel,
  VENDORS,
  type VendorName,
} from '../../../../../test/helpers/fake-channels.js';
import { until } from '../../../../../test/helpers/until.js';
import { tempDir } from '../../../../../test/helpers/vigil.js';
import type { ChannelKindName } from '../../../../core/channels.js';
import type { Clock } from '../../../../core/clock.js';
import type { Config } from '../../../../core/config.js';
import { silentLogger } from '../../../../core/log.js';
import { createEmbeddedProvider, type EmbeddedProvider } from '../../index.js';

const LINK = /^http:\/\/127\.0\.0\.1:5000\/r\/[\w-]+\.[\w-]+$/;
/** The outbox's first backoff, for vendors whose 429 names no wait. */
const FIRST_RETRY_MS = 30_000;

interface Case {
  kind: ChannelKindName;
  vendor: VendorName;
  address(base: string): string;
  token?: string;
  notify?(base: string): Config['notify'];
  /** What this vendor's request must carry beyond its documented shape. */
  expectRequest(req: FakeRequest): void;
}

const twilio = (base: string): Config['notify'] => ({
  twilio: { apiUrl: base, accountSid: C.twilioSid, authToken: C.twilioToken, from: C.twilioFrom },
});

const CASES: Case[] = [
  {
    kind: 'microsoft_teams',
    vendor: 'microsoft_teams',
    address: (b) => `${b}/workflows/0a1b/triggers/manual/paths/invoke?api-version=1&sig=s1g`,
    expectRequest(req) {
      expect(req.url).toBe('/workflows/0a1b/triggers/manual/paths/invoke?api-version=1&sig=s1g');
      const card = (req.json as { attachments: { content: Record<string, unknown> }[] }).attachments[0]
        ?.content;
      expect(card?.body).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'TextBlock', text: expect.stringMatching(/^\[#\d+\] Disk full/) }),
          expect.objectContaining({
            type: 'FactSet',
            facts: expect.arrayContaining([{ title: 'Service', value: 'Database' }]),
          }),
        ]),
      );
      expect(card?.actions).toEqual([
        { type: 'Action.OpenUrl', title: 'Acknowledge', url: expect.stringMatching(LINK) },
      ]);
    },
  },
  {
    kind: 'discord',
    vendor: 'discord',
    address: (b) => `${b}/api/webhooks/1187000000000000001/tok-EN_x`,
    expectRequest(req) {
      expect(req.query.get('wait')).toBe('true');
      const { embeds, allowed_mentions } = req.json as {
        embeds: Record<string, unknown>[];
        allowed_mentions: unknown;
      };
      expect(embeds[0]).toMatchObject({
        title: expect.stringMatching(/Disk full/),
        url: expect.stringMatching(LINK),
        color: 0xd92d20,
        fields: expect.arrayContaining([{ name: 'Service', value: 'Database', inline: true }]),
      });
      expect(allowed_mentions).toEqual({ parse: [] });
    },
  },
  {
    kind: 'google_chat',
    vendor: 'google_chat',
    address: (b) => `${b}/v1/spaces/AAAAx1/messages?key=k3y&token=t0k`,
    expectRequest(req) {
      expect(req.headers['content-type']).toBe('application/json; charset=UTF-8');
      const { cardsV2 } = req.json as { cardsV2: { card: { sections: { widgets: unknown[] }[] } }[] };
      expect(cardsV2[0]?.card.sections[0]?.widgets).toEqual(
        expect.arrayContaining([
          { decoratedText: { topLabel: 'Service', text: 'Database' } },
          {
            buttonList: {
              buttons: [{ text: 'Acknowledge', onClick: { openLink: { url: expect.stringMatching(LINK) } } }],
            },
          },
        ]),
      );
    },
  },
  {
    kind: 'mattermost',
    vendor: 'mattermost',
    address: (b) => `${b}/hooks/xj3k9dq7fpbz8`,
    expectRequest(req) {
      const body = req.json as { text: string; attachments: Record<string, unknown>[] };
      expect(body.text).toMatch(
        /^\*\*\[#\d+\] Disk full .*\*\* — \[Acknowledge\]\(http:\/\/127\.0\.0\.1:5000\/r\//,
      );
      expect(body.attachments[0]).toMatchObject({
        title_link: expect.stringMatching(LINK),
        color: '#d92d20',
      });
    },
  },
  {
    kind: 'rocket_chat',
    vendor: 'rocket_chat',
    address: (b) => `${b}/hooks/6fCqH2x/Zk81bQa`,
    expectRequest(req) {
      const body = req.json as { text: string; attachments: Record<string, unknown>[] };
      expect(body.text).toMatch(
        /^\*\[#\d+\] Disk full [^*]*\* — \[Acknowledge\]\(http:\/\/127\.0\.0\.1:5000\/r\//,
      );
      expect(body.attachments[0]).toMatchObject({
        title: expect.stringMatching(/Disk full/),
        title_link: expect.stringMatching(LINK),
        fields: expect.arrayContaining([{ title: 'Urgency', value: 'high', short: true }]),
      });
    },
  },
  {
    kind: 'ntfy',
    vendor: 'ntfy',
    address: (b) => `${b}/vigil-ops`,
    token: C.ntfyToken,
    expectRequest(req) {
      expect(req.headers.authorization).toBe(`Bearer ${C.ntfyToken}`);
      expect(req.json).toMatchObject({
        topic: 'vigil-ops',
        title: expect.stringMatching(/Disk full/),
        priority: 5,
        tags: ['rotating_light', 'vigil'],
        click: expect.stringMatching(LINK),
        actions: [{ action: 'view', label: 'Acknowledge', url: expect.stringMatching(LINK), clear: true }],
      });
    },
  },
  {
    kind: 'pushover',
    vendor: 'pushover',
    address: () => 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG',
    notify: (b) => ({ pushover: { apiUrl: b, token: C.pushoverToken } }),
    expectRequest(req) {
      const f = Object.fromEntries(req.form);
      expect(f).toMatchObject({
        user: 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG',
        priority: '2',
        retry: '60',
        expire: '3600',
        url_title: 'Acknowledge',
      });
      expect(f.url).toMatch(LINK);
    },
  },
  {
    kind: 'gotify',
    vendor: 'gotify',
    address: (b) => b,
    token: C.gotifyToken,
    expectRequest(req) {
      expect(req.json).toMatchObject({
        title: expect.stringMatching(/Disk full/),
        priority: 8,
        extras: { 'client::notification': { click: { url: expect.stringMatching(LINK) } } },
      });
    },
  },
  {
    kind: 'matrix',
    vendor: 'matrix',
    address: () => '!ops:example.org',
    notify: (b) => ({ matrix: { homeserver: b, accessToken: C.matrixToken } }),
    expectRequest(req) {
      expect(req.path).toMatch(
        /^\/_matrix\/client\/v3\/rooms\/!ops%3Aexample\.org\/send\/m\.room\.message\/P\w+$/,
      );
      const body = req.json as { body: string; formatted_body: string };
      expect(body.body).toMatch(/Disk full[\s\S]*Acknowledge: http:\/\/127\.0\.0\.1:5000\/r\//);
      expect(body.formatted_body).toMatch(/<a href="http:\/\/127\.0\.0\.1:5000\/r\/[^"]+">Acknowledge<\/a>/);
    },
  },
  {
    kind: 'sms',
    vendor: 'twilio',
    address: () => '+1 415 555 0123',
    notify: twilio,
    expectRequest(req) {
      expect(req.path).toBe(`/2010-04-01/Accounts/${C.twilioSid}/Messages.json`);
      expect(req.form.get('To')).toBe('+14155550123');
      expect(req.form.get('Body')).toMatch(/Disk full .* acknowledge: http:\/\/127\.0\.0\.1:5000\/r\//);
    },
  },
  {
    kind: 'phone',
    vendor: 'twilio',
    address: () => '+442071838750',
    notify: twilio,
    expectRequest(req) {
      expect(req.path).toBe(`/2010-04-01/Accounts/${C.twilioSid}/Calls.json`);
      expect(req.form.get('To')).toBe('+442071838750');
      const twiml = req.form.get('Twiml') ?? '';
      expect(twiml).toMatch(/<Say>This is Vigil, paging you about incident \d+: Disk full [\w-]+\. /);
      expect(twiml).toContain('To acknowledge, open the link in the text message or email we sent you');
      expect(twiml.match(/<Say>/g)).toHaveLength(2);
    },
  },
];

describe.each(CASES)('$kind against its fake', (c) => {
  let fake: FakeChannel;
  let p: EmbeddedProvider;
  let t = Date.parse('2026-03-29T00:30:00Z');
  const clock: Clock = { now: () => t };
  let key = '';
  let serviceId = '';

  beforeAll(async () => {
    fake = await startFakeChannel(c.vendor);
    p = await createEmbeddedProvider({
      dataDir: tempDir(),
      log: silentLogger(),
      clock,
      notify: c.notify?.(fake.base),
    });
    const { directory, escalation } = p.ports;
    const ann = await directory.createUser({
      name: 'Ann',
      email: 'ann@example.com',
      contact_methods: [{ type: c.kind, address: c.address(fake.base), ...(c.token && { token: c.token }) }],
    });
    const policy = await escalation.createPolicy({
      name: 'Primary',
      escalation_rules: [
        { escalation_delay_in_minutes: 30, targets: [{ id: ann.id, type: 'user_reference' }] },
      ],
    });
    const service = await directory.createService({ name: 'Database', escalation_policy_id: policy.id });
    key = service.integration_key as string;
    serviceId = service.id;
  });
  afterAll(async () => {
    await p?.close();
    await fake?.close();
  });

  /** Triggers an incident and answers its delivery to Ann after one engine pass. */
  async function page(dedup: string) {
    fake.requests.length = 0;
    await p.ingest({
      routing_key: key,
      event_action: 'trigger',
      dedup_key: dedup,
      payload: { summary: `Disk full ${dedup}`, source: 'db-1', severity: 'critical' },
      links: [],
      images: [],
    });
    await p.engine.tick();
    return delivery(dedup);
  }
  async function delivery(dedup: string) {
    const incident = await p.ports.incidents.findOpen(serviceId, dedup);
    return p.db
      .selectFrom('deliveries')
      .select(['status', 'attempts', 'last_error'])
      .where('incident_id', '=', incident?.id as string)
      .executeTakeFirstOrThrow();
  }

  it('sends the request the vendor documents, with the responder link', async () => {
    expect(await page('ok')).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(fake.requests).toHaveLength(1);
    const req = fake.requests[0] as FakeRequest;
    expect(shapeProblems(c.vendor, req)).toEqual([]);
    c.expectRequest(req);
  });

  it("fails at once on the vendor's 400, with the vendor's message", async () => {
    fake.refuseNext('Vigil test: this recipient is refused');
    const d = await page('refused');
    expect(d).toMatchObject({ status: 'failed', attempts: 1 });
    expect(d.last_error).toContain('Vigil test: this recipient is refused');
    t += 24 * 3_600_000;
    await p.engine.tick();
    expect(fake.requests).toHaveLength(1);
    const story = (
      await p.ports.incidents.timeline((await p.ports.incidents.findOpen(serviceId, 'refused'))!.id, 50, 0)
    ).items.map((e) => e.summary);
    expect(story).toContain(`Could not notify by ${c.kind} after 1 attempts: ${d.last_error}`);
  });

  it('retries a 429 after the wait the vendor asks for, then delivers', async () => {
    const asked = 7.5;
    fake.rateLimitNext(asked);
    const d = await page('limited');
    expect(d).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_error: expect.stringContaining('HTTP 429'),
    });
    const wait = VENDORS[c.vendor].hintsRetry ? asked * 1000 : FIRST_RETRY_MS;
    t += wait - 100;
    await p.engine.tick();
    expect(fake.requests).toHaveLength(1);
    t += 100;
    await p.engine.tick();
    expect(fake.requests).toHaveLength(2);
    expect(await delivery('limited')).toMatchObject({ status: 'delivered', attempts: 2 });
    if (c.kind === 'matrix') {
      // The same transaction id both times: the homeserver keeps one event.
      expect(fake.requests[1]?.path).toBe(fake.requests[0]?.path);
    }
  });
});

describe('alert channels of several recipients and tokens in the URL', () => {
  let matrix: FakeChannel;
  let gotify: FakeChannel;
  let target: Server;
  let p: EmbeddedProvider;
  let t = Date.parse('2026-03-29T00:30:00Z');
  const clock: Clock = { now: () => t };

  beforeAll(async () => {
    matrix = await startFakeChannel('matrix');
    gotify = await startFakeChannel('gotify');
    target = createServer((_req, res) => res.writeHead(500).end('down'));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    p = await createEmbeddedProvider({
      dataDir: tempDir(),
      log: silentLogger(),
      clock,
      notify: { matrix: { homeserver: matrix.base, accessToken: C.matrixToken } },
    });
  });
  afterAll(async () => {
    await p?.close();
    await matrix?.close();
    await gotify?.close();
    target?.close();
  });

  it('sends a firing alert to every room of a matrix channel and to gotify with the token from its URL', async () => {
    const { checks, alerts } = p.ports;
    const check = await checks.createCheck({
      name: 'Shop',
      type: 'web',
      url: `http://127.0.0.1:${(target.address() as AddressInfo).port}/`,
      interval: 60,
      failure_threshold: 1,
    });
    const rooms = await alerts.createChannel({
      name: 'Rooms',
      type: 'matrix',
      configuration: { to: ['!ops:example.org', '!db:example.org'] },
    });
    const push = await alerts.createChannel({
      name: 'Push',
      type: 'gotify',
      configuration: { url: `${gotify.base}/?token=${C.gotifyToken}` },
    });
    await alerts.createRule({
      name: 'Shop down',
      check_id: check.id,
      condition: 'check_failed',
      channel_ids: [rooms.id, push.id],
      severity: 'critical',
    });
    t = Date.parse(check.next_run_at as string);
    await p.scheduler.runDue();
    // The check's run is judged and its alert queued after runDue answers.
    await until(
      'both channels reached',
      5000,
      async () => {
        await p.engine.tick();
        return matrix.requests.length === 2 && gotify.requests.length === 1;
      },
      20,
    );
    const roomsReached = matrix.requests
      .map((r) => decodeURIComponent(r.path.split('/')[5] as string))
      .sort();
    expect(roomsReached).toEqual(['!db:example.org', '!ops:example.org']);
    expect(gotify.requests).toHaveLength(1);
    for (const [vendor, req] of [
      ...matrix.requests.map((r) => ['matrix', r] as const),
      ['gotify', gotify.requests[0] as FakeRequest] as const,
    ]) {
      expect(shapeProblems(vendor, req)).toEqual([]);
    }
    expect(gotify.requests[0]?.json).toMatchObject({
      title: expect.stringMatching(/^\[critical\] Alert: Shop is failed/),
      priority: 8,
    });
  });
});
