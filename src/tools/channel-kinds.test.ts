/**
 * Every notification channel kind through the tools: as a user's contact method (create_user) and
 * as an alert channel (create_alert_channel), with access tokens kept and never shown; bad
 * addresses refused with an error naming the field; and a kind whose settings are missing
 * recorded `unsupported`, naming the setting, while the same page goes out once they are set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FAKE_CREDENTIALS as C,
  type FakeChannel,
  startFakeChannel,
} from '../../test/helpers/fake-channels.js';
import { type Harness, openHarness } from '../../test/helpers/harness.js';
import { tempDir } from '../../test/helpers/vigil.js';

/** A valid address of each kind (and its token, where it takes one), as a contact method and as a channel. */
const KINDS: { type: string; address: string; token?: string }[] = [
  {
    type: 'microsoft_teams',
    address: 'https://prod-01.westus.logic.azure.com/workflows/0a1b/triggers/manual/paths/invoke?sig=x',
  },
  { type: 'discord', address: 'https://discord.com/api/webhooks/1187000000000000001/tok-EN_x' },
  { type: 'google_chat', address: 'https://chat.googleapis.com/v1/spaces/AAAAx1/messages?key=k&token=t' },
  { type: 'mattermost', address: 'https://mm.example.com/hooks/xj3k9dq7fpbz8' },
  { type: 'rocket_chat', address: 'https://chat.example.com/hooks/6fCqH2x/Zk81bQa' },
  { type: 'ntfy', address: 'https://ntfy.sh/vigil-ops', token: C.ntfyToken },
  { type: 'pushover', address: 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG' },
  { type: 'gotify', address: 'https://gotify.example.com', token: C.gotifyToken },
  { type: 'matrix', address: '!ops:example.org' },
  { type: 'sms', address: '+14155550123' },
  { type: 'phone', address: '+442071838750' },
];

describe('channel kinds through the tools', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await openHarness({ store: { dataDir: tempDir() } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each(KINDS)('$type is a contact method and an alert channel', async (k) => {
    const user = (
      await h.ok('create_user', {
        name: `User ${k.type}`,
        email: `${k.type}@example.com`,
        contact_methods: [{ type: k.type, address: k.address, ...(k.token && { token: k.token }) }],
      })
    ).users[0];
    expect(user.contact_methods).toEqual([
      expect.objectContaining({ type: `${k.type}_contact_method`, address: k.address }),
    ]);
    const channel = (
      await h.ok('create_alert_channel', {
        name: `Channel ${k.type}`,
        type: k.type,
        configuration: {
          ...(k.address.startsWith('http') ? { url: k.address } : { to: [k.address] }),
          ...(k.token && { token: k.token }),
        },
      })
    ).channels[0];
    expect(channel.type).toBe(k.type);
    const listed = (await h.ok('list_alert_channels')).channels.find(
      (c: { id: string }) => c.id === channel.id,
    );
    // The token is kept as the secret, never shown: not in the answer, not in reads.
    for (const shown of [user, channel, listed, (await h.ok('get_users', { user_id: user.id })).users[0]]) {
      expect(JSON.stringify(shown)).not.toContain(k.token ?? '\u0000');
      expect(JSON.stringify(shown)).not.toContain('signing_secret');
    }
    if (k.token) {
      const stored = await h.rt.embedded.db
        .selectFrom('alert_channels')
        .select('secret')
        .where('id', '=', channel.id)
        .executeTakeFirstOrThrow();
      expect(stored.secret).toBe(k.token);
      // A change that does not give the token again keeps the one given before.
      await h.ok('update_alert_channel', {
        channel_id: channel.id,
        configuration: { url: `${k.address}/moved` },
      });
      const after = await h.rt.embedded.db
        .selectFrom('alert_channels')
        .select(['secret', 'configuration'])
        .where('id', '=', channel.id)
        .executeTakeFirstOrThrow();
      expect(after.secret).toBe(k.token);
      expect(after.configuration).toContain('/moved');
    }
  });

  it.each([
    ['an unknown kind', { type: 'pager', address: 'x' }, 'contact_methods[0].type', /pager|type/i],
    [
      'a malformed phone number',
      { type: 'sms', address: '+1 555 0100' },
      'contact_methods[0].address',
      /E\.164/,
    ],
    [
      'a number without a country code',
      { type: 'phone', address: '4155550123' },
      'contact_methods[0].address',
      /E\.164/,
    ],
    [
      'a Pushover key of the wrong length',
      { type: 'pushover', address: 'uQiRzpo4DX' },
      'contact_methods[0].address',
      /30-character Pushover/,
    ],
    [
      'a Matrix room alias instead of its id',
      { type: 'matrix', address: '#ops:example.org' },
      'contact_methods[0].address',
      /Matrix room id/,
    ],
    [
      'a Discord URL that is not a webhook',
      { type: 'discord', address: 'https://discord.com/channels/1/2' },
      'contact_methods[0].address',
      /api\/webhooks/,
    ],
    [
      'a Google Chat URL that is not a space webhook',
      { type: 'google_chat', address: 'https://chat.google.com/room/AAA' },
      'contact_methods[0].address',
      /v1\/spaces/,
    ],
    [
      'a Mattermost URL that is not an incoming webhook',
      { type: 'mattermost', address: 'https://mm.example.com/ops/channels/town-square' },
      'contact_methods[0].address',
      /\/hooks\/<id>/,
    ],
    [
      'a Rocket.Chat webhook URL without its token',
      { type: 'rocket_chat', address: 'https://chat.example.com/hooks/6fCqH2x' },
      'contact_methods[0].address',
      /\/hooks\/<id>\/<token>/,
    ],
    [
      'an ntfy URL without a topic',
      { type: 'ntfy', address: 'https://ntfy.sh/' },
      'contact_methods[0].address',
      /ntfy\.sh\/<topic>/,
    ],
    [
      'a Gotify server without its app token',
      { type: 'gotify', address: 'https://gotify.example.com' },
      'contact_methods[0].address',
      /app token/,
    ],
    [
      'a token for a kind that takes none',
      { type: 'discord', address: KINDS[1]?.address, token: 'x' },
      'contact_methods[0].token',
      /takes no token/,
    ],
    [
      'a webhook URL that is not http(s)',
      { type: 'microsoft_teams', address: 'ftp://example.com/x' },
      'contact_methods[0].address',
      /http/,
    ],
    [
      'a webhook URL at a cloud metadata address',
      { type: 'mattermost', address: 'http://169.254.169.254/hooks/x' },
      'contact_methods[0].address',
      /cloud metadata/,
    ],
  ])('refuses %s as a contact method, naming the field', async (_what, method, parameter, message) => {
    const r = await h.call('create_user', {
      name: 'Bad',
      email: 'bad@example.com',
      contact_methods: [method],
    });
    expect(r.isError).toBe(true);
    expect(r.body.error.code).toBe('VALIDATION_ERROR');
    expect(String(r.body.error.details?.parameter ?? r.body.error.message)).toContain(parameter);
    expect(r.body.error.message).toMatch(message);
    expect((await h.ok('get_users', { query: 'Bad' })).users).toEqual([]);
  });

  it.each([
    ['sms', { to: ['+1 555 0100'] }, 'configuration.to', /E\.164/],
    ['pushover', { to: [] }, 'configuration.to', /Pushover user keys/],
    ['matrix', { url: 'https://matrix.example.org' }, 'configuration.to', /Matrix room ids/],
    ['discord', { url: 'https://discord.com/api/oauth2/x' }, 'configuration.url', /api\/webhooks/],
    ['gotify', { url: 'https://gotify.example.com' }, 'configuration.url', /app token/],
    ['ntfy', { url: 'http://[fd00:ec2::254]/alerts' }, 'configuration.url', /cloud metadata/],
    [
      'rocket_chat',
      { url: 'https://chat.example.com/hooks/a/b', token: 'x' },
      'configuration.token',
      /takes no token/,
    ],
  ])(
    'refuses a %s alert channel with a bad configuration, naming the field',
    async (type, configuration, parameter, message) => {
      const r = await h.call('create_alert_channel', { name: 'Bad', type, configuration });
      expect(r.isError).toBe(true);
      expect(r.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { parameter } });
      expect(r.body.error.message).toMatch(message);
    },
  );
});

describe('a kind that needs settings', () => {
  let twilio: FakeChannel;

  beforeAll(async () => {
    twilio = await startFakeChannel('twilio');
  });
  afterAll(async () => {
    await twilio?.close();
  });

  /** Pages a user whose one method is a text message; answers the delivery's status and error. */
  async function pageBySms(env: Record<string, string>) {
    const h = await openHarness({ store: { dataDir: tempDir() }, env });
    try {
      const user = (
        await h.ok('create_user', {
          name: 'Ann',
          email: 'ann@example.com',
          contact_methods: [{ type: 'sms', address: '+14155550123' }],
        })
      ).users[0];
      const policy = (
        await h.ok('create_escalation_policy', {
          name: 'P',
          escalation_rules: [
            { escalation_delay_in_minutes: 5, targets: [{ id: user.id, type: 'user_reference' }] },
          ],
        })
      ).escalation_policies[0];
      const service = (await h.ok('create_service', { name: 'S', escalation_policy_id: policy.id }))
        .services[0];
      await h.rt.embedded.ingest({
        routing_key: service.integration_key,
        event_action: 'trigger',
        payload: { summary: 'Disk full', source: 'db', severity: 'critical' },
        links: [],
        images: [],
      });
      await h.rt.embedded.engine.tick();
      return await h.rt.embedded.db
        .selectFrom('deliveries')
        .select(['status', 'last_error'])
        .executeTakeFirstOrThrow();
    } finally {
      await h.close();
    }
  }

  it('is recorded unsupported without its settings, naming them', async () => {
    expect(await pageBySms({})).toEqual({
      status: 'unsupported',
      last_error:
        'No sms channel on this server: set VIGIL_TWILIO_ACCOUNT_SID, VIGIL_TWILIO_AUTH_TOKEN and VIGIL_TWILIO_FROM.',
    });
    expect(twilio.requests).toHaveLength(0);
  });

  it('sends once VIGIL_TWILIO_* are set', async () => {
    expect(
      await pageBySms({
        VIGIL_TWILIO_ACCOUNT_SID: C.twilioSid,
        VIGIL_TWILIO_AUTH_TOKEN: C.twilioToken,
        VIGIL_TWILIO_FROM: C.twilioFrom,
        VIGIL_TWILIO_API_URL: twilio.base,
      }),
    ).toEqual({ status: 'delivered', last_error: null });
    expect(twilio.requests.map((r) => r.path)).toEqual([`/2010-04-01/Accounts/${C.twilioSid}/Messages.json`]);
  });
});
