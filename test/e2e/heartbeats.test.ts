/**
 * Heartbeat ping URLs on the built `vigil serve`: every route and method, bodies kept to 10 KB,
 * oversized and unknown pings refused with nothing recorded, and every answered ping still there
 * after the server is killed.
 */
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, connect } from '../helpers/clients.js';
import { type RunningVigil, startVigil, tempDir } from '../helpers/vigil.js';

describe('heartbeat pings over HTTP', () => {
  const dataDir = tempDir();
  let server: RunningVigil;
  let client: Client;
  let id = '';
  let token = '';

  const pings = async () =>
    (await callJson(client, 'get_heartbeat_logs', { heartbeat_id: id, limit: 1000 })).body.pings as {
      kind: string;
      exit_code: number | null;
      ping_data: unknown;
      truncated: boolean;
      source_ip: string;
      user_agent: string;
    }[];
  const status = async () =>
    (await callJson(client, 'get_heartbeat_details', { heartbeat_id: id })).body.heartbeats[0].status;

  beforeAll(async () => {
    server = await startVigil({ VIGIL_DATA_DIR: dataDir, VIGIL_MODE: 'read_write' });
    client = await connect('http-modern', { base: server.base });
    const hb = (
      await callJson(client, 'create_heartbeat', { heartbeat_data: { name: 'Backup', period_seconds: 3600 } })
    ).body.heartbeats[0];
    id = hb.id;
    token = /\/ping\/([A-Za-z0-9_-]+)$/.exec(hb.ping_url)?.[1] as string;
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  it('records success, start, failure and exit codes, with the source and user agent', async () => {
    const ok = await fetch(`${server.base}/ping/${token}`, { headers: { 'user-agent': 'cron/1.0' } });
    expect([ok.status, await ok.text()]).toEqual([200, 'OK\n']);
    expect(await status()).toBe('up');
    await fetch(`${server.base}/ping/${token}/start`, { method: 'POST', body: 'starting' });
    const failed = await fetch(`${server.base}/ping/${token}/3`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error: 'disk full' }),
    });
    expect(failed.status).toBe(200);
    expect(await status()).toBe('down');
    expect((await fetch(`${server.base}/ping/${token}/0`, { method: 'HEAD' })).status).toBe(200);
    expect(await status()).toBe('up');
    const log = await pings();
    expect(log.map((p) => [p.kind, p.exit_code ?? null])).toEqual([
      ['success', 0],
      ['fail', 3],
      ['start', null],
      ['success', null],
    ]);
    expect(log[1]?.ping_data).toEqual({ error: 'disk full' });
    expect(log[2]?.ping_data).toBe('starting');
    expect(log[3]).toMatchObject({
      user_agent: 'cron/1.0',
      source_ip: expect.stringMatching(/127\.0\.0\.1/),
    });
  });

  it('answers Pingera’s ping path with its JSON', async () => {
    const res = await fetch(`${server.base}/v1/heartbeats/${id}/ping`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      check_id: id,
      status: 'up',
      message: 'Ping received',
      next_expected_ping: expect.any(String),
    });
    const unknown = await fetch(`${server.base}/v1/heartbeats/PNOPE/ping`);
    expect(unknown.status).toBe(404);
  });

  it('keeps the first 10 KB of a big body, refuses one over the body limit, and unknown pings', async () => {
    const before = (await pings()).length;
    const big = await fetch(`${server.base}/ping/${token}`, { method: 'POST', body: 'x'.repeat(20_000) });
    expect(await big.text()).toBe('OK (body truncated to 10 KB)\n');
    const kept = (await pings())[0];
    expect(kept?.truncated).toBe(true);
    expect(String(kept?.ping_data).length).toBe(10 * 1024);

    const huge = await fetch(`${server.base}/ping/${token}`, {
      method: 'POST',
      body: 'x'.repeat(2 * 1024 * 1024),
    });
    expect(huge.status).toBe(413);
    expect(await huge.text()).toContain('nothing was recorded');
    const cases: [string, RequestInit, number, string][] = [
      ['/ping/NoSuchToken0000000000', {}, 404, 'Not found: no heartbeat has this ping URL.\n'],
      [`/ping/${token}/256`, {}, 400, 'Exit code 256 is out of range: use 0-255.'],
      [`/ping/${token}`, { method: 'PUT', body: 'x' }, 405, 'Use GET, POST or HEAD.\n'],
    ];
    for (const [path, init, code, text] of cases) {
      const res = await fetch(`${server.base}${path}`, init);
      expect(res.status, path).toBe(code);
      expect(await res.text(), path).toContain(text);
    }
    expect((await pings()).length).toBe(before + 1);
  });

  it('keeps every answered ping when the server is killed', async () => {
    const before = (await pings()).length;
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        fetch(`${server.base}/ping/${token}`, { method: 'POST', body: `run ${i}` }),
      ),
    );
    expect(answers.every((r) => r.status === 200)).toBe(true);
    await client.close();
    await server.stop('SIGKILL');
    server = await startVigil({ VIGIL_DATA_DIR: dataDir, VIGIL_MODE: 'read_write' });
    client = await connect('http-modern', { base: server.base });
    expect((await pings()).length).toBe(before + 40);
  });
});
