/**
 * Monitoring for a user who only has an MCP client: `vigil` spawned over stdio by the official
 * client runs the engine and serves the public routes. A check on a loopback target runs; a rule
 * created on a check that is already failing fires at once; a heartbeat whose ping URL came from
 * the stdio session is pinged there, goes late, and pages a webhook that the Standard Webhooks
 * library verifies.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSqlite } from '../../src/providers/embedded/store/sqlite-driver.js';
import { callJson, connect } from '../helpers/clients.js';
import { until } from '../helpers/until.js';
import { tempDir } from '../helpers/vigil.js';
import { verifyWebhook } from '../helpers/webhooks.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('the engine over stdio', () => {
  const dataDir = tempDir();
  let client: Client;
  let target: Server;
  let base = '';
  const received: Received[] = [];
  /** What the target answers for each path. */
  const answers: Record<string, number> = { '/up': 200, '/down': 500 };

  /** Writes to the store behind the stdio process, as time passing would (due now, overdue). */
  const store = async (statement: string, ...params: unknown[]) => {
    const SQLite = await loadSqlite();
    const db = new SQLite(join(dataDir, 'vigil.db'));
    try {
      db.pragma('busy_timeout = 5000');
      db.prepare(statement).run(...params);
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    target = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        if (req.method === 'POST') received.push({ path: req.url ?? '', headers: req.headers, body });
        res.writeHead(answers[req.url ?? ''] ?? 202).end('ok');
      });
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    // As a desktop client starts it: no port chosen, a data directory of its own.
    client = await connect('stdio-modern', {
      env: { VIGIL_DATA_DIR: dataDir, VIGIL_MODE: 'read_write', HTTP_PORT: '0' },
    });
  });
  afterAll(async () => {
    await client?.close();
    target?.close();
  });

  const call = async (name: string, args: Record<string, unknown>) => {
    const r = await callJson(client, name, args);
    expect(r.isError, JSON.stringify(r.body)).toBe(false);
    return r.body;
  };

  it('runs a check created over stdio', async () => {
    const check = (await call('create_check', { name: 'Up', type: 'web', url: `${base}/up`, interval: 30 }))
      .checks[0];
    await store('update checks set next_run_at = ? where id = ?', Date.now(), check.id);
    const result = await until('a check result', 15_000, async () => {
      const { results } = await call('get_check_results', { check_id: check.id });
      return results[0];
    });
    expect(result).toMatchObject({ status: 'ok', check_id: check.id });
  });

  it('fires a rule created on a check that is already failing, without a new change', async () => {
    const check = (
      await call('create_check', {
        name: 'Down',
        type: 'web',
        url: `${base}/down`,
        interval: 30,
        failure_threshold: 1,
      })
    ).checks[0];
    await store('update checks set next_run_at = ? where id = ?', Date.now(), check.id);
    await until('the check to fail', 15_000, async () => {
      const status = (await call('get_check_details', { check_id: check.id })).checks[0].status;
      return status === 'failed';
    });
    const channel = (
      await call('create_alert_channel', {
        name: 'Ops hook',
        type: 'webhook',
        configuration: { url: `${base}/hook-check` },
      })
    ).channels[0];
    await call('create_alert', {
      alert_data: { name: 'Down', check_id: check.id, condition: 'check_failed', channel_ids: [channel.id] },
    });
    const page = await until('the alert webhook', 15_000, async () =>
      received.find((r) => r.path === '/hook-check'),
    );
    const secret = channel.configuration.signing_secret as string;
    expect(verifyWebhook(secret, page.headers, page.body)).toMatch(/^P/);
    expect(JSON.parse(page.body)).toMatchObject({ event: 'alert_fired', alert: { check_id: check.id } });
  });

  it('takes pings at the ping URL it gave, and pages when the heartbeat goes late', async () => {
    const hb = (
      await call('create_heartbeat', { heartbeat_data: { name: 'Nightly backup', period_seconds: 3600 } })
    ).heartbeats[0];
    const channel = (
      await call('create_alert_channel', {
        name: 'Late hook',
        type: 'webhook',
        configuration: { url: `${base}/hook-hb` },
      })
    ).channels[0];
    await call('create_alert', {
      alert_data: {
        name: 'Backup late',
        heartbeat_id: hb.id,
        condition: 'heartbeat_late',
        channel_ids: [channel.id],
      },
    });
    // The URL names a listener of this stdio process: a job can ping it while the client runs.
    const ping = await fetch(hb.ping_url as string);
    expect(ping.status).toBe(200);
    expect((await call('get_heartbeat_details', { heartbeat_id: hb.id })).heartbeats[0].status).toBe('up');
    // An hour passes with no ping.
    const overdue = Date.now() - 1000;
    await store(
      'update heartbeats set next_expected_at = ?, check_at = ? where id = ?',
      overdue,
      overdue,
      hb.id,
    );
    const page = await until('the heartbeat page', 15_000, async () =>
      received.find((r) => r.path === '/hook-hb'),
    );
    verifyWebhook(channel.configuration.signing_secret as string, page.headers, page.body);
    expect(JSON.parse(page.body)).toMatchObject({ event: 'alert_fired', alert: { heartbeat_id: hb.id } });
    expect((await call('get_heartbeat_details', { heartbeat_id: hb.id })).heartbeats[0].status).toBe('late');
  });
});
