/**
 * Scheduled checks on SQLite and PostgreSQL with a controlled clock, against a real HTTP server
 * on loopback that flips to 500 and back: a retry before a failure counts, down after the
 * failure threshold, up after the recovery threshold, every change in the status history, and
 * each next run an interval after the last.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { STORES, storeAvailable } from '../../../../test/helpers/stores.js';
import type { Clock } from '../../../core/clock.js';
import { silentLogger } from '../../../core/log.js';
import { createEmbeddedProvider, type EmbeddedProvider } from '../index.js';
import { CLAIM_MS } from './scheduler.js';

describe.each(STORES)('the check scheduler on $kind', (store) => {
  let http: Server;
  let url = '';
  let failing = false;
  let hits = 0;
  /** Answers to requests for /held, waiting to be sent. */
  const held: (() => void)[] = [];
  let t = Date.parse('2026-06-01T10:00:00Z');
  const clock: Clock = { now: () => t };
  let p: EmbeddedProvider;
  let skip = false;

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    http = createServer((req, res) => {
      hits++;
      if (req.url === '/held') {
        held.push(() => res.writeHead(200).end('late'));
        return;
      }
      res.writeHead(failing ? 500 : 200).end(failing ? 'down' : 'ok');
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/health`;
    p = await createEmbeddedProvider({ ...(await store.open()), log: silentLogger(), clock });
  });
  afterAll(async () => {
    await p?.close();
    http?.close();
  });

  it('goes down after the failure threshold (each failure retried once) and up after recovery', async ({
    skip: s,
  }) => {
    if (skip) s();
    const { checks } = p.ports;
    const check = await checks.createCheck({
      name: 'API',
      type: 'web',
      url,
      interval: 60,
      failure_threshold: 2,
      recovery_threshold: 2,
    });
    expect(check.status).toBe('pending');
    const firstRun = Date.parse(check.next_run_at as string);
    expect(firstRun - t).toBeGreaterThanOrEqual(0);
    expect(firstRun - t).toBeLessThan(60_000);
    const status = async () => (await checks.getCheck(check.id))?.status;
    const tick = async (at: number) => {
      t = at;
      return p.scheduler.runDue();
    };

    expect(await tick(firstRun - 1)).toBe(0);
    expect(await tick(firstRun)).toBe(1);
    expect(await status()).toBe('ok');
    expect((await checks.getCheck(check.id))?.next_run_at).toBe(new Date(firstRun + 60_000).toISOString());

    failing = true;
    hits = 0;
    await tick(firstRun + 60_000);
    // A failing run of a healthy check is retried at once; one failed run is under the threshold.
    expect(hits).toBe(2);
    expect(await status()).toBe('ok');
    await tick(firstRun + 120_000);
    expect(await status()).toBe('failed');

    failing = false;
    await tick(firstRun + 180_000);
    expect(await status()).toBe('failed');
    await tick(firstRun + 240_000);
    expect(await status()).toBe('ok');

    const history = (await checks.statusHistory(check.id, 10, 0)).items;
    expect(history.map((h) => h.status)).toEqual(['ok', 'failed', 'ok']);
    expect(history[1]).toMatchObject({
      reason: '2 failing run(s) in a row: Status 500, expected 2xx or 3xx',
      started_at: new Date(firstRun + 120_000).toISOString(),
      ended_at: new Date(firstRun + 240_000).toISOString(),
    });
    const results = (await checks.listResults({ checkIds: [check.id], limit: 10, offset: 0 })).items;
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'failed', 'failed', 'ok']);
    expect(results[2]?.check_metadata.retried_after).toMatchObject({ status: 'failed' });

    const stats = await checks.statistics(check.id, { since: firstRun, until: firstRun + 300_000 });
    expect(stats).toMatchObject({ total: 5, by_status: { ok: 3, failed: 2 }, uptime_percentage: 60 });
  });

  it('skips a paused check and runs a resumed one within a minute', async ({ skip: s }) => {
    if (skip) s();
    const { checks } = p.ports;
    const check = await checks.createCheck({
      name: 'Paused',
      type: 'tcp',
      host: '127.0.0.1',
      port: 1,
      interval: 30,
    });
    await checks.updateCheck(check.id, { active: false });
    t += 120_000;
    hits = 0;
    const before = (await checks.listResults({ checkIds: [check.id], limit: 10, offset: 0 })).items.length;
    await p.scheduler.runDue();
    expect((await checks.listResults({ checkIds: [check.id], limit: 10, offset: 0 })).items.length).toBe(
      before,
    );
    const resumed = await checks.updateCheck(check.id, { active: true });
    expect(resumed.status).toBe('pending');
    expect(Date.parse(resumed.next_run_at as string) - t).toBeLessThan(60_000);
  });

  it('renews the claim of a run only as it nears its end, and only for as long as it runs', async ({
    skip: s,
  }) => {
    if (skip) s();
    const { checks } = p.ports;
    const check = await checks.createCheck({
      name: 'Slow',
      type: 'web',
      url: url.replace('/health', '/held'),
      interval: 60,
      timeout: 60,
    });
    t = Date.parse(check.next_run_at as string);
    const claimedUntil = async () =>
      Number(
        (
          await p.db
            .selectFrom('checks')
            .select('claimed_until')
            .where('id', '=', check.id)
            .executeTakeFirstOrThrow()
        ).claimed_until,
      );
    p.scheduler.start();
    try {
      await vi.waitFor(() => expect(held).toHaveLength(1), { timeout: 5_000 });
      const claimedAt = t;
      expect(await claimedUntil()).toBe(claimedAt + CLAIM_MS);
      // A renewal tick (every 2 s) while the claim has most of its time left writes nothing.
      t = claimedAt + 1_000;
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(await claimedUntil()).toBe(claimedAt + CLAIM_MS);
      // Near its end, the next tick renews it for a whole claim from then.
      t = claimedAt + CLAIM_MS - 1_000;
      await vi.waitFor(async () => expect(await claimedUntil()).toBe(t + CLAIM_MS), { timeout: 5_000 });
    } finally {
      for (const answer of held.splice(0)) answer();
      await p.scheduler.stop();
    }
    const results = (await checks.listResults({ checkIds: [check.id], limit: 10, offset: 0 })).items;
    expect(results.map((r) => r.status)).toEqual(['ok']);
  });
});
