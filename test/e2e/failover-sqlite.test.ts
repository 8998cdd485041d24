/**
 * Two `vigil serve` processes on one SQLite file: one runs the engine, the other serves MCP. When
 * the working one is killed with SIGKILL, the other takes over within seconds and checks run
 * again; nothing is run by both.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/providers/embedded/store/database.js';
import type { Database } from '../../src/providers/embedded/store/schema.js';
import { until } from '../helpers/until.js';
import { type RunningVigil, startVigil, tempDir } from '../helpers/vigil.js';

const RUNS_ENGINE = 'this process now runs the engine';

describe('failover on SQLite', () => {
  const dataDir = tempDir();
  const running: RunningVigil[] = [];
  let target: Server;
  let db: Kysely<Database> | undefined;
  afterAll(async () => {
    await Promise.all(running.map((v) => v.stop('SIGKILL')));
    target?.close();
    await db?.destroy();
  });

  it('moves the engine to the other process within 10 s of kill -9', async () => {
    /** Runs the target saw, from whichever process. */
    let hits = 0;
    target = createServer((_req, res) => {
      hits++;
      res.writeHead(200).end('ok');
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/`;
    const env = { VIGIL_DATA_DIR: dataDir, VIGIL_MODE: 'read_write' };
    const a = await startVigil(env);
    running.push(a);
    await until('the first process to run the engine', 10_000, async () =>
      a.stderr().includes(RUNS_ENGINE) ? true : undefined,
    );
    const b = await startVigil(env);
    running.push(b);

    const client = new Client({ name: 'failover', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${b.base}/mcp`)));
    const created = await client.callTool({
      name: 'create_check',
      arguments: { name: 'Site', type: 'web', url, interval: 30 },
    });
    const checkId = (created.structuredContent as { checks: { id: string }[] }).checks[0]?.id as string;
    ({ db } = await openDatabase({ dataDir }));
    const store = db;
    const results = async () =>
      Number(
        (
          await store
            .selectFrom('check_results')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('check_id', '=', checkId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    await store.updateTable('checks').set({ next_run_at: Date.now() }).where('id', '=', checkId).execute();
    await until('the first run', 10_000, async () => ((await results()) === 1 ? true : undefined));
    expect(b.stderr()).not.toContain(RUNS_ENGINE);

    await a.stop('SIGKILL');
    const killedAt = Date.now();
    await store.updateTable('checks').set({ next_run_at: Date.now() }).where('id', '=', checkId).execute();
    await until('a run by the other process', 15_000, async () =>
      (await results()) === 2 ? true : undefined,
    );
    const failover = Date.now() - killedAt;
    expect(b.stderr()).toContain(RUNS_ENGINE);
    expect(failover).toBeLessThan(10_000);
    // One run per due time: never two processes at once.
    expect(hits).toBe(2);
    await client.close();
  }, 60_000);
});
