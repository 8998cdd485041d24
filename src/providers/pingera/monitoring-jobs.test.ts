/**
 * On-demand runs on Pingera: the 202 `{job_id}` followed at `GET /v1/checks/jobs/{job_id}`, read
 * once without `wait`, polled every second with it, and answered as it stands with a note once
 * the run's timeout plus the grace has passed. A scripted client stands in for Pingera, so each
 * answer and each wait is exact; the fake Pingera covers the same flow end to end.
 */
import { describe, expect, it } from 'vitest';
import { VigilError } from '../../core/errors.js';
import { PingeraChecks } from './checks.js';
import type { PingeraClient } from './client.js';

interface Call {
  method: string;
  path: string;
  body?: unknown;
}

/** Answers by `METHOD path`; a function answer is called each time, `undefined` is a 404. */
function scripted(routes: Record<string, unknown | ((n: number) => unknown)>) {
  const calls: Call[] = [];
  const answer = (method: string, path: string, body?: unknown) => {
    calls.push({ method, path, body });
    const route = routes[`${method} ${path}`];
    const n = calls.filter((c) => c.method === method && c.path === path).length;
    const value = typeof route === 'function' ? (route as (n: number) => unknown)(n) : route;
    if (value === undefined) throw new VigilError('NOT_FOUND', `Pingera has no ${path}.`);
    return value;
  };
  const client = {
    get: async (path: string) => answer('GET', path),
    find: async (path: string) => {
      try {
        return answer('GET', path);
      } catch (err) {
        if (err instanceof VigilError && err.code === 'NOT_FOUND') return undefined;
        throw err;
      }
    },
    send: async (method: string, path: string, body?: unknown) => answer(method, path, body),
    list: async () => {
      throw new Error('not scripted');
    },
  };
  return { client: client as unknown as PingeraClient, calls };
}

/** A clock that moves only when the poll sleeps. */
function timeline(start = Date.parse('2026-03-01T12:00:00Z')) {
  let now = start;
  const slept: number[] = [];
  return {
    clock: { now: () => now },
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
    slept,
  };
}

const CHECK = {
  id: 'chk000000001',
  name: 'API',
  type: 'web',
  url: 'https://api.example.com/health',
  interval: 60,
  timeout: 10,
  active: true,
  status: 'ok',
  created_at: '2026-03-01T10:00:00',
  updated_at: '2026-03-01T10:00:00',
};
const ACCEPTED = { job_id: 'job000000001', status: 'queued', message: 'Check job queued' };
const job = (status: string, extra: Record<string, unknown> = {}) => ({
  id: 'job000000001',
  check_id: null,
  job_type: 'custom_check',
  status,
  check_parameters: { type: 'web', url: 'https://example.com' },
  created_at: '2026-03-01T12:00:00',
  started_at: status === 'pending' ? null : '2026-03-01T12:00:01',
  completed_at: status === 'completed' || status === 'failed' ? '2026-03-01T12:00:03' : null,
  ...extra,
});
const TARGET = {
  name: 'probe',
  type: 'web' as const,
  url: 'https://example.com',
  timeout: 10,
  parameters: {},
};

describe('Pingera on-demand jobs', () => {
  it('without wait, reads the job once and answers it as it stands', async () => {
    const t = timeline();
    const { client, calls } = scripted({
      'POST /v1/checks/execute': ACCEPTED,
      'GET /v1/checks/jobs/job000000001': job('pending'),
    });
    const checks = new PingeraChecks(client, t);
    const answer = await checks.executeCustom(TARGET, false);
    expect(answer).toMatchObject({ id: 'job000000001', status: 'pending', job_type: 'custom', result: null });
    expect(answer.note).toBeUndefined();
    expect(t.slept).toEqual([]);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /v1/checks/execute',
      'GET /v1/checks/jobs/job000000001',
    ]);
    expect(calls[0]?.body).toEqual({
      name: 'probe',
      type: 'web',
      url: 'https://example.com',
      timeout: 10,
      parameters: {},
    });
  });

  it('with wait, polls every second until the job completes, and maps its result', async () => {
    const t = timeline();
    const states = ['pending', 'running', 'running', 'completed'];
    const { client } = scripted({
      'POST /v1/checks/execute': ACCEPTED,
      'GET /v1/checks/jobs/job000000001': (n: number) =>
        job(states[n - 1] ?? 'completed', {
          result:
            n >= 4
              ? {
                  status: 'ok',
                  response_time: 123,
                  error_message: null,
                  check_metadata: { status_code: 200 },
                  check_server: { region: 'RU, Moscow' },
                }
              : null,
        }),
    });
    const answer = await new PingeraChecks(client, t).executeCustom(TARGET, true);
    expect(t.slept).toEqual([1000, 1000, 1000]);
    expect(answer).toMatchObject({
      status: 'completed',
      completed_at: '2026-03-01T12:00:03.000Z',
      result: {
        status: 'ok',
        response_time: 123,
        error_message: null,
        check_metadata: { status_code: 200, check_server: { region: 'RU, Moscow' } },
      },
    });
    expect(answer.note).toBeUndefined();
  });

  it('with wait, answers a failed job at once with its error', async () => {
    const t = timeline();
    const { client } = scripted({
      'POST /v1/checks/execute': ACCEPTED,
      'GET /v1/checks/jobs/job000000001': job('failed', { error_message: 'DNS lookup failed' }),
    });
    const answer = await new PingeraChecks(client, t).executeCustom(TARGET, true);
    expect(answer).toMatchObject({ status: 'failed', error_message: 'DNS lookup failed' });
    expect(t.slept).toEqual([]);
  });

  it("stops at the run's timeout plus the grace and answers the job as it stands, with a note", async () => {
    const t = timeline();
    const { client, calls } = scripted({
      'POST /v1/checks/execute': ACCEPTED,
      'GET /v1/checks/jobs/job000000001': job('running'),
    });
    const answer = await new PingeraChecks(client, { ...t, graceMs: 5000 }).executeCustom(TARGET, true);
    // 10 s timeout + 5 s grace, a poll a second: 16 reads, 15 waits.
    expect(t.slept).toHaveLength(15);
    expect(calls.filter((c) => c.method === 'GET')).toHaveLength(16);
    expect(answer.status).toBe('running');
    expect(answer.note).toMatch(
      /had not finished the run after 15 s; it is running\. .*get_on_demand_job_status.*job000000001/,
    );
  });

  it('a job Pingera does not show yet is answered as queued (pending), with what was asked', async () => {
    const t = timeline();
    const { client } = scripted({ 'POST /v1/checks/execute': ACCEPTED });
    const answer = await new PingeraChecks(client, t).executeCustom(TARGET, false);
    expect(answer).toEqual({
      id: 'job000000001',
      check_id: null,
      job_type: 'custom',
      status: 'pending',
      check_parameters: {
        name: 'probe',
        type: 'web',
        url: 'https://example.com',
        timeout: 10,
        parameters: {},
      },
      result: null,
      error_message: null,
      created_at: '2026-03-01T12:00:00.000Z',
      started_at: null,
      completed_at: null,
    });
  });

  it("an existing check's run waits on that check's timeout; an unknown check is NOT_FOUND before any run", async () => {
    const t = timeline();
    const { client, calls } = scripted({
      'GET /v1/checks/chk000000001': CHECK,
      'POST /v1/checks/chk000000001/execute': ACCEPTED,
      'GET /v1/checks/jobs/job000000001': job('running', {
        check_id: 'chk000000001',
        job_type: 'existing_check',
      }),
    });
    const checks = new PingeraChecks(client, { ...t, graceMs: 0 });
    const answer = await checks.executeExisting('chk000000001', true);
    expect(answer).toMatchObject({ check_id: 'chk000000001', job_type: 'existing', status: 'running' });
    expect(t.slept).toHaveLength(10);
    expect(answer.note).toBeDefined();

    const before = calls.length;
    await expect(checks.executeExisting('chk000000404', true)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: "No check with id 'chk000000404' (parameter `check_id`).",
    });
    expect(calls.slice(before).map((c) => c.method)).toEqual(['GET']);
  });

  it('a 202 without a job_id is an UPSTREAM_ERROR naming Pingera', async () => {
    const { client } = scripted({ 'POST /v1/checks/execute': { status: 'queued' } });
    await expect(new PingeraChecks(client, timeline()).executeCustom(TARGET, true)).rejects.toMatchObject({
      code: 'UPSTREAM_ERROR',
      message: expect.stringContaining('Pingera'),
    });
  });

  it('secret values in a one-off run are NOT_SUPPORTED (Pingera takes secrets by id)', async () => {
    const { client, calls } = scripted({});
    await expect(
      new PingeraChecks(client, timeline()).executeCustom(
        { ...TARGET, variables: { TOKEN: 's3cret' } },
        false,
      ),
    ).rejects.toMatchObject({ code: 'NOT_SUPPORTED', details: { provider: 'pingera' } });
    expect(calls).toEqual([]);
  });
});
