/**
 * Nothing that must happen is lost to `kill -9`. For each store: 100 checks fail at once, each
 * with an alert rule that opens an incident and notifies a webhook; the engine process is killed
 * at random moments, again and again, while it works the burst off; a last process settles it.
 * Then the checks recover, under the same treatment. Every alert fires once, every incident opens
 * once and resolves, and every notification arrives — a repeat only with the same `webhook-id`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/providers/embedded/store/database.js';
import type { Database } from '../../src/providers/embedded/store/schema.js';
import { STORES, storeAvailable } from '../helpers/stores.js';
import { until } from '../helpers/until.js';
import { startVigil } from '../helpers/vigil.js';
import { verifyWebhook } from '../helpers/webhooks.js';

const CHECKS = 100;
const KILLS = 5;
const available = { sqlite: true, postgres: await storeAvailable('postgres') };

describe.each(STORES)('kill -9 during a burst on $kind', (target) => {
  let receiver: Server;
  const dbs: Kysely<Database>[] = [];
  afterAll(async () => {
    receiver?.close();
    await Promise.all(dbs.map((db) => db.destroy()));
  });

  it.skipIf(!available[target.kind])(
    'fires, opens, resolves and delivers everything exactly once',
    async () => {
      let failing = true;
      /** Webhook deliveries received: id → how many times, and bodies by id. */
      const seen = new Map<string, number>();
      const bodies: { id: string; event: string; headers: Record<string, unknown>; body: string }[] = [];
      receiver = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => {
          body += c.toString();
        });
        req.on('end', () => {
          if (req.url?.startsWith('/c/')) {
            res.writeHead(failing ? 500 : 200).end();
            return;
          }
          const id = String(req.headers['webhook-id']);
          seen.set(id, (seen.get(id) ?? 0) + 1);
          bodies.push({ id, event: JSON.parse(body).event, headers: req.headers, body });
          res.writeHead(200).end();
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

      const store = await target.open();
      const env: Record<string, string> = {
        VIGIL_DATA_DIR: store.dataDir,
        VIGIL_MODE: 'read_write',
        ...(store.databaseUrl && { VIGIL_DATABASE_URL: store.databaseUrl }),
      };
      const { db } = await openDatabase(store);
      dbs.push(db);

      // ---- set up through MCP, then stop
      let vigil = await startVigil(env);
      const client = new Client({ name: 'kill-test', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${vigil.base}/mcp`)));
      const call = async (name: string, args: Record<string, unknown>) => {
        const r = await client.callTool({ name, arguments: args });
        expect(r.isError, JSON.stringify(r.content)).not.toBe(true);
        return r.structuredContent as Record<string, any>;
      };
      const service = (await call('create_service', { name: 'Shop' })).services[0];
      const channel = (
        await call('create_alert_channel', {
          name: 'Hook',
          type: 'webhook',
          configuration: { url: `${base}/hook` },
        })
      ).channels[0];
      const secret = channel.configuration.signing_secret as string;
      for (let i = 0; i < CHECKS; i++) {
        const check = (
          await call('create_check', {
            name: `c${i}`,
            type: 'web',
            url: `${base}/c/${i}`,
            interval: 3600,
            failure_threshold: 1,
          })
        ).checks[0];
        await call('create_alert', {
          alert_data: {
            name: `r${i}`,
            check_id: check.id,
            condition: 'check_failed',
            channel_ids: [channel.id],
            service_id: service.id,
          },
        });
      }
      await client.close();
      await vigil.stop('SIGKILL');

      /** Makes every check due now, then kills engine processes at random moments, then settles. */
      const burst = async (settled: () => Promise<boolean>) => {
        await db.updateTable('checks').set({ next_run_at: Date.now() }).execute();
        for (let k = 0; k < KILLS; k++) {
          vigil = await startVigil(env);
          await new Promise((r) => setTimeout(r, 200 + Math.random() * 1500));
          await vigil.stop('SIGKILL');
        }
        vigil = await startVigil(env);
        await until('the burst to settle', 90_000, settled, 250);
        await vigil.stop('SIGTERM');
      };
      const count = async (q: Promise<{ n: number | string | bigint }>) => Number((await q).n);
      const alerts = (status?: Database['alerts']['status']) =>
        count(
          db
            .selectFrom('alerts')
            .select((eb) => eb.fn.countAll().as('n'))
            .$if(status !== undefined, (q) => q.where('status', '=', status as Database['alerts']['status']))
            .executeTakeFirstOrThrow(),
        );
      const incidents = (status?: Database['incidents']['status']) =>
        count(
          db
            .selectFrom('incidents')
            .select((eb) => eb.fn.countAll().as('n'))
            .$if(status !== undefined, (q) =>
              q.where('status', '=', status as Database['incidents']['status']),
            )
            .executeTakeFirstOrThrow(),
        );
      const received = (event: string) =>
        new Set(bodies.filter((b) => b.event === event).map((b) => b.id)).size;

      // ---- everything fails at once
      await burst(
        async () =>
          (await alerts('firing')) === CHECKS &&
          (await incidents('triggered')) === CHECKS &&
          received('alert_fired') === CHECKS,
      );
      expect(await alerts()).toBe(CHECKS);
      expect(await incidents()).toBe(CHECKS);

      // ---- everything recovers at once
      failing = false;
      await burst(
        async () =>
          (await alerts('resolved')) === CHECKS &&
          (await incidents('resolved')) === CHECKS &&
          received('alert_resolved') === CHECKS,
      );
      expect(await alerts()).toBe(CHECKS);
      expect(await incidents()).toBe(CHECKS);
      // One alert and one incident per rule, none twice.
      const perRule = await db
        .selectFrom('alerts')
        .select(['rule_id', (eb) => eb.fn.countAll().as('n')])
        .groupBy('rule_id')
        .execute();
      expect(perRule.filter((r) => Number(r.n) !== 1)).toEqual([]);
      const keys = await db.selectFrom('incidents').select('incident_key').execute();
      expect(new Set(keys.map((k) => k.incident_key)).size).toBe(CHECKS);
      // Every delivery arrived, signed; a repeat (outcome unknown at a kill) carries the same id.
      const ids = new Set(bodies.map((b) => b.id));
      expect(ids.size).toBe(2 * CHECKS);
      for (const b of bodies) verifyWebhook(secret, b.headers, b.body);
      const repeats = [...seen.values()].filter((n) => n > 1).length;
      expect(repeats).toBeLessThanOrEqual(KILLS * 2 * 50);
    },
    300_000,
  );
});
