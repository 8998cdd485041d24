/**
 * Durability end to end: a write Vigil acknowledged survives `kill -9`.
 *
 * For each store, a few clients stream `create_user` calls at a real `vigil serve`; the server is
 * killed with SIGKILL while calls are in flight. Calls cut off by the kill fail on the client
 * side, which is fine; the invariant is that every call whose successful result reached the
 * client is on disk. A second `vigil serve` on the same store must start, answer, and return
 * every acknowledged user, and the store must still be consistent and writable.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/providers/embedded/store/database.js';
import { STORES, storeAvailable } from '../helpers/stores.js';
import { type RunningVigil, startVigil } from '../helpers/vigil.js';

/** Concurrent client streams: enough that several calls are in flight at the kill. */
const STREAMS = 4;
/** The server is killed when this many writes have been acknowledged. */
const KILL_AFTER = 200;
/** Bounds a call cut off by the kill, should the transport wait for a server that is gone. */
const CALL_TIMEOUT_MS = 10_000;
/** Two server starts and some 400 calls, each write an fsync: seconds, more on a loaded machine. */
const TEST_TIMEOUT_MS = 90_000;

const available = { sqlite: true, postgres: await storeAvailable('postgres') };

interface Acknowledged {
  id: string;
  email: string;
}

interface UserResult {
  users?: { id: string; email: string }[];
}

const running: RunningVigil[] = [];
const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  await Promise.all(running.splice(0).map((v) => v.stop('SIGKILL')));
});

async function start(env: Record<string, string>): Promise<RunningVigil> {
  const vigil = await startVigil(env);
  running.push(vigil);
  return vigil;
}

async function connect(base: string): Promise<Client> {
  const client = new Client({ name: 'durability-test', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
  clients.push(client);
  return client;
}

function firstUser(result: { structuredContent?: unknown }): { id: string; email: string } | undefined {
  return (result.structuredContent as UserResult | undefined)?.users?.[0];
}

describe.each(STORES)('durability on $kind', (target) => {
  it.skipIf(!available[target.kind])(
    'keeps every acknowledged write through kill -9',
    async () => {
      const store = await target.open();
      const env: Record<string, string> = {
        VIGIL_DATA_DIR: store.dataDir,
        VIGIL_MODE: 'read_write',
        ...(store.databaseUrl && { VIGIL_DATABASE_URL: store.databaseUrl }),
      };

      // ---- stream writes and kill the server in the middle of the stream
      const first = await start(env);
      const streams = await Promise.all(Array.from({ length: STREAMS }, () => connect(first.base)));
      const acknowledged: Acknowledged[] = [];
      let attempted = 0;
      let inFlight = 0;
      let inFlightAtKill = 0;
      let killed: Promise<unknown> | undefined;

      const stream = async (client: Client, s: number) => {
        for (let i = 0; !killed; i++) {
          const email = `s${s}-${i}@durability.test`;
          attempted++;
          inFlight++;
          let result: Awaited<ReturnType<Client['callTool']>>;
          try {
            result = await client.callTool(
              { name: 'create_user', arguments: { name: `Stream ${s} user ${i}`, email } },
              { timeout: CALL_TIMEOUT_MS },
            );
          } catch (err) {
            // Only the kill may cut a call off.
            if (!killed) throw err;
            return;
          } finally {
            inFlight--;
          }
          // A successful result is an acknowledgement, even one that arrives just after the kill.
          const user = firstUser(result);
          if (result.isError || !user) {
            if (killed) return;
            throw new Error(`create_user ${email} failed before the kill: ${JSON.stringify(result)}`);
          }
          expect(user.email).toBe(email);
          acknowledged.push({ id: user.id, email });
          if (acknowledged.length === KILL_AFTER && !killed) {
            inFlightAtKill = inFlight;
            killed = first.stop('SIGKILL');
          }
        }
      };
      await Promise.all(streams.map((client, s) => stream(client, s)));
      await killed;
      expect(first.child.signalCode).toBe('SIGKILL');
      // The kill really did interrupt work: the other streams each had a call out.
      expect(inFlightAtKill).toBeGreaterThanOrEqual(STREAMS - 1);
      expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER);
      await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));

      // ---- restart on the same store: every acknowledged user is served
      const second = await start(env);
      const client = await connect(second.base);
      const missing: Acknowledged[] = [];
      const pending = [...acknowledged];
      const check = async () => {
        for (let next = pending.pop(); next; next = pending.pop()) {
          const result = await client.callTool({ name: 'get_users', arguments: { user_id: next.id } });
          if (result.isError || firstUser(result)?.email !== next.email) missing.push(next);
        }
      };
      await Promise.all(Array.from({ length: STREAMS }, check));
      expect(missing).toEqual([]);

      // The store is consistent: an acknowledged email is still unique, and new writes go through.
      const duplicate = await client.callTool({
        name: 'create_user',
        arguments: { name: 'Duplicate', email: acknowledged[0]!.email },
      });
      expect(duplicate.isError).toBe(true);
      const fresh = await client.callTool({
        name: 'create_user',
        arguments: { name: 'After restart', email: 'after-restart@durability.test' },
      });
      expect(fresh.isError).toBeFalsy();
      expect(firstUser(fresh)?.email).toBe('after-restart@durability.test');
      await client.close();
      expect(await second.stop('SIGTERM')).toBe(0);

      // ---- the rows themselves: all acknowledged users, no more than were attempted, no duplicates
      const { db, kind } = await openDatabase(store);
      try {
        if (kind === 'sqlite') {
          const { rows } = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(db);
          expect(rows).toEqual([{ integrity_check: 'ok' }]);
        }
        const rows = await db
          .selectFrom('users')
          .select(['id', 'email'])
          .where('email', 'like', '%@durability.test')
          .execute();
        const byId = new Map(rows.map((r) => [r.id, r.email]));
        for (const a of acknowledged) expect(byId.get(a.id), a.email).toBe(a.email);
        expect(new Set(rows.map((r) => r.email)).size).toBe(rows.length);
        // Every attempt plus the one made after the restart, at most.
        expect(rows.length).toBeLessThanOrEqual(attempted + 1);
        console.log(
          `durability/${kind}: ${acknowledged.length} acknowledged, ${rows.length - 1} stored of ${attempted} attempted before the kill (${inFlightAtKill} in flight)`,
        );
      } finally {
        await db.destroy();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
