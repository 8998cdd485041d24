/**
 * The built `vigil serve` pages at once: an alert through `/v2/enqueue` reaches level 1's webhook
 * within a second, on the real clock and the real engine schedule (not a poll every few seconds).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, connect } from '../helpers/clients.js';
import { type RunningVigil, startVigil, tempDir } from '../helpers/vigil.js';

describe('paging latency of vigil serve', () => {
  let server: RunningVigil;
  let client: Client;
  let receiver: Server;
  const arrivals: { at: number; title: string }[] = [];
  let key = '';

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        arrivals.push({ at: Date.now(), title: JSON.parse(body).incident.title });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/ann`;
    server = await startVigil({ VIGIL_DATA_DIR: tempDir(), VIGIL_MODE: 'read_write' });
    client = await connect('http-modern', { base: server.base });
    const ann = (
      await callJson(client, 'create_user', {
        name: 'Ann',
        email: 'ann@x.io',
        contact_methods: [{ type: 'webhook', address: hook }],
      })
    ).body.users[0].id;
    const policy = (
      await callJson(client, 'create_escalation_policy', {
        name: 'Primary',
        escalation_rules: [
          { escalation_delay_in_minutes: 5, targets: [{ id: ann, type: 'user_reference' }] },
        ],
      })
    ).body.escalation_policies[0].id;
    key = (await callJson(client, 'create_service', { name: 'Web', escalation_policy_id: policy })).body
      .services[0].integration_key;
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    receiver?.close();
  });

  it('delivers level 1 within a second of each 202', async () => {
    // Once the engine has settled into its idle rhythm, so the first alert finds it asleep.
    await new Promise((r) => setTimeout(r, 1500));
    const sent = new Map<string, number>();
    for (const n of [1, 2, 3]) {
      const title = `Down ${n}`;
      const res = await fetch(`${server.base}/v2/enqueue`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          routing_key: key,
          event_action: 'trigger',
          payload: { summary: title, source: 'web', severity: 'critical' },
        }),
      });
      expect(res.status).toBe(202);
      sent.set(title, Date.now());
      await new Promise((r) => setTimeout(r, 300));
    }
    await expect.poll(() => arrivals.length, { timeout: 5000 }).toBe(3);
    for (const a of arrivals) expect(a.at - (sent.get(a.title) as number)).toBeLessThan(1000);
  });
});
