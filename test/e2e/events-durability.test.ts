/**
 * Events API durability end to end: every trigger answered 202 survives `kill -9`, although
 * triggers are group-committed. Many senders stream triggers, each with a key of its own, at a
 * real `vigil serve`, which is killed with SIGKILL while batches are in flight; the store must
 * then hold an incident and its alert for every key that was answered 202.
 */
import type { Client } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/providers/embedded/store/database.js';
import { callJson, connect } from '../helpers/clients.js';
import { STORES, storeAvailable } from '../helpers/stores.js';
import { type RunningVigil, startVigil } from '../helpers/vigil.js';

/** Senders: enough that batches form (and are cut off by the kill). */
const SENDERS = 24;
/** The server is killed when this many triggers have been answered 202. */
const KILL_AFTER = 600;
const TEST_TIMEOUT_MS = 90_000;

const available = { sqlite: true, postgres: await storeAvailable('postgres') };
const running: RunningVigil[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((v) => v.stop('SIGKILL')));
});

describe.each(STORES)('Events API durability on $kind', (target) => {
  it.skipIf(!available[target.kind])(
    'stores every trigger answered 202 through kill -9',
    async () => {
      const store = await target.open();
      const vigil = await startVigil({
        VIGIL_DATA_DIR: store.dataDir,
        VIGIL_MODE: 'read_write',
        ...(store.databaseUrl && { VIGIL_DATABASE_URL: store.databaseUrl }),
      });
      running.push(vigil);
      let client: Client | undefined = await connect('http-modern', { base: vigil.base });
      const routingKey = (await callJson(client, 'create_service', { name: 'Disks' })).body.services[0]
        .integration_key as string;
      await client.close();
      client = undefined;

      const acknowledged: string[] = [];
      let attempted = 0;
      let killed: Promise<unknown> | undefined;
      const send = async (s: number) => {
        for (let i = 0; !killed; i++) {
          const dedupKey = `disk-${s}-${i}`;
          attempted++;
          let res: Response;
          try {
            res = await fetch(`${vigil.base}/v2/enqueue`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({
                routing_key: routingKey,
                event_action: 'trigger',
                dedup_key: dedupKey,
                payload: { summary: `Disk full (${dedupKey})`, source: 'db', severity: 'critical' },
              }),
            });
          } catch (err) {
            if (!killed) throw err; // only the kill may cut a request off
            return;
          }
          if (res.status !== 202) {
            if (killed) return;
            throw new Error(`${dedupKey} answered ${res.status} before the kill: ${await res.text()}`);
          }
          // A 202 is an acknowledgement, even one that arrives just after the kill.
          acknowledged.push(dedupKey);
          if (acknowledged.length === KILL_AFTER && !killed) killed = vigil.stop('SIGKILL');
        }
      };
      await Promise.all(Array.from({ length: SENDERS }, (_, s) => send(s)));
      await killed;
      expect(vigil.child.signalCode).toBe('SIGKILL');
      expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER);

      const { db } = await openDatabase(store);
      try {
        const rows = await db
          .selectFrom('incidents')
          .innerJoin('incident_alerts', 'incident_alerts.incident_id', 'incidents.id')
          .select(['incidents.incident_key', 'incidents.number'])
          .execute();
        const stored = new Set(rows.map((r) => r.incident_key));
        const lost = acknowledged.filter((k) => !stored.has(k));
        expect(lost).toEqual([]);
        // One incident and one alert per key; nothing beyond what was sent.
        expect(stored.size).toBe(rows.length);
        expect(rows.length).toBeLessThanOrEqual(attempted);
        expect(new Set(rows.map((r) => r.number)).size).toBe(rows.length);
      } finally {
        await db.destroy();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
