/**
 * Storage faults on real databases: SQLite full, read-only and locked, and PostgreSQL connections
 * closed by the server (idle in the pool, or in the middle of a transaction). Each fails the write
 * with the driver's own cause, never a masking "cannot rollback", and the store works again once
 * the fault is gone. The health probe says which fault it met.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Kysely, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresUrl, postgresAvailable } from '../../../../test/helpers/postgres.js';
import { tempDir } from '../../../../test/helpers/vigil.js';
import { openDatabase } from './database.js';
import { storeWritable } from './health.js';
import type { Database } from './schema.js';
import { storageFault } from './sql-errors.js';
import { loadSqlite, withStatementCache } from './sqlite-driver.js';

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected the write to fail');
    },
    (err: unknown) => err as Error & { code?: string },
  );

describe('SQLite faults', () => {
  it('a full database fails the write with SQLITE_FULL, and writes resume once there is room', async () => {
    const { db } = await openDatabase({ dataDir: tempDir() });
    try {
      const pages = (await sql<{ page_count: number }>`pragma page_count`.execute(db)).rows[0]?.page_count;
      await sql.raw(`pragma max_page_count = ${Number(pages) + 2}`).execute(db);
      const big = 'x'.repeat(64 * 1024);
      const err = await failure(
        db.transaction().execute(async (trx) => {
          for (let i = 0; i < 10; i++)
            await trx
              .insertInto('store_probe')
              .values({ name: `${big}${i}`, written_at: i })
              .execute();
        }),
      );
      // Not "cannot rollback - no transaction is active": SQLite had rolled back already.
      expect([err.code, err.message]).toEqual(['SQLITE_FULL', 'database or disk is full']);
      expect(storageFault(err)).toMatch(/^The disk holding the SQLite database is full \(SQLITE_FULL/);
      expect(await db.selectFrom('store_probe').selectAll().execute()).toEqual([]);

      await sql.raw('pragma max_page_count = 1073741823').execute(db);
      expect(await storeWritable(db, 'sqlite')).toEqual({ ok: true });
    } finally {
      await db.destroy();
    }
  });

  it('the cause reaches the caller when SQLite has already rolled the transaction back', async () => {
    const { db } = await openDatabase({ dataDir: tempDir() });
    try {
      const err = await failure(
        db.transaction().execute(async (trx) => {
          await trx.insertInto('store_probe').values({ name: 'gone', written_at: 1 }).execute();
          // What SQLite does itself on some faults (a full disk under the WAL, an I/O error).
          await sql`rollback`.execute(trx);
          throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        }),
      );
      expect(err.message).toBe('database or disk is full');
      expect(await db.selectFrom('store_probe').selectAll().execute()).toEqual([]);
      expect(await storeWritable(db, 'sqlite')).toEqual({ ok: true });
    } finally {
      await db.destroy();
    }
  });

  it('the probe names a read-only database', async () => {
    const dataDir = tempDir();
    (await openDatabase({ dataDir })).db.destroy();
    const SQLite = await loadSqlite();
    // Opened read-only as the driver does when the file may not be written (chmod does not stop
    // root, which tests may run as).
    const readOnly = new Kysely<Database>({
      dialect: new SqliteDialect({
        database: withStatementCache(new SQLite(join(dataDir, 'vigil.db'), { readonly: true })),
      }),
    });
    try {
      const health = await storeWritable(readOnly, 'sqlite');
      expect(health.ok).toBe(false);
      expect(health.ok === false && health.reason).toMatch(
        /^The SQLite database is read-only .*\(SQLITE_READONLY: attempt to write a readonly database\)\.$/,
      );
    } finally {
      await readOnly.destroy();
    }
  });

  it('a transaction takes the write lock when it begins, so the busy timeout applies to it', async () => {
    const dataDir = tempDir();
    const { db } = await openDatabase({ dataDir });
    const SQLite = await loadSqlite();
    const other = new SQLite(join(dataDir, 'vigil.db'), { timeout: 0 });
    try {
      await db.transaction().execute(async (trx) => {
        await trx.selectFrom('store_probe').selectAll().execute();
        // Only reads so far, yet the lock is held: a deferred BEGIN would have let this through.
        expect(() => other.exec('BEGIN IMMEDIATE')).toThrow(/database is locked/);
      });
      other.exec('BEGIN IMMEDIATE');
      other.exec('ROLLBACK');
    } finally {
      other.close();
      await db.destroy();
    }
  });

  it('a lock held too long fails the write with SQLITE_BUSY, and the probe recovers when it is released', async () => {
    const dataDir = tempDir();
    const { db } = await openDatabase({ dataDir });
    const SQLite = await loadSqlite();
    const other = new SQLite(join(dataDir, 'vigil.db'));
    try {
      await sql`pragma busy_timeout = 50`.execute(db);
      other.exec('BEGIN IMMEDIATE');
      const err = await failure(
        db
          .transaction()
          .execute((trx) => trx.insertInto('store_probe').values({ name: 'busy', written_at: 1 }).execute()),
      );
      expect([err.code, err.message]).toEqual(['SQLITE_BUSY', 'database is locked']);
      const health = await storeWritable(db, 'sqlite');
      expect(health.ok === false && health.reason).toMatch(
        /stayed locked .*\(SQLITE_BUSY: database is locked\)/,
      );
      other.exec('ROLLBACK');
      expect(await storeWritable(db, 'sqlite')).toEqual({ ok: true });
    } finally {
      other.close();
      await db.destroy();
    }
  });
});

describe('PostgreSQL connections closed by the server', () => {
  const app = `vigil_fault_${randomBytes(4).toString('hex')}`;
  const logged: string[] = [];
  let url = '';
  let db: Kysely<Database>;
  let admin: pg.Client;
  let skip = false;

  /** Closes every connection of the store under test, as a restart or failover would. */
  const terminate = async () =>
    (
      await admin.query<{ n: number }>(
        'select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where application_name = $1',
        [app],
      )
    ).rows[0]?.n ?? 0;

  beforeAll(async () => {
    skip = !(await postgresAvailable());
    if (skip) return;
    url = await freshPostgresUrl();
    const log = pino({ level: 'warn' }, { write: (line: string) => void logged.push(line) });
    db = (await openDatabase({ dataDir: '/nonexistent', databaseUrl: `${url}&application_name=${app}`, log }))
      .db;
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  });
  afterAll(async () => {
    await db?.destroy();
    await admin?.end();
  });

  it('idle pooled connections closed by the server are replaced, and reported', async ({ skip: s }) => {
    if (skip) s();
    for (let round = 0; round < 3; round++) {
      // Several connections in the pool, all idle, then all closed by the server.
      await Promise.all(Array.from({ length: 4 }, () => sql`select pg_sleep(0.05)`.execute(db)));
      expect(await terminate()).toBeGreaterThanOrEqual(4);
      await expect.poll(() => logged.length).toBeGreaterThanOrEqual(4 * (round + 1));
      expect(await storeWritable(db, 'postgres')).toEqual({ ok: true });
    }
    expect(logged.join('\n')).toContain('PostgreSQL connection lost; the pool opens a new one when needed');
    expect(logged.join('\n')).toContain('terminating connection due to administrator command');
  });

  it('a transaction whose connection is closed mid-query fails with the server’s reason, and nothing of it stays', async ({
    skip: s,
  }) => {
    if (skip) s();
    const running = failure(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('store_probe').values({ name: 'half-done', written_at: 1 }).execute();
        await sql`select pg_sleep(10)`.execute(trx);
      }),
    );
    await expect
      .poll(
        async () =>
          (
            await admin.query(
              "select 1 from pg_stat_activity where application_name = $1 and state = 'active' and query like '%pg_sleep(10)%'",
              [app],
            )
          ).rowCount,
      )
      .toBe(1);
    await terminate();
    const err = await running;
    // The server's reason, not the ROLLBACK that could not be sent on the closed connection.
    expect([err.code, err.message]).toEqual(['57P01', 'terminating connection due to administrator command']);
    expect(storageFault(err)).toMatch(/^The connection to PostgreSQL was lost or refused \(57P01/);
    expect(await db.selectFrom('store_probe').selectAll().where('name', '=', 'half-done').execute()).toEqual(
      [],
    );
    expect(await storeWritable(db, 'postgres')).toEqual({ ok: true });
  });

  it('the probe answers within its timeout when the write waits on a lock, then recovers', async ({
    skip: s,
  }) => {
    if (skip) s();
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table store_probe in access exclusive mode');
      const started = Date.now();
      const health = await storeWritable(db, 'postgres', 300);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(health.ok === false && health.reason).toMatch(/57014|did not complete a write within 300 ms/);
      await locker.query('rollback');
      expect(await storeWritable(db, 'postgres')).toEqual({ ok: true });
    } finally {
      await locker.end();
    }
  });
});
