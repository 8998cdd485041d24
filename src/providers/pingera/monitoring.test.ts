/**
 * The four monitoring ports on Pingera (checks, heartbeats, alerts, secrets) behind the loopback
 * fake: every method against the real endpoints, every request the fake records within the
 * contract (`fake.violations()` empty), 404s read as undefined or as NOT_FOUND naming the
 * parameter, and what Pingera lacks answered NOT_SUPPORTED naming the provider.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakePingera, startFakePingera } from '../../../test/helpers/fake-pingera.js';
import { silentLogger } from '../../core/log.js';
import { PingeraAlerts } from './alerts.js';
import { PingeraChecks } from './checks.js';
import { PingeraClient } from './client.js';
import { PingeraHeartbeats } from './heartbeats.js';
import { PingeraSecrets } from './secrets.js';

const KEY = 'pk_monitoring_test';
const MISSING = 'zzzzzzzzzzzz';
const noWait = async () => {};

let fake: FakePingera;
let checks: PingeraChecks;
let heartbeats: PingeraHeartbeats;
let alerts: PingeraAlerts;
let secrets: PingeraSecrets;
let polls = 0;

beforeAll(async () => {
  fake = await startFakePingera();
  fake.addAccount(KEY);
  const client = new PingeraClient(
    {
      baseUrl: fake.url,
      timeoutMs: 5000,
      maxRetries: 0,
      log: silentLogger(),
      userAgent: 'vigil-test',
      sleep: noWait,
    },
    async () => ({ kind: 'api_key', value: KEY }),
  );
  checks = new PingeraChecks(client, {
    sleep: async () => {
      polls++;
    },
  });
  heartbeats = new PingeraHeartbeats(client);
  alerts = new PingeraAlerts(client);
  secrets = new PingeraSecrets(client);
});
afterAll(async () => {
  await fake?.close();
});
afterEach(() => {
  // Every request of every test within Pingera's contract.
  expect(fake.violations()).toEqual([]);
});

const notFound = (parameter: string) => ({
  code: 'NOT_FOUND',
  details: expect.objectContaining({ parameter }),
});
const notSupported = { code: 'NOT_SUPPORTED', details: { provider: 'pingera' } };

describe('PingeraChecks', () => {
  it('creates, reads, lists, changes, pauses, resumes and deletes a check', async () => {
    const created = await checks.createCheck({
      name: 'API health',
      type: 'web',
      url: 'https://api.example.com/health',
      interval: 60,
      timeout: 10,
      parameters: { http_request: { method: 'GET' } },
    });
    expect(created).toMatchObject({
      name: 'API health',
      type: 'web',
      url: 'https://api.example.com/health',
      host: null,
      port: null,
      interval: 60,
      timeout: 10,
      active: true,
      group_id: null,
      group: null,
      failure_threshold: 1,
      recovery_threshold: 1,
      next_run_at: null,
    });
    expect(created.created_at).toMatch(/Z$/);

    expect(await checks.getCheck(created.id)).toMatchObject({ id: created.id, name: 'API health' });
    const listed = await checks.listChecks({ type: 'web', limit: 100, offset: 0 });
    expect(listed.items.map((c) => c.id)).toContain(created.id);

    expect(await checks.updateCheck(created.id, { name: 'API' })).toMatchObject({ name: 'API' });
    const paused = await checks.updateCheck(created.id, { active: false });
    expect(paused).toMatchObject({ active: false, status: 'paused' });
    const resumed = await checks.updateCheck(created.id, { active: true });
    expect(resumed.active).toBe(true);
    expect(resumed.status).not.toBe('paused');
    // Pause and resume are PATCH {active}: there is no pause endpoint.
    const writes = fake.requests.filter((r) => r.path === `/v1/checks/${created.id}` && r.method === 'PATCH');
    expect(writes.map((r) => r.body)).toEqual([{ name: 'API' }, { active: false }, { active: true }]);

    await checks.deleteCheck(created.id);
    expect(await checks.getCheck(created.id)).toBeUndefined();
  });

  it('answers NOT_FOUND naming check_id, and NOT_SUPPORTED for thresholds', async () => {
    expect(await checks.getCheck(MISSING)).toBeUndefined();
    await expect(checks.updateCheck(MISSING, { name: 'x' })).rejects.toMatchObject(notFound('check_id'));
    await expect(checks.deleteCheck(MISSING)).rejects.toMatchObject(notFound('check_id'));
    await expect(
      checks.statistics(MISSING, { since: Date.now() - 3600_000, until: Date.now() }),
    ).rejects.toMatchObject(notFound('check_id'));
    await expect(
      checks.createCheck({
        name: 'x',
        type: 'tcp',
        host: 'db.example.com',
        port: 5432,
        failure_threshold: 3,
      }),
    ).rejects.toMatchObject(notSupported);
  });

  it('groups: create, read, list, assign a check, list its checks, ungroup, delete', async () => {
    const group = await checks.createGroup({
      name: 'Payments',
      description: 'Payment APIs',
      color: '#4F46E5',
    });
    expect(group).toMatchObject({
      name: 'Payments',
      description: 'Payment APIs',
      color: '#4F46E5',
      active: true,
    });
    expect(await checks.getGroup(group.id)).toMatchObject({ id: group.id });
    expect((await checks.listGroups(100, 0)).items.map((g) => g.id)).toContain(group.id);
    expect(await checks.updateGroup(group.id, { name: 'Payments EU', description: null })).toMatchObject({
      name: 'Payments EU',
    });
    await expect(checks.updateGroup(group.id, { color: null })).rejects.toMatchObject(notSupported);

    const check = await checks.createCheck({ name: 'Pay', type: 'tcp', host: 'pay.example.com', port: 443 });
    const grouped = await checks.updateCheck(check.id, { group_id: group.id });
    expect(grouped).toMatchObject({ group_id: group.id, group: { id: group.id } });
    expect(fake.requests.some((r) => r.method === 'PATCH' && r.path === `/v1/checks/${check.id}/group`)).toBe(
      true,
    );
    const inGroup = await checks.listChecks({ groupId: group.id, limit: 10, offset: 0 });
    expect(inGroup.items.map((c) => c.id)).toEqual([check.id]);
    await expect(checks.updateCheck(check.id, { group_id: MISSING })).rejects.toMatchObject(
      notFound('group_id'),
    );
    // The fake refuses a missing group on create as a 422 on group_id (a 404 would be NOT_FOUND).
    await expect(
      checks.createCheck({ name: 'Lost', type: 'tcp', host: 'h.example.com', port: 22, group_id: MISSING }),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('group_id') });
    expect(await checks.updateCheck(check.id, { group_id: null })).toMatchObject({
      group_id: null,
      group: null,
    });

    await checks.deleteGroup(group.id);
    expect(await checks.getGroup(group.id)).toBeUndefined();
    await expect(checks.deleteGroup(group.id)).rejects.toMatchObject(notFound('group_id'));
    await expect(checks.listChecks({ groupId: MISSING, limit: 10, offset: 0 })).rejects.toMatchObject(
      notFound('group_id'),
    );
    await checks.deleteCheck(check.id);
  });

  it('runs a check on demand: without wait the job as queued, with wait polled to its result', async () => {
    const check = await checks.createCheck({ name: 'Site', type: 'web', url: 'https://www.example.com' });
    const queued = await checks.executeExisting(check.id, false);
    expect(queued).toMatchObject({ check_id: check.id, job_type: 'existing' });
    expect(['pending', 'running']).toContain(queued.status);

    polls = 0;
    const done = await checks.executeExisting(check.id, true);
    // The fake's job reads pending, running, then completed: three reads, two waits.
    expect(done).toMatchObject({ status: 'completed', result: { status: expect.any(String) } });
    expect(done.note).toBeUndefined();
    expect(polls).toBe(2);
    expect(fake.requests.filter((r) => r.path === `/v1/checks/jobs/${done.id}`)).toHaveLength(3);

    const custom = await checks.executeCustom(
      { name: 'one-off', type: 'tcp', host: 'db.example.com', port: 5432, timeout: 5, parameters: {} },
      true,
    );
    expect(custom).toMatchObject({ check_id: null, job_type: 'custom' });
    expect(fake.requests.some((r) => r.method === 'POST' && r.path === '/v1/checks/execute')).toBe(true);

    expect(await checks.getJob(custom.id)).toMatchObject({ id: custom.id, status: custom.status });
    expect(await checks.getJob(MISSING)).toBeUndefined();
    const jobs = await checks.listJobs(100, 0);
    expect(jobs.items.map((j) => j.id)).toEqual(expect.arrayContaining([queued.id, done.id, custom.id]));
    // Jobs page with per_page, not the seed's page_size.
    expect(fake.requests.find((r) => r.path === '/v1/checks/jobs')?.query.get('per_page')).toBe('100');

    await expect(checks.executeExisting(MISSING, true)).rejects.toMatchObject(notFound('check_id'));
    await checks.deleteCheck(check.id);
  });

  it('results, statistics and status history on the endpoints Pingera has', async () => {
    const a = await checks.createCheck({ name: 'A', type: 'web', url: 'https://a.example.com' });
    const b = await checks.createCheck({ name: 'B', type: 'web', url: 'https://b.example.com' });
    await checks.executeExisting(a.id, true);
    await checks.executeExisting(b.id, true);
    const since = Date.now() - 86_400_000;
    const until = Date.now() + 60_000;

    const one = await checks.listResults({ checkIds: [a.id], since, until, limit: 50, offset: 0 });
    expect(one.items.every((r) => r.check_id === a.id)).toBe(true);
    const perCheck = fake.requests.find((r) => r.path === `/v1/checks/${a.id}/results`);
    expect(perCheck?.query.get('start_date')).toBe(new Date(since).toISOString());
    expect(perCheck?.query.get('from_date')).toBeNull();

    const both = await checks.listResults({ checkIds: [a.id, b.id], limit: 50, offset: 0 });
    expect(both.items.every((r) => r.check_id === a.id || r.check_id === b.id)).toBe(true);
    const sorted = [...both.items].sort((x, y) => y.created_at.localeCompare(x.created_at));
    expect(both.items.map((r) => r.id)).toEqual(sorted.map((r) => r.id));

    const failed = await checks.listResults({ status: 'failed', limit: 10, offset: 0 });
    expect(failed.items.every((r) => r.status === 'failed')).toBe(true);
    expect(
      fake.requests.some((r) => r.path === '/v1/checks/all-results' && r.query.get('status') === 'failed'),
    ).toBe(true);

    const stats = await checks.statistics(a.id, { since, until });
    expect(stats).toMatchObject({
      check_id: a.id,
      since: new Date(since).toISOString(),
      until: new Date(until).toISOString(),
      total: expect.any(Number),
    });
    const uptime = fake.requests.find((r) => r.path === `/v1/checks/${a.id}/uptime`);
    expect(uptime?.query.get('start_time')).toBe(new Date(since).toISOString());
    expect(fake.requests.some((r) => r.path === `/v1/checks/${a.id}/response-times`)).toBe(true);

    const history = await checks.statusHistory(a.id, 10, 0);
    expect(Array.isArray(history.items)).toBe(true);
    await expect(checks.statusHistory(MISSING, 10, 0)).rejects.toMatchObject(notFound('check_id'));

    await checks.deleteCheck(a.id);
    await checks.deleteCheck(b.id);
  });
});

describe('PingeraHeartbeats', () => {
  it('creates, reads, lists, changes and deletes a heartbeat; pings it by id', async () => {
    const created = await heartbeats.createHeartbeat({
      name: 'nightly backup',
      period_seconds: 86_400,
      grace_seconds: 3600,
    });
    expect(created).toMatchObject({
      name: 'nightly backup',
      period_seconds: 86_400,
      grace_seconds: 3600,
      cron: null,
      time_zone: 'UTC',
      active: true,
      status: 'new',
      last_ping_at: null,
    });
    expect(created.ping_url).toContain(created.id);

    expect(await heartbeats.getHeartbeat(created.id)).toMatchObject({ id: created.id, recent_pings: [] });
    expect((await heartbeats.listHeartbeats({ limit: 100, offset: 0 })).items.map((h) => h.id)).toContain(
      created.id,
    );
    expect(
      fake.requests.find((r) => r.path === '/v1/heartbeats' && r.method === 'GET')?.query.get('per_page'),
    ).toBe('100');
    const fresh = await heartbeats.listHeartbeats({ status: 'new', limit: 100, offset: 0 });
    expect(fresh.items.map((h) => h.id)).toContain(created.id);

    expect(
      await heartbeats.updateHeartbeat(created.id, { name: 'backup', grace_seconds: 600 }),
    ).toMatchObject({
      name: 'backup',
      grace_seconds: 600,
    });

    const outcome = await heartbeats.ping({ id: created.id }, { kind: 'success', body: '{"rows":42}' });
    expect(outcome?.heartbeat).toMatchObject({ id: created.id, status: 'up' });
    expect(outcome?.heartbeat.last_ping_at).not.toBeNull();
    expect(outcome?.ping).toMatchObject({ check_id: created.id, kind: 'success', exit_code: null });
    expect(
      fake.requests.some((r) => r.method === 'POST' && r.path === `/v1/heartbeats/${created.id}/ping`),
    ).toBe(true);

    const pings = await heartbeats.listPings(created.id, { limit: 10, offset: 0 });
    expect(pings.items).toHaveLength(1);
    expect(pings.items[0]).toMatchObject({ check_id: created.id, kind: 'success' });
    const up = await heartbeats.listHeartbeats({ status: 'up', limit: 100, offset: 0 });
    expect(up.items.map((h) => h.id)).toContain(created.id);

    await heartbeats.deleteHeartbeat(created.id);
    expect(await heartbeats.getHeartbeat(created.id)).toBeUndefined();
  });

  it('404s and what Pingera heartbeats lack', async () => {
    expect(await heartbeats.getHeartbeat(MISSING)).toBeUndefined();
    expect(await heartbeats.ping({ id: MISSING }, { kind: 'success' })).toBeUndefined();
    await expect(heartbeats.updateHeartbeat(MISSING, { name: 'x' })).rejects.toMatchObject(
      notFound('heartbeat_id'),
    );
    await expect(heartbeats.deleteHeartbeat(MISSING)).rejects.toMatchObject(notFound('heartbeat_id'));
    await expect(heartbeats.listPings(MISSING, { limit: 10, offset: 0 })).rejects.toMatchObject(
      notFound('heartbeat_id'),
    );

    const before = fake.requests.length;
    await expect(heartbeats.ping({ token: 'abc' }, { kind: 'success' })).rejects.toMatchObject(notSupported);
    await expect(heartbeats.ping({ id: MISSING }, { kind: 'fail' })).rejects.toMatchObject(notSupported);
    await expect(heartbeats.ping({ id: MISSING }, { kind: 'success', exitCode: 2 })).rejects.toMatchObject(
      notSupported,
    );
    await expect(heartbeats.createHeartbeat({ name: 'cron', cron: '0 2 * * *' })).rejects.toMatchObject(
      notSupported,
    );
    await expect(heartbeats.createHeartbeat({ name: 'none' })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
    });
    expect(fake.requests.length).toBe(before);
  });
});

describe('PingeraAlerts', () => {
  it('channels and rules: create, list, read, change, delete', async () => {
    const check = await checks.createCheck({
      name: 'Alerted',
      type: 'web',
      url: 'https://alerted.example.com',
    });
    const channel = await alerts.createChannel({
      name: 'Ops hook',
      type: 'webhook',
      configuration: { url: 'https://hooks.example.com/ops' },
    });
    expect(channel).toMatchObject({ name: 'Ops hook', type: 'webhook', enabled: true });
    expect((await alerts.listChannels(100, 0)).items.map((c) => c.id)).toContain(channel.id);
    expect(await alerts.updateChannel(channel.id, { enabled: false })).toMatchObject({
      name: 'Ops hook',
      enabled: false,
    });

    const rule = await alerts.createRule({
      name: 'API down',
      check_id: check.id,
      condition: 'check_failed',
      channel_ids: [channel.id],
      severity: 'critical',
    });
    expect(rule).toMatchObject({
      name: 'API down',
      check_id: check.id,
      condition: 'check_failed',
      channel_ids: [channel.id],
      severity: 'critical',
      heartbeat_id: null,
      service_id: null,
      routing_key: null,
    });
    expect(fake.requests.some((r) => r.method === 'POST' && r.path === '/v1/alerts/rules')).toBe(true);
    expect(await alerts.getRule(rule.id)).toMatchObject({ id: rule.id });
    expect((await alerts.listRules(100, 0)).items.map((r) => r.id)).toContain(rule.id);
    const changed = await alerts.updateRule(rule.id, { severity: 'low', cooldown_period: 600 });
    expect(changed).toMatchObject({
      name: 'API down',
      severity: 'low',
      cooldown_period: 600,
      channel_ids: [channel.id],
    });
    expect(fake.requests.some((r) => r.method === 'PUT' && r.path === `/v1/alerts/rules/${rule.id}`)).toBe(
      true,
    );

    // Pingera's 404 on a rule write is a missing check or channel: said as which.
    await expect(
      alerts.createRule({
        name: 'x',
        check_id: MISSING,
        condition: 'check_failed',
        channel_ids: [channel.id],
      }),
    ).rejects.toMatchObject(notFound('alert_data.check_id'));
    await expect(alerts.updateRule(rule.id, { channel_ids: [channel.id, MISSING] })).rejects.toMatchObject({
      ...notFound('alert_data.channel_ids'),
      message: expect.stringContaining(MISSING),
    });

    await alerts.deleteRule(rule.id);
    expect(await alerts.getRule(rule.id)).toBeUndefined();
    await alerts.deleteChannel(channel.id);
    await expect(alerts.deleteChannel(channel.id)).rejects.toMatchObject(notFound('channel_id'));
    await checks.deleteCheck(check.id);
  });

  it('alerts and their statistics', async () => {
    const listed = await alerts.listAlerts({ limit: 10, offset: 0 });
    for (const a of listed.items) expect(['firing', 'acknowledged', 'resolved']).toContain(a.status);
    const firing = await alerts.listAlerts({ status: 'firing', limit: 10, offset: 0 });
    expect(firing.items.every((a) => a.status === 'firing')).toBe(true);
    expect(fake.requests.find((r) => r.path === '/v1/alerts')?.query.get('per_page')).toBe('10');
    expect(await alerts.getAlert(MISSING)).toBeUndefined();
    const stats = await alerts.statistics();
    expect(stats).toMatchObject({
      active_alerts: expect.any(Number),
      recent_alerts: expect.any(Number),
      total_rules: expect.any(Number),
      total_channels: expect.any(Number),
      severity_breakdown: {
        low: expect.any(Number),
        medium: expect.any(Number),
        high: expect.any(Number),
        critical: expect.any(Number),
      },
    });
  });

  it("404s, and Vigil's own rule targets, conditions and slack channels NOT_SUPPORTED", async () => {
    await expect(alerts.updateRule(MISSING, { name: 'x' })).rejects.toMatchObject(notFound('alert_id'));
    await expect(alerts.deleteRule(MISSING)).rejects.toMatchObject(notFound('alert_id'));
    await expect(alerts.updateChannel(MISSING, { name: 'x' })).rejects.toMatchObject(notFound('channel_id'));
    const before = fake.requests.length;
    await expect(
      alerts.createRule({ name: 'hb', heartbeat_id: 'hb0000000001', condition: 'heartbeat_down' }),
    ).rejects.toMatchObject(notSupported);
    await expect(
      alerts.createRule({
        name: 'svc',
        check_id: 'chk000000001',
        condition: 'check_failed',
        service_id: 'svc1',
      }),
    ).rejects.toMatchObject(notSupported);
    await expect(
      alerts.createChannel({
        name: 'chat',
        type: 'slack',
        configuration: { url: 'https://hooks.slack.com/x' },
      }),
    ).rejects.toMatchObject(notSupported);
    await expect(alerts.createRule({ name: 'no check', condition: 'check_failed' })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
    });
    expect(fake.requests.length).toBe(before);
  });
});

describe('PingeraSecrets', () => {
  it("secrets and a check's secrets", async () => {
    const secret = await secrets.createSecret('API_TOKEN', 's3cret');
    expect(secret).toMatchObject({ secret_name: 'API_TOKEN' });
    expect(secret.secret_value).toBeUndefined();
    const listed = await secrets.listSecrets(100, 0);
    expect(listed.items.map((s) => s.id)).toContain(secret.id);
    expect(listed.items.every((s) => s.secret_value === undefined)).toBe(true);
    expect(await secrets.getSecret(secret.id, true)).toMatchObject({ secret_value: 's3cret' });
    expect((await secrets.getSecret(secret.id, false))?.secret_value).toBeUndefined();
    await secrets.updateSecret(secret.id, 'n3w');
    expect(await secrets.getSecret(secret.id, true)).toMatchObject({ secret_value: 'n3w' });

    const other = await secrets.createSecret('DB_PASSWORD', 'pw');
    const check = await checks.createCheck({ name: 'Secretive', type: 'web', url: 'https://s.example.com' });
    expect(await secrets.checkSecrets(check.id)).toEqual([]);
    expect(await secrets.addCheckSecret(check.id, secret.id, 'TOKEN')).toEqual([
      { secret_id: secret.id, env_variable: 'TOKEN', secret: { secret_name: 'API_TOKEN' } },
    ]);
    await expect(secrets.addCheckSecret(check.id, other.id, 'TOKEN')).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    const set = await secrets.setCheckSecrets(check.id, [
      { secret_id: secret.id, env_variable: 'TOKEN' },
      { secret_id: other.id, env_variable: 'DB_PASSWORD' },
    ]);
    expect(set.map((s) => s.env_variable).sort()).toEqual(['DB_PASSWORD', 'TOKEN']);
    await secrets.removeCheckSecret(check.id, other.id);
    expect((await secrets.checkSecrets(check.id)).map((s) => s.secret_id)).toEqual([secret.id]);
    await expect(secrets.removeCheckSecret(check.id, other.id)).rejects.toMatchObject(notFound('secret_id'));
    await expect(secrets.checkSecrets(MISSING)).rejects.toMatchObject(notFound('check_id'));

    await checks.deleteCheck(check.id);
    await secrets.deleteSecret(secret.id);
    await secrets.deleteSecret(other.id);
    expect(await secrets.getSecret(secret.id, true)).toBeUndefined();
    await expect(secrets.updateSecret(secret.id, 'x')).rejects.toMatchObject(notFound('secret_id'));
  });
});

describe('Pingera answers read into Vigil shapes (a seeded account)', () => {
  const SEEDED = 'pk_seeded_account';
  const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
  let seeded: { checks: PingeraChecks; heartbeats: PingeraHeartbeats; alerts: PingeraAlerts };

  beforeAll(() => {
    fake.addAccount(SEEDED, {
      checks: [
        {
          id: 'ckseededaaaa',
          name: 'Seeded A',
          type: 'web',
          url: 'https://a.example.com',
          results: [
            { status: 'ok', response_time: 100, created_at: ago(50) },
            { status: 'ok', response_time: 200, created_at: ago(40) },
            { status: 'failed', response_time: 500, created_at: ago(30), error_message: 'HTTP 503' },
            { status: 'degraded', response_time: 400, created_at: ago(20) },
            { status: 'ok', response_time: 300, created_at: ago(10) },
          ],
        },
        {
          id: 'ckseededbbbb',
          name: 'Seeded B',
          type: 'web',
          url: 'https://b.example.com',
          results: [
            { status: 'ok', response_time: 50, created_at: ago(45) },
            { status: 'ok', response_time: 60, created_at: ago(25) },
            { status: 'ok', response_time: 70, created_at: ago(5) },
          ],
        },
      ],
      heartbeats: [
        {
          id: 'hbseededlate',
          name: 'late job',
          period_seconds: 3600,
          grace_seconds: 3600,
          pings: [{ received_at: ago(90) }],
        },
        {
          id: 'hbseededdown',
          name: 'dead job',
          period_seconds: 3600,
          grace_seconds: 3600,
          pings: [{ received_at: ago(180) }],
        },
        { id: 'hbseededpaus', name: 'paused job', period_seconds: 3600, active: false },
      ],
      alert_channels: [
        { id: 'chseeded0001', name: 'Mail', type: 'email', configuration: { emails: ['ops@example.com'] } },
      ],
      alert_rules: [
        {
          id: 'rlseeded0001',
          name: 'A fails',
          check_id: 'ckseededaaaa',
          condition: 'check_failed',
          channel_ids: ['chseeded0001'],
        },
      ],
      alerts: [
        {
          id: 'alseededfire',
          check_id: 'ckseededaaaa',
          rule_id: 'rlseeded0001',
          status: 'firing',
          severity: 'high',
          fired_at: ago(30),
        },
        {
          id: 'alseededsupp',
          check_id: 'ckseededaaaa',
          rule_id: 'rlseeded0001',
          status: 'suppressed',
          fired_at: ago(60),
        },
        {
          id: 'alseededdone',
          check_id: 'ckseededaaaa',
          rule_id: 'rlseeded0001',
          status: 'resolved',
          fired_at: ago(120),
          resolved_at: ago(110),
        },
      ],
    });
    const client = new PingeraClient(
      { baseUrl: fake.url, timeoutMs: 5000, maxRetries: 0, log: silentLogger(), userAgent: 'vigil-test' },
      async () => ({ kind: 'api_key', value: SEEDED }),
    );
    seeded = {
      checks: new PingeraChecks(client),
      heartbeats: new PingeraHeartbeats(client),
      alerts: new PingeraAlerts(client),
    };
  });

  it("one account's data is not another's", async () => {
    expect(await checks.getCheck('ckseededaaaa')).toBeUndefined();
    expect(await seeded.checks.getCheck('ckseededaaaa')).toMatchObject({ name: 'Seeded A', status: 'ok' });
  });

  it('statistics from uptime and response-times', async () => {
    const stats = await seeded.checks.statistics('ckseededaaaa', {
      since: Date.now() - 3_600_000,
      until: Date.now(),
    });
    // Pingera counts ok and degraded as up, the rest as failed.
    expect(stats).toMatchObject({
      total: 5,
      uptime_percentage: 80,
      by_status: { ok: 4, failed: 1, degraded: 0, timeout: 0 },
    });
    expect(stats.response_time?.avg).toBeGreaterThanOrEqual(299);
    expect(stats.response_time?.avg).toBeLessThanOrEqual(301);
    expect(stats.response_time?.p99).toBeGreaterThanOrEqual(400);
    const empty = await seeded.checks.statistics('ckseededaaaa', {
      since: Date.now() - 30 * 86_400_000,
      until: Date.now() - 29 * 86_400_000,
    });
    expect(empty).toMatchObject({ total: 0, uptime_percentage: null, response_time: null });
  });

  it('results of several checks merged newest first, paged by offset', async () => {
    const ids = ['ckseededaaaa', 'ckseededbbbb'];
    const all = await seeded.checks.listResults({ checkIds: ids, limit: 100, offset: 0 });
    expect(all.items).toHaveLength(8);
    expect(all.more).toBe(false);
    expect(all.items.map((r) => r.response_time)).toEqual([70, 300, 400, 60, 500, 200, 50, 100]);
    const page = await seeded.checks.listResults({ checkIds: ids, limit: 3, offset: 2 });
    expect(page.items.map((r) => r.id)).toEqual(all.items.slice(2, 5).map((r) => r.id));
    expect(page.more).toBe(true);
    const failed = await seeded.checks.listResults({
      checkIds: ['ckseededaaaa'],
      status: 'failed',
      limit: 10,
      offset: 0,
    });
    expect(failed.items).toMatchObject([
      { status: 'failed', error_message: 'HTTP 503', check_name: 'Seeded A' },
    ]);
  });

  it('status history, newest first', async () => {
    const history = await seeded.checks.statusHistory('ckseededaaaa', 10, 0);
    expect(history.items.map((p) => p.status)).toEqual(['ok', 'degraded', 'failed', 'ok']);
    expect(history.items[0]?.ended_at).toBeNull();
    expect(history.items[1]?.ended_at).toBe(history.items[0]?.started_at);
  });

  it('heartbeat statuses: grace is late, then down, inactive paused; a status filter Pingera lacks', async () => {
    const byId = async (id: string) => (await seeded.heartbeats.getHeartbeat(id))?.status;
    expect(await byId('hbseededlate')).toBe('late');
    expect(await byId('hbseededdown')).toBe('down');
    expect(await byId('hbseededpaus')).toBe('paused');
    const late = await seeded.heartbeats.listHeartbeats({ status: 'late', limit: 10, offset: 0 });
    expect(late.items.map((h) => h.id)).toEqual(['hbseededlate']);
    const pings = await seeded.heartbeats.listPings('hbseededlate', {
      since: Date.now() - 2 * 3_600_000,
      limit: 10,
      offset: 0,
    });
    expect(pings.items).toHaveLength(1);
    expect(
      await seeded.heartbeats.listPings('hbseededlate', {
        until: Date.now() - 2 * 3_600_000,
        limit: 10,
        offset: 0,
      }),
    ).toEqual({
      items: [],
      more: false,
    });
  });

  it('alert statuses: suppressed is acknowledged (said in alert_metadata); durations and rules', async () => {
    const list = await seeded.alerts.listAlerts({ limit: 10, offset: 0 });
    const byId = new Map(list.items.map((a) => [a.id, a]));
    expect(byId.get('alseededfire')).toMatchObject({
      status: 'firing',
      is_active: true,
      severity: 'high',
      rule_id: 'rlseeded0001',
    });
    expect(byId.get('alseededsupp')).toMatchObject({
      status: 'acknowledged',
      alert_metadata: { pingera_status: 'suppressed' },
    });
    expect(byId.get('alseededdone')).toMatchObject({ status: 'resolved', is_active: false, duration: 600 });
    expect(await seeded.alerts.getAlert('alseededfire')).toMatchObject({
      id: 'alseededfire',
      heartbeat_id: null,
      pagerduty: null,
    });
    const rules = await seeded.alerts.listRules(10, 0);
    expect(rules.items).toMatchObject([
      { id: 'rlseeded0001', channel_ids: ['chseeded0001'], check_id: 'ckseededaaaa' },
    ]);
    const channels = await seeded.alerts.listChannels(10, 0);
    expect(channels.items).toMatchObject([
      { id: 'chseeded0001', type: 'email', configuration: { emails: ['ops@example.com'] } },
    ]);
    expect((await seeded.alerts.statistics()).total_rules).toBe(1);
  });
});

describe('Pingera jobs that fail or outlast the wait (their own fake)', () => {
  const clock = { t: Date.parse('2026-03-01T12:00:00Z') };
  let slow: FakePingera;
  let failing: FakePingera;
  const portsOn = (f: FakePingera, key: string) =>
    new PingeraChecks(
      new PingeraClient(
        { baseUrl: f.url, timeoutMs: 5000, maxRetries: 0, log: silentLogger(), userAgent: 'vigil-test' },
        async () => ({ kind: 'api_key', value: key }),
      ),
      // One clock for the fake and the poll: each wait moves both on.
      {
        clock: { now: () => clock.t },
        sleep: async (ms) => {
          clock.t += ms;
        },
      },
    );

  beforeAll(async () => {
    slow = await startFakePingera({ now: () => new Date(clock.t), jobs: { ms: 10 * 60_000 } });
    slow.addAccount('slow');
    failing = await startFakePingera({ jobs: { fail: () => 'Connection refused' } });
    failing.addAccount('failing');
  });
  afterAll(async () => {
    await slow?.close();
    await failing?.close();
  });
  afterEach(() => {
    expect(slow.violations()).toEqual([]);
    expect(failing.violations()).toEqual([]);
  });

  it('a job still running at the timeout plus 60 s is answered as it stands, with a note', async () => {
    const started = clock.t;
    const job = await portsOn(slow, 'slow').executeCustom(
      { name: 'slow', type: 'tcp', host: 'db.example.com', port: 5432, timeout: 5, parameters: {} },
      true,
    );
    expect(['pending', 'running']).toContain(job.status);
    expect(job.note).toMatch(/had not finished the run after 65 s/);
    expect(clock.t - started).toBe(65_000);
  });

  it('a failed job is answered at once with its error', async () => {
    const job = await portsOn(failing, 'failing').executeCustom(
      { name: 'down', type: 'web', url: 'https://down.example.com', timeout: 5, parameters: {} },
      true,
    );
    expect(job).toMatchObject({ status: 'failed', error_message: 'Connection refused', result: null });
    expect(job.note).toBeUndefined();
  });
});
