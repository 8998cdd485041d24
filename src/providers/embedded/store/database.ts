/**
 * Opens the embedded store's database: SQLite (better-sqlite3, WAL, fsync on commit) under the
 * data directory by default, or PostgreSQL when a URL is given. Both run the same migrations and
 * the same Kysely queries.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  Kysely,
  Migrator,
  type PostgresCursor,
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresQueryResult,
  SqliteDialect,
  sql,
} from 'kysely';
import type { Pool, PoolClient } from 'pg';
import { VigilError } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import { migrationProvider } from './migrations.js';
import { SchemaScopedPostgresDialect } from './pg-dialect.js';
import type { Database } from './schema.js';
import { storageFault } from './sql-errors.js';
import { loadSqlite, type SqliteConstructor, withStatementCache } from './sqlite-driver.js';

export type StoreKind = 'sqlite' | 'postgres';

export interface OpenedDatabase {
  db: Kysely<Database>;
  kind: StoreKind;
  /** Where the data lives, for log lines (a path, or the URL without its password). */
  location: string;
}

export interface OpenOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  /** Where lost PostgreSQL connections are reported; without it they are survived silently. */
  log?: Logger | undefined;
}

/**
 * Opens and migrates the database. A storage fault on the way (a read-only or full data
 * directory, PostgreSQL unreachable) is reported as one sentence naming the place and the cause.
 */
export async function openDatabase(opts: OpenOptions): Promise<OpenedDatabase> {
  try {
    return await openAndMigrate(opts);
  } catch (err) {
    const fault = storageFault(err);
    if (!fault) throw err;
    const where = opts.databaseUrl ? withoutPassword(opts.databaseUrl) : join(opts.dataDir, 'vigil.db');
    throw new VigilError('INTERNAL', `Cannot open the database at ${where}: ${fault}`);
  }
}

async function openAndMigrate(opts: OpenOptions): Promise<OpenedDatabase> {
  const SQLite = opts.databaseUrl ? undefined : await loadSqlite();
  const opened = SQLite
    ? openSqlite(SQLite, opts.dataDir)
    : await openPostgres(opts.databaseUrl as string, opts.log);
  // Kysely looks for its migration tables in every schema; name ours, or a database with several
  // Vigil schemas (one per search_path) would find another schema's tables.
  const schema =
    opened.kind === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(opened.db)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db: opened.db,
    provider: migrationProvider,
    ...(schema && { migrationTableSchema: schema }),
  });
  const { error } = SQLite
    ? await withFileLock(SQLite, `${opened.location}.lock`, () => migrator.migrateToLatest())
    : await migrator.migrateToLatest();
  if (error) {
    await opened.db.destroy();
    throw error instanceof Error ? error : new Error(String(error));
  }
  return opened;
}

/**
 * Runs `fn` holding an exclusive lock on `lockFile`, so that processes starting together on one
 * SQLite file migrate one after the other (Kysely's own migration lock is a no-op on SQLite).
 */
async function withFileLock<T>(
  SQLite: SqliteConstructor,
  lockFile: string,
  fn: () => Promise<T>,
): Promise<T> {
  const lock = new SQLite(lockFile);
  try {
    lock.pragma('busy_timeout = 60000');
    lock.exec('BEGIN EXCLUSIVE');
    try {
      return await fn();
    } finally {
      lock.exec('COMMIT');
    }
  } finally {
    lock.close();
  }
}

function openSqlite(SQLite: SqliteConstructor, dataDir: string): OpenedDatabase {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'vigil.db');
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before it is acknowledged, so even a power cut loses nothing acknowledged.
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  return {
    db: new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) }),
    kind: 'sqlite',
    location: file,
  };
}

async function openPostgres(url: string, log: Logger | undefined): Promise<OpenedDatabase> {
  // Loaded only when used: most installations run on SQLite and start faster without it.
  const { default: pg } = await import('pg');
  // int8 columns (the lease's millisecond timestamps) as numbers, not strings.
  pg.types.setTypeParser(20, Number);
  // Timeouts, so that a stalled server fails calls (and lease renewals) instead of hanging them.
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 10_000,
    query_timeout: 30_000,
    // A process frozen inside a transaction (a long pause, a stopped VM) must not keep its row
    // locks: claims skip locked rows, so its checks would wait for it. Below the claims' 8 s life.
    idle_in_transaction_session_timeout: 5_000,
    // How an operator finds Vigil's sessions in pg_stat_activity; an application_name in the URL wins.
    fallback_application_name: 'vigil',
  });
  const lost = survivePoolErrors(pool, log);
  return {
    db: new Kysely<Database>({ dialect: new SchemaScopedPostgresDialect({ pool: forKysely(pool, lost) }) }),
    kind: 'postgres',
    location: withoutPassword(url),
  };
}

/** The store's own id, made by its first migration: two processes answer the same one only on the same store. */
export async function storeId(db: Kysely<Database>): Promise<string> {
  const row = await db.selectFrom('store_meta').select('value').where('name', '=', 'id').executeTakeFirst();
  return row?.value ?? '';
}

function withoutPassword(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/**
 * A connection the server closes (a restart, a failover, `pg_terminate_backend`, a network reset)
 * makes its client emit `error`, idle in the pool or checked out; unheard, that event ends the
 * process. Each client gets a listener that reports the first loss and marks the client lost;
 * the pool then drops it (pg-pool discards a client that is no longer queryable when it is
 * released or found idle) and opens a new one on demand. The query that was running fails.
 * Answers the set of lost clients.
 */
function survivePoolErrors(pool: Pool, log: Logger | undefined): WeakSet<PoolClient> {
  const lost = new WeakSet<PoolClient>();
  pool.on('connect', (client) => {
    client.on('error', (err) => {
      if (lost.has(client)) return; // a lost connection reports twice: the server's error, then the close
      lost.add(client);
      log?.warn({ err }, 'PostgreSQL connection lost; the pool opens a new one when needed');
    });
  });
  // The pool re-emits an idle client's error; the client's own listener has reported it.
  pool.on('error', () => undefined);
  return lost;
}

/**
 * The pool as Kysely uses it, with one change: ROLLBACK on a lost connection is a no-op. The
 * server ends the transaction of a closed connection itself, and Kysely's ROLLBACK would fail
 * ("Connection terminated unexpectedly") and be thrown in place of the error that says why.
 */
function forKysely(pool: Pool, lost: WeakSet<PoolClient>): PostgresPool {
  return {
    connect: async () => new LossAwareClient(await pool.connect(), lost),
    end: () => pool.end(),
  };
}

class LossAwareClient implements PostgresPoolClient {
  constructor(
    private readonly client: PoolClient,
    private readonly lost: WeakSet<PoolClient>,
  ) {}

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    sql: string | PostgresCursor<R>,
    parameters?: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    // Kysely passes a cursor only when one is configured, and none is.
    if (typeof sql !== 'string') throw new Error('cursors are not configured');
    // pg's result is Kysely's, except that pg types `command` as any string.
    const running = this.client.query(sql, parameters as unknown[]) as unknown as Promise<
      PostgresQueryResult<R>
    >;
    if (sql !== 'rollback') return running;
    return running.catch((err: unknown) => {
      if (this.lost.has(this.client)) return { command: 'SELECT', rowCount: 0, rows: [] };
      throw err;
    });
  }

  release(): void {
    this.client.release();
  }
}
