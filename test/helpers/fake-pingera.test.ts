/**
 * Proves the Pingera test doubles: the contract checker flags what the reconstructed spec does not
 * declare and passes what it does, and the fake API answers its endpoints in the spec's shapes, keeps
 * accounts apart (API key and JWT), pages, validates, runs on-demand jobs that must be polled, and
 * injects faults.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakePingera, type PingeraSeed, startFakePingera } from './fake-pingera.js';
import { contractChecker, PINGERA_SPEC, type RecordedRequest } from './openapi-contract.js';

const NOW = Date.parse('2025-03-18T12:00:00Z');
const at = (hoursFromNow: number) => new Date(NOW + hoursFromNow * 3_600_000).toISOString();

const PAGE = 'pg0000000001';
const API = 'cm0000000001';
const WEB = 'cm0000000002';
const GROUP = 'cm0000000003';
const SITE = 'ck0000000001';
const DB = 'ck0000000002';
const PROD = 'cg0000000001';
const BACKUP = 'hb0000000001';
const TOKEN = 'sc0000000001';
const MAIL = 'ch0000000001';
const RULE = 'ar0000000001';

const SEED: PingeraSeed = {
  pages: [
    {
      id: PAGE,
      name: 'Acme status',
      subdomain: 'acme',
      components: [
        { id: GROUP, name: 'Backend', group: true },
        { id: API, name: 'API', group_id: GROUP },
        { id: WEB, name: 'Website' },
      ],
      incidents: [
        {
          id: 'in0000000001',
          name: 'API errors',
          impact: 'major',
          components: { [API]: 'partial_outage' },
          created_at: at(-3),
          updates: [{ body: 'Looking into it', status: 'investigating', created_at: at(-3) }],
        },
        {
          id: 'in0000000002',
          name: 'Slow website',
          status: 'resolved',
          created_at: at(-48),
          updates: [
            { body: 'Slow', status: 'investigating', created_at: at(-48) },
            { body: 'Fixed', status: 'resolved', created_at: at(-47) },
          ],
        },
      ],
    },
  ],
  check_groups: [{ id: PROD, name: 'Production', color: '#00ff00' }],
  secrets: [{ id: TOKEN, secret_name: 'API_TOKEN', secret_value: 's3cr3t' }],
  checks: [
    {
      id: SITE,
      name: 'Homepage',
      type: 'web',
      url: 'https://acme.example',
      group_id: PROD,
      secrets: [{ secret_id: TOKEN, env_variable: 'API_TOKEN' }],
      results: [
        { status: 'ok', response_time: 120, created_at: at(-3) },
        { status: 'failed', response_time: 5000, created_at: at(-2), error_message: 'HTTP 500' },
        { status: 'failed', response_time: 4000, created_at: at(-1.5), region: 'RU, Moscow' },
        { status: 'ok', response_time: 110, created_at: at(-1) },
      ],
    },
    { id: DB, name: 'Database port', type: 'tcp', host: 'db.acme.example', port: 5432, active: false },
  ],
  heartbeats: [
    {
      id: BACKUP,
      name: 'Nightly backup',
      period_seconds: 3600,
      grace_seconds: 600,
      created_at: at(-48),
      pings: [{ received_at: at(-2) }, { received_at: at(-0.5), ping_data: { exit: 0 } }],
    },
  ],
  alert_channels: [
    { id: MAIL, name: 'Ops mail', type: 'email', configuration: { email: 'ops@acme.example' } },
  ],
  alert_rules: [
    { id: RULE, name: 'Site down', check_id: SITE, condition: 'check_failed', channel_ids: [MAIL] },
  ],
  alerts: [
    { id: 'al0000000001', check_id: SITE, rule_id: RULE, severity: 'high', fired_at: at(-2) },
    {
      id: 'al0000000002',
      check_id: SITE,
      rule_id: RULE,
      status: 'resolved',
      fired_at: at(-30),
      resolved_at: at(-29),
    },
  ],
};

const OTHER: PingeraSeed = {
  pages: [{ id: 'pg00000000x1', name: 'Other org' }],
  checks: [{ id: 'ck00000000x1', name: 'Not yours', type: 'web', url: 'https://other.example' }],
};

interface CallOptions {
  /** The Authorization value; `key-a` by default, null for none. */
  auth?: string | null;
  body?: unknown;
  /** Content-Type for a body; application/json by default, null for none. */
  contentType?: string | null;
  raw?: string;
}

async function call(fake: FakePingera, method: string, path: string, opts: CallOptions = {}) {
  const headers: Record<string, string> = { accept: 'application/json' };
  const auth = opts.auth === undefined ? 'key-a' : opts.auth;
  if (auth !== null) headers.authorization = auth;
  const payload = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const contentType = opts.contentType === undefined ? 'application/json' : opts.contentType;
  if (payload !== undefined && contentType !== null) headers['content-type'] = contentType;
  const res = await fetch(`${fake.url}${path}`, { method, headers, body: payload });
  const text = await res.text();
  // `any`: the tests read arbitrary Pingera JSON by path.
  const body: any = text ? JSON.parse(text) : undefined;
  return { status: res.status, headers: res.headers, body };
}

function request(method: string, path: string, extra: Partial<RecordedRequest> = {}): RecordedRequest {
  const [pathname = '', search = ''] = path.split('?');
  return {
    method,
    path: pathname,
    query: new URLSearchParams(search),
    headers: {
      authorization: 'key-a',
      ...(extra.body !== undefined && { 'content-type': 'application/json' }),
    },
    body: undefined,
    ...extra,
  };
}

describe('contract checker on the Pingera spec', () => {
  const checker = contractChecker(PINGERA_SPEC);

  it('accepts requests the spec declares', () => {
    const good = [
      request('GET', '/v1/checks?page=2&page_size=50&type=web&status=ok,failed&group_id=ungrouped&name=home'),
      request(
        'GET',
        `/v1/checks/${SITE}/results?start_date=2025-03-01T00:00:00Z&end_date=2025-03-02T00:00:00%2B03:00&failed_only=true`,
      ),
      request('GET', '/v1/heartbeats?page=1&per_page=100', { headers: { authorization: 'Bearer jwt-a' } }),
      request('GET', `/v1/heartbeats/${BACKUP}/ping`, { headers: {} }),
      request('GET', `/v1/pages/${PAGE}/components?show_groups=true&show_deleted=false`),
      request('POST', '/v1/checks', {
        body: { name: 'Site', type: 'web', url: 'https://x.example', interval: 60 },
      }),
      request('PATCH', `/v1/checks/${SITE}/group`, { body: { group_id: null } }),
      request('POST', `/v1/pages/${PAGE}/incidents`, {
        body: { name: 'Down', status: 'investigating', components: { [API]: 'major_outage' } },
      }),
    ];
    for (const r of good) expect(checker.check(r), `${r.method} ${r.path}`).toEqual([]);
  });

  it('flags an unknown path and an undeclared method', () => {
    expect(checker.check(request('GET', '/v1/monitors'))).toEqual([
      'GET /v1/monitors: path matches no path in the spec',
    ]);
    expect(checker.check(request('PUT', `/v1/checks/${SITE}`))).toEqual([
      `PUT /v1/checks/${SITE}: method not declared for /v1/checks/{check_id}`,
    ]);
    expect(checker.methods(`/v1/pages/${PAGE}/incidents/i/incident_updates/u`)).toEqual(['PATCH', 'PUT']);
  });

  it('flags undeclared query parameters, bad values and dates without a time', () => {
    expect(
      checker.check(request('GET', `/v1/checks/${SITE}/results?from_date=2025-03-01T00:00:00Z`)),
    ).toEqual([
      "GET /v1/checks/{check_id}/results: query parameter 'from_date' is not declared; declared: page, page_size, start_date, end_date, failed_only",
    ]);
    expect(checker.violations(request('GET', '/v1/heartbeats?page_size=10'))).toEqual([
      {
        kind: 'query',
        field: 'page_size',
        message: "GET /v1/heartbeats: query parameter 'page_size' is not declared; declared: page, per_page",
      },
    ]);
    expect(checker.check(request('GET', '/v1/checks?page_size=500&page=0'))).toEqual([
      'GET /v1/checks: query parameter \'page_size\'="500" is above 100',
      'GET /v1/checks: query parameter \'page\'="0" is below 1',
    ]);
    expect(checker.check(request('GET', `/v1/checks/${SITE}/uptime?start_time=2025-03-01`))[0]).toContain(
      '\'start_time\'="2025-03-01" is not a date-time with a zone',
    );
  });

  it('flags bodies that break the schema, and missing credentials and content types', () => {
    const v = checker.violations(
      request('POST', '/v1/checks', { body: { type: 'ping', id: 'x', url: null, extra: 1, interval: 10 } }),
    );
    expect(v.map((x) => [x.field, x.message.replace('POST /v1/checks: request body', '')])).toEqual([
      ['name', " must have required property 'name'"],
      ['extra', " must NOT have additional properties 'extra'"],
      [
        'type',
        '/type must be equal to one of the allowed values (web, api, ssl, tcp, synthetic, multistep, icmp, dns, portscan)',
      ],
      ['url', '/url must be string'],
      ['id', '/id is read-only and may not be sent'],
      ['interval', '/interval must be >= 30'],
    ]);
    expect(checker.check(request('GET', '/v1/checks', { headers: {} }))).toEqual([
      'GET /v1/checks: no credential for apiKeyAuth or bearerAuth',
    ]);
    expect(checker.check(request('GET', '/v1/checks', { headers: { authorization: 'Bearer ' } }))).toEqual(
      [],
    );
    expect(
      checker.check(
        request('POST', '/v1/check-groups', { headers: { authorization: 'k' }, body: { name: 'G' } }),
      ),
    ).toEqual([
      "POST /v1/check-groups: header 'Content-Type' is missing; a JSON body needs application/json",
    ]);
  });

  it('checks response bodies, taking GET /v1/pages as a list or a bare array', () => {
    expect(
      checker.checkResponse('GET', '/v1/pages', 200, { pages: [{ name: 'A' }], pagination: { page: 1 } }),
    ).toEqual([]);
    expect(checker.checkResponse('GET', '/v1/pages', 200, [{ id: PAGE, name: 'A' }])).toEqual([]);
    expect(
      checker.checkResponse('GET', `/v1/checks/${SITE}`, 200, { name: 'x', type: 'web', status: 'up' }),
    ).toEqual([
      'GET /v1/checks/{check_id} → 200: response body/status must be equal to one of the allowed values (ok, failed, degraded, timeout, pending, paused, )',
    ]);
    expect(
      checker.checkResponse('POST', '/v1/checks/execute', 202, { job_id: 'j', status: 'queued' }),
    ).toEqual(["POST /v1/checks/execute → 202: response body must have required property 'message'"]);
  });
});

describe('fake Pingera', () => {
  let fake: FakePingera;
  let now = NOW;

  beforeEach(async () => {
    now = NOW;
    fake = await startFakePingera({ now: () => new Date(now) });
    fake.addAccount(['key-a', 'Bearer jwt-a'], SEED);
    fake.addAccount('key-b', OTHER);
  });

  afterEach(async () => {
    await fake.close();
  });

  it('answers the endpoints in the spec shape', async () => {
    const gets = [
      '/pages',
      `/pages/${PAGE}`,
      '/pages/by-domain/acme.pingera.ru',
      `/pages/${PAGE}/components`,
      `/pages/${PAGE}/components/${API}`,
      `/pages/${PAGE}/components/${API}/uptime`,
      `/pages/${PAGE}/component-groups`,
      `/pages/${PAGE}/component-groups/${GROUP}`,
      `/pages/${PAGE}/incidents`,
      `/pages/${PAGE}/incidents/unresolved`,
      `/pages/${PAGE}/incidents/in0000000001`,
      `/pages/${PAGE}/incidents/in0000000001/incident_updates`,
      '/checks',
      `/checks/${SITE}`,
      `/checks/${SITE}/results`,
      `/checks/${SITE}/status-history`,
      `/checks/${SITE}/uptime`,
      `/checks/${SITE}/response-times`,
      `/checks/${SITE}/secrets`,
      '/checks/all-results',
      '/checks/status-history',
      '/checks/jobs',
      '/checks/get-regions',
      '/check-groups',
      `/check-groups/${PROD}`,
      `/check-groups/${PROD}/checks`,
      '/heartbeats',
      `/heartbeats/${BACKUP}`,
      `/heartbeats/${BACKUP}/pings`,
      '/alerts',
      '/alerts/al0000000001',
      '/alerts/stats',
      '/alerts/rules',
      `/alerts/rules/${RULE}`,
      '/alerts/channels',
      `/alerts/channels/${MAIL}`,
      '/secrets',
      `/secrets/${TOKEN}`,
    ];
    for (const path of gets) expect((await call(fake, 'GET', path)).status, path).toBe(200);
    const page = (await call(fake, 'GET', `/pages/${PAGE}`)).body;
    expect(page).toMatchObject({ id: PAGE, name: 'Acme status', subdomain: 'acme', language: 'en' });
    expect(page.created_at).toBe('2025-03-18T12:00:00+00:00');
    const check = (await call(fake, 'GET', `/checks/${SITE}`)).body;
    expect(check).toMatchObject({
      id: SITE,
      status: 'ok',
      group_id: PROD,
      group: { id: PROD, name: 'Production' },
      last_checked_at: '2025-03-18T11:00:00+00:00',
      secrets: [{ secret_id: TOKEN, env_variable: 'API_TOKEN' }],
    });
    expect(check.id).toMatch(/^[a-z0-9]{12}$/);
    expect(fake.violations()).toEqual([]);
  });

  it('answers GET /v1/pages as a bare array with pagesAsArray', async () => {
    const old = await startFakePingera({ pagesAsArray: true });
    old.addAccount('k', SEED);
    const res = await call(old, 'GET', '/pages', { auth: 'k' });
    expect(res.body).toEqual([expect.objectContaining({ id: PAGE, name: 'Acme status' })]);
    expect(old.violations()).toEqual([]);
    await old.close();
  });

  it('keeps accounts apart, takes a key or a JWT, and answers unknown credentials with 401', async () => {
    const byKey = await call(fake, 'GET', '/checks');
    const byJwt = await call(fake, 'GET', '/checks', { auth: 'bearer   jwt-a' });
    expect(byJwt.body).toEqual(byKey.body);
    expect(byKey.body.checks.map((c: { id: string }) => c.id)).toEqual([SITE, DB]);
    const other = await call(fake, 'GET', '/checks', { auth: 'key-b' });
    expect(other.body.checks.map((c: { id: string }) => c.id)).toEqual(['ck00000000x1']);
    expect((await call(fake, 'GET', `/checks/${SITE}`, { auth: 'key-b' })).status).toBe(404);
    expect((await call(fake, 'GET', '/checks/ck00000000x1')).body).toEqual({
      code: 404,
      status: 'Not Found',
      message: 'Check not found',
      errors: {},
    });
    for (const auth of ['nope', 'Bearer key-a', 'jwt-a']) {
      const res = await call(fake, 'GET', '/checks', { auth });
      expect(res.status, auth).toBe(401);
      expect(res.body).toEqual({
        code: 401,
        status: 'Unauthorized',
        message: 'Invalid or expired credentials',
        errors: {},
      });
    }
    const none = await call(fake, 'GET', '/checks', { auth: null });
    expect(none.status).toBe(401);
    expect(fake.violations()).toEqual(['GET /v1/checks: no credential for apiKeyAuth or bearerAuth']);
    expect(fake.requests.map((r) => r.credential)).toEqual([
      'key-a',
      'Bearer jwt-a',
      'key-b',
      'key-b',
      'key-a',
      'nope',
      'Bearer key-a',
      'jwt-a',
      undefined,
    ]);
  });

  it('pages with page and page_size or per_page, and refuses what the spec refuses', async () => {
    const a = fake.addAccount('many', {
      checks: Array.from({ length: 25 }, (_, i) => ({
        name: `C${i}`,
        type: 'web' as const,
        url: 'https://x.example',
      })),
      heartbeats: Array.from({ length: 60 }, (_, i) => ({ name: `H${i}`, period_seconds: 60 })),
    });
    expect(a.checks.size).toBe(25);
    const first = await call(fake, 'GET', '/checks', { auth: 'many' });
    expect(first.body.checks).toHaveLength(20);
    expect(first.body.pagination).toEqual({
      page: 1,
      page_size: 20,
      total_items: 25,
      total_pages: 2,
      has_next: true,
      has_prev: false,
    });
    const second = await call(fake, 'GET', '/checks?page=2&page_size=20', { auth: 'many' });
    expect(second.body.checks.map((c: { name: string }) => c.name)).toEqual([
      'C20',
      'C21',
      'C22',
      'C23',
      'C24',
    ]);
    expect(second.body.pagination).toMatchObject({ page: 2, has_next: false, has_prev: true });
    const beats = await call(fake, 'GET', '/heartbeats?per_page=100', { auth: 'many' });
    expect(beats.body.checks).toHaveLength(60);
    expect((await call(fake, 'GET', '/heartbeats', { auth: 'many' })).body.checks).toHaveLength(50);
    expect(fake.violations()).toEqual([]);

    const tooBig = await call(fake, 'GET', '/checks?page_size=101', { auth: 'many' });
    expect(tooBig.status).toBe(422);
    expect(tooBig.body.errors).toEqual({
      query: { page_size: ['GET /v1/checks: query parameter \'page_size\'="101" is above 100'] },
    });
    // Undeclared parameters are ignored, as webargs ignores them, but recorded.
    const ignored = await call(fake, 'GET', '/heartbeats?page_size=5', { auth: 'many' });
    expect(ignored.body.checks).toHaveLength(50);
    expect(fake.violations()).toHaveLength(2);
  });

  it('validates like the API: 422 with errors by field, 404 for unknown ids, 405 for undeclared methods', async () => {
    const missing = await call(fake, 'POST', '/checks', { body: { type: 'web', url: 'https://x.example' } });
    expect(missing.status).toBe(422);
    expect(missing.body).toMatchObject({
      code: 422,
      status: 'Unprocessable Entity',
      errors: { json: { name: [expect.any(String)] } },
    });
    const noUrl = await call(fake, 'POST', '/checks', { body: { name: 'Site', type: 'api' } });
    expect(noUrl.body.errors).toEqual({ json: { url: ['URL is required for api checks.'] } });
    const synthetic = await call(fake, 'POST', '/checks', {
      body: { name: 'S', type: 'synthetic', parameters: {} },
    });
    expect(Object.keys(synthetic.body.errors.json)).toEqual(['parameters']);
    const retype = await call(fake, 'PATCH', `/checks/${SITE}`, { body: { type: 'api' } });
    expect(retype.status).toBe(422);
    expect((await call(fake, 'GET', '/pages/pg0000000zzz')).status).toBe(404);
    expect((await call(fake, 'DELETE', '/alerts/rules/ar0000000zzz')).status).toBe(404);
    const getUpdate = await call(
      fake,
      'GET',
      `/pages/${PAGE}/incidents/in0000000001/incident_updates/iu0000000001`,
    );
    expect(getUpdate.status).toBe(405);
    expect(getUpdate.headers.get('allow')).toBe('PATCH, PUT');
    expect((await call(fake, 'PUT', `/checks/${SITE}`, { body: { name: 'x' } })).status).toBe(405);
    expect((await call(fake, 'GET', '/monitors')).status).toBe(404);
    expect((await call(fake, 'POST', '/check-groups', { raw: '{"name":' })).status).toBe(400);
    const noType = await call(fake, 'POST', '/check-groups', {
      body: { name: 'G' },
      contentType: 'text/plain',
    });
    expect(noType.status).toBe(422);
    expect(Object.keys(noType.body.errors.headers)).toEqual(['Content-Type']);
    expect(fake.violations()).toEqual([
      "POST /v1/checks: request body must have required property 'name'",
      `GET /v1/pages/${PAGE}/incidents/in0000000001/incident_updates/iu0000000001: method not declared for /v1/pages/{page_id}/incidents/{incident_id}/incident_updates/{incident_update_id}`,
      `PUT /v1/checks/${SITE}: method not declared for /v1/checks/{check_id}`,
      'GET /v1/monitors: path matches no path in the spec',
      'POST /v1/check-groups: request body is not JSON',
      "POST /v1/check-groups: header 'Content-Type' is 'text/plain'; a JSON body needs application/json",
    ]);
  });

  it('runs status pages: components, groups, incidents and their updates', async () => {
    const created = await call(fake, 'POST', '/pages', { body: { name: 'New page', subdomain: 'new-page' } });
    expect(created.status).toBe(200);
    const page = created.body.id;
    const group = await call(fake, 'POST', `/pages/${page}/component-groups`, { body: { name: 'Core' } });
    expect(group).toMatchObject({ status: 201, body: { group: true, page_id: page } });
    const comp = await call(fake, 'POST', `/pages/${page}/components`, {
      body: { name: 'API', group_id: group.body.id },
    });
    expect(comp.body).toMatchObject({ status: 'operational', group: false, group_id: group.body.id });
    const badGroup = await call(fake, 'POST', `/pages/${page}/components`, {
      body: { name: 'X', group_id: WEB },
    });
    expect(badGroup.status).toBe(422);
    const list = (await call(fake, 'GET', `/pages/${page}/components`)).body;
    expect(list.map((c: { name: string }) => c.name)).toEqual(['API']);
    const withGroups = (await call(fake, 'GET', `/pages/${page}/components?show_groups=true`)).body;
    expect(withGroups.map((c: { name: string }) => c.name)).toEqual(['Core', 'API']);

    const incident = await call(fake, 'POST', `/pages/${page}/incidents`, {
      body: {
        name: 'API down',
        status: 'investigating',
        body: 'Errors',
        components: { [comp.body.id]: 'major_outage' },
      },
    });
    expect(incident.status).toBe(201);
    expect(incident.body.incident_updates).toHaveLength(1);
    const iid = incident.body.id;
    expect((await call(fake, 'GET', `/pages/${page}/components/${comp.body.id}`)).body.status).toBe(
      'major_outage',
    );
    now += 3_600_000;
    const update = await call(fake, 'POST', `/pages/${page}/incidents/${iid}/incident_updates`, {
      body: { body: 'Fix deployed', status: 'monitoring' },
    });
    expect(update.status).toBe(201);
    const edited = await call(
      fake,
      'PATCH',
      `/pages/${page}/incidents/${iid}/incident_updates/${update.body.id}`,
      {
        body: { body: 'Fix deployed to all regions' },
      },
    );
    expect(edited.body.body).toBe('Fix deployed to all regions');
    const resolved = await call(fake, 'PATCH', `/pages/${page}/incidents/${iid}`, {
      body: { status: 'resolved', body: 'All good' },
    });
    expect(resolved.body).toMatchObject({ status: 'resolved', resolved_at: '2025-03-18T13:00:00+00:00' });
    expect(resolved.body.monitoring_at).toBe('2025-03-18T13:00:00+00:00');
    const updates = (await call(fake, 'GET', `/pages/${page}/incidents/${iid}/incident_updates`)).body;
    expect(updates.map((u: { status: string }) => u.status)).toEqual([
      'resolved',
      'monitoring',
      'investigating',
    ]);
    expect((await call(fake, 'GET', `/pages/${page}/incidents/unresolved`)).body).toEqual([]);
    const unresolved = (await call(fake, 'GET', `/pages/${PAGE}/incidents/unresolved`)).body;
    expect(unresolved.map((i: { id: string }) => i.id)).toEqual(['in0000000001']);
    const uptime = (await call(fake, 'GET', `/pages/${page}/components/${comp.body.id}/uptime`)).body;
    expect(uptime.uptime_percentage).toBeCloseTo(100 - 100 / (30 * 24), 3);

    expect((await call(fake, 'DELETE', `/pages/${page}/components/${comp.body.id}`)).status).toBe(204);
    expect((await call(fake, 'GET', `/pages/${page}/components/${comp.body.id}`)).status).toBe(404);
    const deleted = (await call(fake, 'GET', `/pages/${page}/components?show_deleted=true`)).body;
    expect(deleted[0]).toMatchObject({ name: 'API', deleted_at: expect.any(String) });
    expect((await call(fake, 'DELETE', `/pages/${page}/component-groups/${group.body.id}`)).status).toBe(204);
    expect((await call(fake, 'GET', `/pages/${page}/component-groups`)).body).toEqual([]);
    expect((await call(fake, 'DELETE', `/pages/${page}/incidents/${iid}`)).status).toBe(204);
    expect(
      (await call(fake, 'PUT', `/pages/${page}`, { body: { headline: 'All systems' } })).body.headline,
    ).toBe('All systems');
    expect((await call(fake, 'GET', '/pages/by-domain/new-page', { auth: null })).body.id).toBe(page);
    expect((await call(fake, 'DELETE', `/pages/${page}`)).status).toBe(204);
    expect(fake.violations()).toEqual([]);
  });

  it('keeps checks, results, groups and metrics', async () => {
    const results = await call(
      fake,
      'GET',
      `/checks/${SITE}/results?start_date=${at(-2.5)}&failed_only=true`,
    );
    expect(results.body.results.map((r: { response_time: number }) => r.response_time)).toEqual([4000, 5000]);
    expect(results.body.results[1]).toMatchObject({
      check_id: SITE,
      status: 'failed',
      error_message: 'HTTP 500',
    });
    const one = await call(fake, 'GET', `/checks/${SITE}/results/${results.body.results[0].id}`);
    expect(one.body.check_server).toMatchObject({ region: 'RU, Moscow' });
    const history = (await call(fake, 'GET', `/checks/${SITE}/status-history`)).body.status_history;
    expect(history.map((h: { status: string }) => h.status)).toEqual(['ok', 'failed', 'ok']);
    expect(history[0].ended_at).toBeNull();
    const uptime = (await call(fake, 'GET', `/checks/${SITE}/uptime?start_time=${at(-24)}&end_time=${at(0)}`))
      .body;
    expect(uptime).toMatchObject({ uptime_percentage: 50, total_checks: 4, successful_checks: 2 });
    const times = (await call(fake, 'GET', `/checks/${SITE}/response-times?region=EU,%20West`)).body;
    expect(times.data.map((d: { avg_response_time: number }) => d.avg_response_time)).toEqual([
      120, 5000, 110,
    ]);
    const metrics = (await call(fake, 'GET', `/checks/status-history?check_id=${SITE}&start_date=${at(-4)}`))
      .body;
    expect(metrics.data.reduce((n: number, d: { failed: number }) => n + d.failed, 0)).toBe(2);
    const tooOld = await call(fake, 'GET', `/checks/all-results?start_date=${at(-24 * 200)}`);
    expect(tooOld.status).toBe(422);

    expect(
      (await call(fake, 'GET', '/checks?status=paused')).body.checks.map((c: { id: string }) => c.id),
    ).toEqual([DB]);
    expect(
      (await call(fake, 'GET', '/checks?group_id=ungrouped')).body.checks.map((c: { id: string }) => c.id),
    ).toEqual([DB]);
    const paused = await call(fake, 'PATCH', `/checks/${SITE}`, { body: { active: false } });
    expect(paused.body.status).toBe('paused');
    const group = await call(fake, 'POST', '/check-groups', { body: { name: 'Staging' } });
    expect(group.status).toBe(201);
    const moved = await call(fake, 'PATCH', `/checks/${DB}/group`, { body: { group_id: group.body.id } });
    expect(moved.body).toEqual({ message: expect.any(String), check_id: DB, group_id: group.body.id });
    expect((await call(fake, 'GET', `/check-groups/${group.body.id}`)).body.checks_count).toBe(1);
    expect((await call(fake, 'DELETE', `/check-groups/${group.body.id}`)).status).toBe(204);
    expect((await call(fake, 'GET', `/checks/${DB}`)).body.group_id).toBeNull();

    const createdCheck = await call(fake, 'POST', '/checks', {
      body: {
        name: 'TLS',
        type: 'ssl',
        host: 'acme.example',
        secrets: [{ secret_id: TOKEN, env_variable: 'TOKEN' }],
      },
    });
    expect(createdCheck).toMatchObject({
      status: 201,
      body: { status: 'pending', interval: 300, timeout: 30 },
    });
    expect((await call(fake, 'DELETE', `/checks/${SITE}`)).status).toBe(204);
    expect((await call(fake, 'GET', '/alerts/rules')).body).toEqual([]);
    expect((await call(fake, 'GET', '/checks/all-results')).body.results).toEqual([]);
    expect(fake.violations()).toEqual([]);
  });

  it('runs on-demand jobs that a client has to poll', async () => {
    const queued = await call(fake, 'POST', `/checks/${SITE}/execute`);
    expect(queued).toMatchObject({ status: 202, body: { status: 'queued', message: expect.any(String) } });
    const job = `/checks/jobs/${queued.body.job_id}`;
    expect((await call(fake, 'GET', job)).body.status).toBe('pending');
    expect((await call(fake, 'GET', '/checks/jobs?status=pending')).body.jobs).toHaveLength(1);
    expect((await call(fake, 'GET', job)).body.status).toBe('running');
    const done = (await call(fake, 'GET', job)).body;
    expect(done).toMatchObject({
      status: 'completed',
      job_type: 'existing_check',
      check_id: SITE,
      result: { status: 'ok', result_type: 'on_demand', check_server: { region: 'EU, West' } },
    });
    expect(done.completed_at).not.toBeNull();
    const onDemand = (await call(fake, 'GET', '/checks/all-results?result_type=on_demand')).body.results;
    expect(onDemand.map((r: { id: string }) => r.id)).toEqual([done.result.id]);
    const custom = await call(fake, 'POST', '/checks/execute', {
      body: { name: 'Probe', type: 'tcp', host: 'db.example', port: 5432 },
    });
    expect(custom.status).toBe(202);
    const list = (await call(fake, 'GET', '/checks/jobs?per_page=1')).body;
    expect(list.jobs[0]).toMatchObject({
      id: custom.body.job_id,
      status: 'pending',
      job_type: 'custom_check',
    });
    expect(list.pagination).toMatchObject({ total_items: 2, has_next: true });
    const bad = await call(fake, 'POST', '/checks/execute', {
      body: { name: 'Probe', type: 'tcp', host: 'x' },
    });
    expect(bad.status).toBe(422);
    expect(fake.violations()).toEqual([]);
  });

  it('moves jobs on by time, and fails them when told to', async () => {
    let failing = false;
    const timed = await startFakePingera({
      now: () => new Date(now),
      jobs: { ms: 2000, fail: () => (failing ? 'Connection refused' : undefined) },
    });
    timed.addAccount('k', SEED);
    const job = (await call(timed, 'POST', `/checks/${SITE}/execute`, { auth: 'k' })).body.job_id;
    const status = async () => (await call(timed, 'GET', `/checks/jobs/${job}`, { auth: 'k' })).body;
    expect((await status()).status).toBe('pending');
    expect((await status()).status).toBe('pending');
    now += 1000;
    expect((await status()).status).toBe('running');
    now += 1000;
    expect(await status()).toMatchObject({ status: 'completed', result: { status: 'ok' } });
    failing = true;
    const failed = (
      await call(timed, 'POST', '/checks/execute', {
        auth: 'k',
        body: { name: 'X', type: 'web', url: 'https://x.example' },
      })
    ).body.job_id;
    now += 5000;
    const res = (await call(timed, 'GET', `/checks/jobs/${failed}`, { auth: 'k' })).body;
    expect(res).toMatchObject({ status: 'failed', error_message: 'Connection refused', result: null });
    expect(timed.violations()).toEqual([]);
    await timed.close();
  });

  it('keeps heartbeats and their pings, with public ping URLs', async () => {
    const beat = (await call(fake, 'GET', `/heartbeats/${BACKUP}`)).body;
    expect(beat).toMatchObject({ status: 'up', last_ping_at: '2025-03-18T11:30:00+00:00' });
    expect(beat.recent_pings).toHaveLength(2);
    expect(beat.ping_url).toBe(`${fake.url}/heartbeats/${BACKUP}/ping`);
    now += 35 * 60_000; // due 30 minutes after the last ping, then 10 minutes' grace
    expect((await call(fake, 'GET', `/heartbeats/${BACKUP}`)).body.status).toBe('grace');
    now += 10 * 60_000;
    expect((await call(fake, 'GET', `/heartbeats/${BACKUP}`)).body.status).toBe('down');
    const pinged = await call(fake, 'POST', `/heartbeats/${BACKUP}/ping`, { auth: null, body: { exit: 1 } });
    expect(pinged.body).toMatchObject({ check_id: BACKUP, status: 'up', message: expect.any(String) });
    expect((await call(fake, 'GET', `/heartbeats/${BACKUP}/ping`, { auth: null })).status).toBe(200);
    expect((await call(fake, 'GET', '/heartbeats/hb000000zzzz/ping', { auth: null })).status).toBe(404);
    const pings = (await call(fake, 'GET', `/heartbeats/${BACKUP}/pings?per_page=2&start_date=${at(-1)}`))
      .body;
    expect(pings.pings).toHaveLength(2);
    expect(pings.pings[1].ping_data).toEqual({ exit: 1 });
    expect(pings.pagination).toMatchObject({ total_items: 3, has_next: true });
    const created = await call(fake, 'POST', '/heartbeats', { body: { name: 'Cron', period_seconds: 300 } });
    expect(created).toMatchObject({ status: 201, body: { grace_seconds: 3600, active: true, status: 'up' } });
    const paused = await call(fake, 'PATCH', `/heartbeats/${created.body.id}`, { body: { active: false } });
    expect(paused.body.status).toBe('paused');
    expect((await call(fake, 'DELETE', `/heartbeats/${created.body.id}`)).status).toBe(204);
    const tooShort = await call(fake, 'POST', '/heartbeats', { body: { name: 'Fast', period_seconds: 10 } });
    expect(tooShort.status).toBe(422);
    expect(fake.violations()).toHaveLength(1);
  });

  it('keeps alerts, rules, channels, and secrets', async () => {
    const active = (await call(fake, 'GET', '/alerts?status=active')).body.alerts;
    expect(active.map((a: { id: string }) => a.id)).toEqual(['al0000000001']);
    expect(active[0]).toMatchObject({ rule_name: 'Site down', check_name: 'Homepage', is_active: true });
    expect((await call(fake, 'GET', '/alerts/stats')).body).toEqual({
      total_rules: 1,
      total_channels: 1,
      active_alerts: 1,
      recent_alerts: 1,
      severity_breakdown: { low: 0, medium: 0, high: 1, critical: 0 },
    });
    const acked = await call(fake, 'POST', '/alerts/al0000000001/acknowledge');
    expect(acked.body).toMatchObject({ status: 'acknowledged', acknowledged_by_id: expect.any(String) });
    expect((await call(fake, 'POST', '/alerts/al0000000002/resolve')).status).toBe(400);

    const hook = await call(fake, 'POST', '/alerts/channels', {
      body: { name: 'Hook', type: 'webhook', configuration: { url: 'https://hooks.example' } },
    });
    expect(hook.status).toBe(201);
    const rule = await call(fake, 'POST', '/alerts/rules', {
      body: { name: 'DB down', check_id: DB, condition: 'check_failed', channel_ids: [hook.body.id, MAIL] },
    });
    expect(rule).toMatchObject({ status: 201, body: { severity: 'medium', check_name: 'Database port' } });
    expect(rule.body.channels).toHaveLength(2);
    const noCheck = await call(fake, 'POST', '/alerts/rules', {
      body: { name: 'X', check_id: 'ck00000000x1', condition: 'check_failed', channel_ids: [MAIL] },
    });
    expect(noCheck.status).toBe(404);
    expect(
      (await call(fake, 'PUT', `/alerts/rules/${rule.body.id}`, { body: { severity: 'critical' } })).body
        .severity,
    ).toBe('critical');
    expect((await call(fake, 'DELETE', `/alerts/channels/${hook.body.id}`)).status).toBe(204);
    expect((await call(fake, 'GET', `/alerts/rules/${rule.body.id}`)).body.channel_ids).toEqual([MAIL]);

    const secrets = (await call(fake, 'GET', '/secrets')).body;
    expect(secrets.secrets[0]).not.toHaveProperty('secret_value');
    expect((await call(fake, 'GET', `/secrets/${TOKEN}`)).body.secret_value).toBe('s3cr3t');
    const secret = await call(fake, 'POST', '/secrets', {
      body: { secret_name: 'DB_PASS', secret_value: 'pw' },
    });
    expect(secret.status).toBe(201);
    expect(secret.body).not.toHaveProperty('secret_value');
    const attached = await call(fake, 'POST', `/checks/${DB}/secrets`, {
      body: { secret_id: secret.body.id, env_variable: 'DB_PASS' },
    });
    expect(attached.body).toEqual({
      secret_id: secret.body.id,
      env_variable: 'DB_PASS',
      secret: { id: secret.body.id, secret_name: 'DB_PASS' },
    });
    const replaced = await call(fake, 'PUT', `/checks/${DB}/secrets`, {
      body: [{ secret_id: TOKEN, env_variable: 'TOKEN' }],
    });
    expect(replaced.body.map((s: { env_variable: string }) => s.env_variable)).toEqual(['TOKEN']);
    expect((await call(fake, 'DELETE', `/checks/${DB}/secrets/${secret.body.id}`)).status).toBe(404);
    expect((await call(fake, 'DELETE', `/checks/${DB}/secrets/${TOKEN}`)).status).toBe(204);
    expect((await call(fake, 'PATCH', `/secrets/${TOKEN}`, { body: { secret_value: 'new' } })).status).toBe(
      200,
    );
    expect((await call(fake, 'DELETE', `/secrets/${TOKEN}`)).status).toBe(204);
    expect((await call(fake, 'GET', `/checks/${SITE}`)).body.secrets).toEqual([]);
    expect(fake.violations()).toEqual([]);
  });

  it('injects 429 with Retry-After, 500, malformed JSON, 401 and 403, for the next matching requests', async () => {
    fake.fail({ kind: '429', path: '/v1/checks', times: 2, retryAfterSeconds: 7 });
    for (let i = 0; i < 2; i++) {
      const limited = await call(fake, 'GET', '/checks');
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('7');
      expect(limited.body).toMatchObject({ code: 429, status: 'Too Many Requests' });
    }
    expect((await call(fake, 'GET', '/checks')).status).toBe(200);
    fake.fail({ kind: '500', method: 'PATCH', path: '/v1/checks/{check_id}' });
    expect((await call(fake, 'GET', `/checks/${SITE}`)).status).toBe(200);
    expect((await call(fake, 'PATCH', `/checks/${SITE}`, { body: { active: false } })).status).toBe(500);
    fake.fail({ kind: 'malformed', path: /^\/v1\/heartbeats/ });
    await expect(call(fake, 'GET', '/heartbeats')).rejects.toThrow(SyntaxError);
    fake.fail({ kind: '401' });
    expect((await call(fake, 'GET', '/alerts')).status).toBe(401);
    expect((await call(fake, 'GET', '/alerts')).status).toBe(200);
    fake.fail({ kind: '403', method: 'POST', path: '/v1/pages' });
    const limit = await call(fake, 'POST', '/pages', { body: { name: 'One too many' } });
    expect(limit.status).toBe(403);
    expect(limit.body).toMatchObject({
      code: 403,
      status: 'Forbidden',
      message: expect.stringMatching(/plan limit/i),
    });
    fake.fail({ kind: '500', times: 5 });
    fake.clearFaults();
    expect((await call(fake, 'GET', '/alerts')).status).toBe(200);
  });

  it('hangs a request until close, which ends it', async () => {
    fake.fail({ kind: 'hang', path: '/v1/checks/jobs/{job_id}' });
    const pending = call(fake, 'GET', '/checks/jobs/jb0000000001');
    const settled = pending.then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.requests.at(-1)).toMatchObject({ path: '/v1/checks/jobs/jb0000000001', status: undefined });
    await fake.close();
    expect(await settled).toBe('failed');
    fake = await startFakePingera(); // for afterEach
  });
});
