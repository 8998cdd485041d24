/**
 * The alerts toolset through a real MCP client on SQLite and PostgreSQL: rules and channels
 * with the Pingera seed's names (`create_alert` writes a rule), their checks, PagerDuty routing
 * keys (masked in every answer), and nothing stored for a bad rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, openHarness } from '../../test/helpers/harness.js';
import { STORES, storeAvailable } from '../../test/helpers/stores.js';

describe.each(STORES)('alert tools on $kind', (store) => {
  let h: Harness;
  let skip = false;
  const id: Record<string, string> = {};

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    h = await openHarness({ store: await store.open() });
    id.check = (
      await h.ok('create_check', { name: 'API', type: 'web', url: 'https://api.example.com/health' })
    ).checks[0].id;
    id.heartbeat = (
      await h.ok('create_heartbeat', { heartbeat_data: { name: 'Backup', period_seconds: 3600 } })
    ).heartbeats[0].id;
    id.service = (await h.ok('create_service', { name: 'API' })).services[0].id;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates channels and rules, lists them, and changes and deletes them', async ({ skip: s }) => {
    if (skip) s();
    const hook = (
      await h.ok('create_alert_channel', {
        name: 'Ops',
        type: 'webhook',
        configuration: { url: 'https://hooks.example.com/x' },
      })
    ).channels[0];
    expect(hook.configuration.signing_secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const mail = (
      await h.ok('create_alert_channel', { name: 'Mail', type: 'email', configuration: { to: ['ops@x.io'] } })
    ).channels[0];
    const rule = (
      await h.ok('create_alert', {
        alert_data: {
          name: 'API down',
          check_id: id.check,
          condition: 'consecutive_failures',
          condition_parameters: { count: 3 },
          channel_ids: [hook.id, mail.id],
          service_id: id.service,
        },
      })
    ).rules[0];
    expect(rule).toMatchObject({
      check_name: 'API',
      condition: 'consecutive_failures',
      severity: 'high',
      cooldown_period: 300,
      auto_resolve: true,
      enabled: true,
      service_id: id.service,
      channels: [
        { id: mail.id, name: 'Mail', type: 'email' },
        { id: hook.id, name: 'Ops', type: 'webhook' },
      ],
    });
    await h.ok('create_alert', {
      alert_data: { name: 'Backup late', heartbeat_id: id.heartbeat, condition: 'heartbeat_late' },
    });
    expect((await h.ok('list_alert_rules')).rules.map((r: { name: string }) => r.name)).toEqual([
      'API down',
      'Backup late',
    ]);
    expect((await h.ok('list_alert_channels')).channels.map((c: { name: string }) => c.name)).toEqual([
      'Mail',
      'Ops',
    ]);
    expect((await h.ok('list_alert_channels')).channels[1].configuration.signing_secret).toBeUndefined();

    const changed = await h.ok('update_alert', {
      alert_id: rule.id,
      alert_data: { severity: 'critical', channel_ids: [mail.id] },
    });
    expect(changed.rules[0]).toMatchObject({ severity: 'critical', channel_ids: [mail.id] });
    await h.ok('delete_alert_channel', { channel_id: mail.id });
    expect((await h.ok('list_alert_rules')).rules[0].channel_ids).toEqual([]);
    await h.ok('delete_alert', { alert_id: rule.id });
    expect((await h.ok('get_alert_statistics')).statistics[0]).toMatchObject({
      total_rules: 1,
      total_channels: 1,
      active_alerts: 0,
    });
    expect((await h.ok('list_alerts')).alerts).toEqual([]);
  });

  it('takes a PagerDuty routing key instead of a service, and shows only its last 4 characters', async ({
    skip: s,
  }) => {
    if (skip) s();
    const key = 'R0ut1ngKeyR0ut1ngKeyR0ut1ngKey42';
    const masked = `${'*'.repeat(28)}ey42`;
    const rule = (
      await h.ok('create_alert', {
        alert_data: { name: 'To PagerDuty', check_id: id.check, condition: 'check_failed', routing_key: key },
      })
    ).rules[0];
    expect(rule).toMatchObject({ routing_key: masked });
    expect(rule).not.toHaveProperty('service_id');
    expect(JSON.stringify(await h.ok('list_alert_rules'))).not.toContain(key);
    // Moving the rule to a local service takes the routing key away in the same call.
    const both = await h.call('update_alert', { alert_id: rule.id, alert_data: { service_id: id.service } });
    expect(both.body.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { parameter: 'alert_data.routing_key' },
    });
    expect(both.body.error.message).toContain('not both');
    const moved = await h.ok('update_alert', {
      alert_id: rule.id,
      alert_data: { service_id: id.service, routing_key: null },
    });
    expect(moved.rules[0]).toMatchObject({ service_id: id.service });
    expect(moved.rules[0]).not.toHaveProperty('routing_key');
    const back = await h.ok('update_alert', {
      alert_id: rule.id,
      alert_data: { service_id: null, routing_key: key.replace('42', '77') },
    });
    expect(back.rules[0].routing_key).toBe(`${'*'.repeat(28)}ey77`);
    await h.ok('delete_alert', { alert_id: rule.id });
  });

  it('refuses rules and channels that do not fit, storing nothing', async ({ skip: s }) => {
    if (skip) s();
    const before = (await h.ok('list_alert_rules')).rules.length;
    const cases: [string, Record<string, unknown>, string, string][] = [
      [
        'create_alert',
        { alert_data: { name: 'x', condition: 'check_failed' } },
        'alert_data.check_id',
        'watches a check: give check_id',
      ],
      [
        'create_alert',
        { alert_data: { name: 'x', condition: 'heartbeat_down', check_id: id.check } },
        'alert_data.heartbeat_id',
        'watches a heartbeat: give heartbeat_id',
      ],
      [
        'create_alert',
        { alert_data: { name: 'x', condition: 'check_on_fire', check_id: id.check } },
        'alert_data.condition',
        'condition',
      ],
      [
        'create_alert',
        { alert_data: { name: 'x', condition: 'check_failed', check_id: id.check, channel_ids: ['PNOPE'] } },
        'alert_data.channel_ids',
        "No alert channel with id 'PNOPE'",
      ],
      [
        'create_alert',
        {
          alert_data: {
            name: 'x',
            condition: 'check_failed',
            check_id: id.check,
            condition_parameters: { cuont: 2 },
          },
        },
        'alert_data.condition_parameters',
        'cuont',
      ],
      [
        'create_alert_channel',
        { name: 'x', type: 'webhook', configuration: { url: 'ftp://x' } },
        'configuration.url',
        'http:// or https://',
      ],
      ['create_alert_channel', { name: 'x', type: 'pager', configuration: {} }, 'type', 'type'],
      ...[
        'too-short',
        'R0ut1ngKeyR0ut1ngKeyR0ut1ngKey4',
        'R0ut1ngKey-0ut1ngKeyR0ut1ngKey42',
        `${'a'.repeat(33)}`,
      ].map((routing_key): [string, Record<string, unknown>, string, string] => [
        'create_alert',
        { alert_data: { name: 'x', condition: 'check_failed', check_id: id.check, routing_key } },
        'alert_data.routing_key',
        '32-character PagerDuty integration key',
      ]),
      [
        'create_alert',
        {
          alert_data: {
            name: 'x',
            condition: 'check_failed',
            check_id: id.check,
            service_id: id.service,
            routing_key: 'R0ut1ngKeyR0ut1ngKeyR0ut1ngKey42',
          },
        },
        'alert_data.routing_key',
        'not both',
      ],
    ];
    for (const [tool, args, parameter, message] of cases) {
      const r = await h.call(tool, args);
      expect(r.isError, JSON.stringify(args)).toBe(true);
      expect(String(r.body.error.details?.parameter), JSON.stringify(args)).toMatch(
        new RegExp(`^${parameter.replace(/[.[\]]/g, '\\$&')}`),
      );
      expect(r.body.error.message).toContain(message);
    }
    expect((await h.ok('list_alert_rules')).rules.length).toBe(before);
  });
});
