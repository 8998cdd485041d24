/**
 * PagerDuty misbehaving, behind the loopback fake: a 429 with `ratelimit-reset`, 500s, a hanging
 * answer, malformed JSON, a 401. Each becomes a clear tool error within the timeout, with a
 * bounded number of attempts, and the next call works.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakePagerDuty, startFakePagerDuty } from '../../../test/helpers/fake-pagerduty.js';
import { type Harness, openHarness } from '../../../test/helpers/harness.js';
import { tempDir } from '../../../test/helpers/vigil.js';
import { silentLogger } from '../../core/log.js';
import { PagerDutyProvider } from './index.js';

const SEED = {
  me: 'PANN001',
  users: [{ id: 'PANN001', name: 'Ann', email: 'ann@acme.test', teams: ['POPS001'] }],
  teams: [{ id: 'POPS001', name: 'Ops' }],
  escalation_policies: [
    { id: 'PEP0001', name: 'Ops', rules: [{ targets: [{ type: 'user' as const, id: 'PANN001' }] }] },
  ],
  services: [{ id: 'PAPI001', name: 'API', escalation_policy: 'PEP0001', teams: ['POPS001'] }],
  incidents: [{ id: 'PINC001', title: 'Disk full', service: 'PAPI001' }],
};

describe('PagerDuty faults', () => {
  let fake: FakePagerDuty;
  let h: Harness;
  const slept: number[] = [];

  beforeAll(async () => {
    fake = await startFakePagerDuty();
    fake.addAccount('good', SEED);
    h = await openHarness({
      store: { dataDir: tempDir() },
      env: { PAGERDUTY_API_TOKEN: 'good', PAGERDUTY_API_HOST: fake.url, VIGIL_TOOLSETS: 'all' },
    });
  });
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });
  beforeEach(() => {
    slept.length = 0;
    fake.clearFaults();
  });

  const requestsTo = (path: string) => fake.requests.filter((r) => r.path === path).length;

  it('a 429 waits for ratelimit-reset and retries; past three retries it answers RATE_LIMITED', async () => {
    fake.fail({ kind: '429', path: '/teams', times: 1, resetSeconds: 1 });
    const started = Date.now();
    const before = requestsTo('/teams');
    const ok = await h.call('get_teams');
    expect(ok.isError).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(requestsTo('/teams') - before).toBe(2);

    fake.fail({ kind: '429', path: '/teams', times: 10, resetSeconds: 0 });
    const limited = await h.call('get_teams');
    expect(limited.body.error).toMatchObject({ code: 'RATE_LIMITED' });
    expect(limited.body.error.details).toMatchObject({
      provider: 'pagerduty',
      status: 429,
      pagerduty: { code: 2020 },
    });
    expect(requestsTo('/teams') - before).toBe(2 + 4); // one try and three retries, no storm
  });

  it('a 429 asking to wait longer than 30 s is answered at once', async () => {
    fake.fail({ kind: '429', path: '/teams', times: 1, resetSeconds: 120 });
    const started = Date.now();
    const r = await h.call('get_teams');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(r.body.error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringContaining('120 s') });
  });

  it('500s are retried for reads, never for writes', async () => {
    fake.fail({ kind: '500', path: '/teams', times: 2 });
    expect((await h.call('get_teams')).isError).toBe(false);

    const before = requestsTo('/incidents/PINC001');
    fake.fail({ kind: '500', method: 'PUT', path: '/incidents/PINC001', times: 1 });
    const ack = await h.call('acknowledge_incident', { incident_id: 'PINC001' });
    expect(ack.body.error).toMatchObject({ code: 'UPSTREAM_ERROR', details: { status: 500 } });
    const puts = fake.requests.filter((r) => r.method === 'PUT' && r.path === '/incidents/PINC001');
    expect(puts).toHaveLength(1);
    expect(requestsTo('/incidents/PINC001') - before).toBe(2); // the GET that found it, one PUT
  });

  it('malformed JSON and a 401 are clear errors, and the next call works', async () => {
    fake.fail({ kind: 'malformed', path: '/teams' });
    const bad = await h.call('get_teams');
    expect(bad.body.error).toMatchObject({
      code: 'UPSTREAM_ERROR',
      message: expect.stringContaining('malformed JSON'),
    });
    fake.fail({ kind: '401', path: '/teams' });
    const denied = await h.call('get_teams');
    expect(denied.body.error).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('PAGERDUTY_API_TOKEN'),
    });
    expect((await h.call('get_teams')).isError).toBe(false);
  });

  it('a hanging answer is UPSTREAM_TIMEOUT within the timeout, without a retry', async () => {
    const provider = new PagerDutyProvider({
      host: fake.url,
      token: 'good',
      log: silentLogger(),
      version: 'test',
      timeoutMs: 500,
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    fake.fail({ kind: 'hang', path: '/teams/POPS001' });
    const started = Date.now();
    const before = requestsTo('/teams/POPS001');
    const err = await provider
      .portsFor({ local: true })
      .directory.getTeam('POPS001')
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(err).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    expect(requestsTo('/teams/POPS001') - before).toBe(1);
    expect(slept).toEqual([]);
    // The hang holds no other call up.
    expect(await provider.portsFor({ local: true }).directory.getTeam('POPS001')).toMatchObject({
      name: 'Ops',
    });
  });

  it('an OAuth access token goes as Bearer whatever its prefix', async () => {
    fake.addAccount('oauth-abc', SEED);
    const provider = new PagerDutyProvider({
      host: fake.url,
      oauth: { accessToken: async () => 'oauth-abc' },
      log: silentLogger(),
      version: 'test',
    });
    const me = await provider.portsFor({ local: true }).directory.me?.();
    expect(me).toMatchObject({ id: 'PANN001' });
    expect(fake.requests.at(-1)?.headers.authorization).toBe('Bearer oauth-abc');
    // Over HTTP, OAuth is never attempted: the request must bring its token.
    const remote = await provider
      .portsFor({ local: false })
      .directory.me?.()
      .catch((e: unknown) => e);
    expect(remote).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('X-PagerDuty-Token'),
    });
  });

  it('a user token goes as Token token=, a pdus+_ token as Bearer', async () => {
    fake.addAccount('pdus+_scoped', SEED);
    const provider = new PagerDutyProvider({
      host: fake.url,
      token: 'good',
      log: silentLogger(),
      version: 'test',
    });
    await provider.portsFor({ local: false, credential: 'pdus+_scoped' }).directory.getTeam('POPS001');
    expect(fake.requests.at(-2)?.headers.authorization).toBe('Bearer pdus+_scoped');
    await provider.portsFor({ local: false }).directory.getTeam('POPS001');
    expect(fake.requests.at(-1)?.headers.authorization).toBe('Token token=good');
  });

  it("keeps the user's context per credential for a while instead of asking on every call", async () => {
    const count = (path: string) => fake.requests.filter((r) => r.path === path && r.token === 'good').length;
    await h.ok('get_incidents');
    const [me, services, policies] = [count('/users/me'), count('/services'), count('/escalation_policies')];
    await h.ok('get_incidents');
    await h.ok('get_services');
    await h.ok('build_user_context');
    expect([count('/users/me'), count('/services'), count('/escalation_policies')]).toEqual([
      me,
      services + 1, // get_services lists services; the context itself is not fetched again
      policies,
    ]);
  });

  it('what PagerDuty is not asked to do is not listed, and a call answers NOT_SUPPORTED naming the provider', async () => {
    const listed = (await h.client.listTools()).tools.map((t) => t.name);
    expect(listed).toEqual(expect.arrayContaining(['get_teams', 'create_schedule_override', 'list_pages']));
    expect(listed).not.toContain('create_team');
    expect(listed).not.toContain('delete_schedule');
    const r = await h.call('create_team', { name: 'New team' });
    expect(r.body.error).toMatchObject({ code: 'NOT_SUPPORTED', details: { provider: 'pagerduty' } });
    expect(r.body.error.message).toContain('pagerduty');
  });

  it("stops at PagerDuty's 10,000 offset cap and says to narrow the query", async () => {
    const incidents = Array.from({ length: 10_050 }, (_, i) => ({
      id: `PBIG${String(i).padStart(5, '0')}`,
      title: `Incident ${i}`,
      service: 'PAPI001',
      created_at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    }));
    fake.addAccount('busy', { ...SEED, incidents });
    const provider = new PagerDutyProvider({
      host: fake.url,
      token: 'busy',
      log: silentLogger(),
      version: 'test',
    });
    const ports = provider.portsFor({ local: true });
    const filter = {
      statuses: ['triggered' as const],
      urgencies: ['high' as const],
      serviceIds: ['PAPI001'],
    };
    const page = await ports.incidents.list({ ...filter, limit: 100, offset: 9_950 });
    expect(page.items).toHaveLength(50);
    expect(page.more).toBe(false);
    expect(page.notice).toMatch(/10,000 results.*Narrow the query/);
    const beyond = await ports.incidents
      .list({ ...filter, limit: 10, offset: 10_000 })
      .catch((e: unknown) => e);
    expect(beyond).toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('since/until'),
    });
    expect(fake.violations()).toEqual([]);
  });

  it('an answer without what it must hold is UPSTREAM_ERROR, not an internal error', async () => {
    const odd = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":1}'),
    );
    await new Promise<void>((r) => odd.listen(0, '127.0.0.1', r));
    try {
      const provider = new PagerDutyProvider({
        host: `http://127.0.0.1:${(odd.address() as AddressInfo).port}`,
        token: 'good',
        log: silentLogger(),
        version: 'test',
      });
      const ports = provider.portsFor({ local: true });
      for (const call of [
        () => ports.incidents.get('PINC001'),
        () => ports.incidents.notes('PINC001'),
        () => ports.directory.getUser('PANN001'),
      ]) {
        expect(await call().catch((e: unknown) => e)).toMatchObject({
          code: 'UPSTREAM_ERROR',
          details: { provider: 'pagerduty' },
        });
      }
    } finally {
      await new Promise((r) => odd.close(r));
    }
  });
});
