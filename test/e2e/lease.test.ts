/**
 * The engine lease across processes: at most one holder at any moment.
 *
 * For each store, three Node processes (test/fixtures/lease-worker.mjs, over the built store) on
 * one database take and renew the lease `engine` with a short TTL, renew late now and then, and
 * step aside at random so the others take over. Each records every successful acquire as the
 * interval [time passed as nowMs, expiresAt). The safety property checked here holds whatever
 * the timing: two records of different holders never overlap. Only "the lease changed hands"
 * depends on timing, and a step-aside lasts two TTLs while contenders poll every tenth of one.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/providers/embedded/store/database.js';
import { STORES, storeAvailable } from '../helpers/stores.js';

const WORKER = fileURLToPath(new URL('../fixtures/lease-worker.mjs', import.meta.url));
const WORKERS = 3;
const TTL_MS = 100;
const DURATION_MS = 2_500;
/** The contention runs for DURATION_MS; the rest is process start-up, slow on a loaded machine. */
const TEST_TIMEOUT_MS = 60_000;

const available = { sqlite: true, postgres: await storeAvailable('postgres') };

interface LeaseRecord {
  holder: string;
  /** The wall-clock time of the acquire, passed as nowMs. */
  at: number;
  acquiredAt: number;
  expiresAt: number;
}

interface WorkerReport {
  holder: string;
  records: LeaseRecord[];
  errors: string[];
}

/** A contender process: resolves `ready` once its database is open, `report` when it is done. */
function startWorker(config: Record<string, unknown>): {
  child: ChildProcess;
  ready: Promise<void>;
  report: Promise<WorkerReport>;
} {
  const child = spawn(process.execPath, [WORKER, JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const failed = (code: number | null) => new Error(`lease worker exited with ${code}:\n${err}${out}`);
  const ready = new Promise<void>((resolve, reject) => {
    const onData = () => {
      if (out.startsWith('ready\n')) {
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    void exited.then((code) => reject(failed(code)));
  });
  const report = exited.then((code) => {
    if (code !== 0) throw failed(code);
    return JSON.parse(out.slice('ready\n'.length)) as WorkerReport;
  });
  // Keep an early failure from surfacing as an unhandled rejection before it is awaited.
  report.catch(() => undefined);
  return { child, ready, report };
}

/** Pairs of records from different holders whose held intervals overlap. */
function overlaps(records: LeaseRecord[]): [LeaseRecord, LeaseRecord][] {
  const found: [LeaseRecord, LeaseRecord][] = [];
  for (const [i, a] of records.entries()) {
    for (const b of records.slice(i + 1)) {
      if (a.holder !== b.holder && a.at < b.expiresAt && b.at < a.expiresAt) found.push([a, b]);
    }
  }
  return found;
}

describe.each(STORES)('engine lease on $kind', (target) => {
  it.skipIf(!available[target.kind])(
    'never has two holders at once across processes, and changes hands',
    async () => {
      const store = await target.open();
      // Migrate once here, so the workers only open the database.
      await (await openDatabase(store)).db.destroy();

      const workers = Array.from({ length: WORKERS }, (_, i) =>
        startWorker({ ...store, holder: `worker-${i}`, ttlMs: TTL_MS, durationMs: DURATION_MS }),
      );
      try {
        await Promise.all(workers.map((w) => w.ready));
        for (const w of workers) w.child.stdin?.end('go\n');
        const reports = await Promise.all(workers.map((w) => w.report));

        expect(reports.flatMap((r) => r.errors)).toEqual([]);
        const records = reports.flatMap((r) => r.records).sort((a, b) => a.at - b.at);
        for (const r of records) {
          expect(r.expiresAt).toBe(r.at + TTL_MS);
          expect(r.acquiredAt).toBeLessThanOrEqual(r.at);
        }

        // Safety: whatever the timing, no two holders' intervals overlap (the first few shown).
        expect(overlaps(records).slice(0, 3)).toEqual([]);

        // Liveness: the lease really changed hands.
        const handovers = records.filter((r, i) => i > 0 && r.holder !== records[i - 1]!.holder).length;
        const holders = new Set(records.map((r) => r.holder));
        console.log(
          `lease/${target.kind}: ${records.length} acquires, ${handovers} handovers among ${holders.size} holders`,
        );
        expect(holders.size).toBeGreaterThanOrEqual(2);
        expect(handovers).toBeGreaterThanOrEqual(2);
      } finally {
        for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
      }
    },
    TEST_TIMEOUT_MS,
  );
});
