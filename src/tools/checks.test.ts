/**
 * The checks toolset through a real MCP client on SQLite and PostgreSQL: the Pingera seed's
 * names and parameters, one-off runs against a real HTTP server on loopback, groups, and bad
 * checks refused with a clear error and nothing stored.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, openHarness } from '../../test/helpers/harness.js';
import { STORES, storeAvailable } from '../../test/helpers/stores.js';

describe.each(STORES)('check tools on $kind', (store) => {
  let h: Harness;
  let http: Server;
  let base = '';
  let skip = false;
  const id: Record<string, string> = {};

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    http = createServer((req, res) => {
      res.writeHead(req.url === '/health' ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: req.url === '/health', build: 'b42' }));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    h = await openHarness({ store: await store.open() });
  });
  afterAll(async () => {
    await h?.close();
    http?.close();
  });

  it('runs a quick check of a URL and answers status, latency breakdown and assertions', async ({
    skip: s,
  }) => {
    if (skip) s();
    const job = (
      await h.ok('execute_custom_check', {
        type: 'api',
        name: 'health',
        url: `${base}/health`,
        parameters: { assertions: { json_path: [{ path: '$.build', equals: 'b42' }] } },
      })
    ).jobs[0];
    expect(job).toMatchObject({ job_type: 'custom', status: 'completed' });
    expect(job).not.toHaveProperty('check_id');
    expect(job.result).toMatchObject({ status: 'ok', check_metadata: { status_code: 200 } });
    expect(job.result).not.toHaveProperty('error_message');
    expect(Object.keys(job.result.check_metadata.timings)).toEqual([
      'dns',
      'connect',
      'tls',
      'first_byte',
      'download',
      'total',
    ]);
    const queued = (
      await h.ok('execute_custom_check', { type: 'web', name: 'later', url: `${base}/down`, wait: false })
    ).jobs[0];
    expect(queued.status).toBe('running');
    await expect
      .poll(async () => (await h.ok('get_on_demand_job_status', { job_id: queued.id })).jobs[0].status)
      .toBe('completed');
    const done = (await h.ok('get_check_job_details', { job_id: queued.id })).jobs[0];
    expect(done.result).toMatchObject({ status: 'failed', error_message: 'Status 503, expected 2xx or 3xx' });
    expect((await h.ok('list_check_jobs')).jobs.map((j: { id: string }) => j.id)).toEqual([
      queued.id,
      job.id,
    ]);
  });

  it('creates, groups, pauses, resumes and runs checks with the seed’s parameters', async ({ skip: s }) => {
    if (skip) s();
    const group = (await h.ok('create_check_group', { name: 'Public', color: '#3b82f6' })).groups[0];
    const web = (
      await h.ok('create_check', {
        name: 'Site',
        type: 'web',
        url: `${base}/health`,
        interval: 60,
        group_id: group.id,
      })
    ).checks[0];
    expect(web).toMatchObject({
      type: 'web',
      interval: 60,
      timeout: 10,
      active: true,
      status: 'pending',
      group: { id: group.id, name: 'Public' },
    });
    id.web = web.id;
    const tcp = (await h.ok('create_check', { name: 'DB port', type: 'tcp', host: '127.0.0.1', port: 5432 }))
      .checks[0];
    const dns = (
      await h.ok('create_dns_check', { name: 'Apex', host: 'example.test', expected_answers: ['10.0.0.1'] })
    ).checks[0];
    expect(dns).toMatchObject({
      type: 'dns',
      parameters: { record_type: 'A', expected_answers: ['10.0.0.1'], validation_mode: 'contains_all' },
    });
    const icmp = (await h.ok('create_icmp_check', { name: 'Gateway', host: '10.0.0.1', max_packet_loss: 25 }))
      .checks[0];
    expect(icmp.parameters).toMatchObject({ probe_count: 4, assertions: { max_packet_loss: 25 } });

    expect(
      (await h.ok('get_checks_in_group', { group_id: group.id })).checks.map((c: { id: string }) => c.id),
    ).toEqual([web.id]);
    expect((await h.ok('get_check_group_details', { group_id: group.id })).groups[0].checks_count).toBe(1);
    expect((await h.ok('list_checks', { type: 'tcp' })).checks.map((c: { id: string }) => c.id)).toEqual([
      tcp.id,
    ]);

    expect((await h.ok('pause_check', { check_id: tcp.id })).checks[0]).toMatchObject({
      active: false,
      status: 'paused',
    });
    expect((await h.ok('list_checks', { status: 'paused' })).checks).toHaveLength(1);
    expect((await h.ok('resume_check', { check_id: tcp.id })).checks[0].status).toBe('pending');

    const run = (await h.ok('execute_existing_check', { check_id: web.id })).jobs[0];
    expect(run).toMatchObject({ job_type: 'existing', check_id: web.id, result: { status: 'ok' } });
    const results = await h.ok('get_check_results', { check_id: web.id });
    expect(results.results).toMatchObject([{ status: 'ok', result_type: 'on_demand', check_name: 'Site' }]);
    const unified = await h.ok('get_unified_results', { result_type: 'on_demand', check_ids: [web.id] });
    expect(unified.results).toHaveLength(1);
    // On-demand runs leave the schedule's statistics alone.
    const stats = (await h.ok('get_check_statistics', { check_id: web.id })).statistics[0];
    expect(stats).toMatchObject({ total: 0 });
    expect(stats).not.toHaveProperty('uptime_percentage');

    await h.ok('delete_check_group', { group_id: group.id });
    expect((await h.ok('get_check_details', { check_id: web.id })).checks[0]).not.toHaveProperty('group_id');
  });

  it('refuses bad checks with a clear error naming the parameter, storing nothing', async ({ skip: s }) => {
    if (skip) s();
    const before = (await h.ok('list_checks')).checks.length;
    const cases: [Record<string, unknown>, string, string][] = [
      [{ name: 'x', type: 'web', url: 'not a url' }, 'url', "url 'not a url' is not a valid URL"],
      [{ name: 'x', type: 'web', url: 'ftp://example.com/' }, 'url', 'must be an http:// or https:// URL'],
      [{ name: 'x', type: 'web' }, 'url', 'A web check needs `url`'],
      [{ name: 'x', type: 'tcp', host: 'db' }, 'port', 'A tcp check needs `port`'],
      [{ name: 'x', type: 'portscan', host: 'db' }, 'type', 'type'],
      [{ name: 'x', type: 'web', url: 'https://a.io', interval: 5 }, 'interval', 'interval'],
      [{ name: 'x', type: 'web', url: 'https://a.io', interval: 10 ** 9 }, 'interval', 'interval'],
      [
        {
          name: 'x',
          type: 'api',
          url: 'https://a.io',
          parameters: { assertions: { json_path: [{ path: '$.a[0' }] } },
        },
        'parameters.assertions.json_path[0].path',
        "'$.a[0' is not a valid JSONPath",
      ],
      [
        { name: 'x', type: 'api', url: 'https://a.io', parameters: { assertions: { body_regex: '(' } } },
        'parameters.assertions.body_regex',
        "'(' is not a valid regular expression",
      ],
      [
        { name: 'x', type: 'web', url: 'https://a.io', parameters: { search_txt: 'typo' } },
        'parameters',
        'Unknown web parameter(s) `search_txt`',
      ],
      [{ name: 'x', type: 'multistep', parameters: { steps: [] } }, 'parameters.steps', 'at least one step'],
    ];
    for (const [args, parameter, message] of cases) {
      const r = await h.call('create_check', args);
      expect(r.isError, JSON.stringify(args)).toBe(true);
      expect(r.body.error.code).toBe('VALIDATION_ERROR');
      expect(String(r.body.error.details.parameter), JSON.stringify(args)).toMatch(
        new RegExp(`^${parameter.replace(/[.[\]$]/g, '\\$&')}`),
      );
      expect(r.body.error.message).toContain(message);
    }
    expect((await h.ok('list_checks')).checks.length).toBe(before);
    const unknown = await h.call('execute_existing_check', { check_id: 'PNOPE' });
    expect(unknown.body.error).toMatchObject({ code: 'NOT_FOUND', details: { parameter: 'check_id' } });
    const group = await h.call('create_check', {
      name: 'x',
      type: 'web',
      url: 'https://a.io',
      group_id: 'PNOPE',
    });
    expect(group.body.error).toMatchObject({ code: 'NOT_FOUND', details: { parameter: 'group_id' } });
  });
});
