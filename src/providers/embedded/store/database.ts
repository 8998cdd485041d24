/**
 * Opens the embedded store's database: SQLite (better-sqlite3, WAL, fsync on commit) under the
 * data directory by default, or PostgreSQL when a URL is given. Both run the same migrations and
 * the same Kysely queries.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { migrationProvider } from './migrations.js';
import { SchemaScopedPostgresDialect } from './pg-dialect.js';
import type { Database } from './schema.js';
import { loadSqlite, type SqliteConstructor, withStatementCache } from './sqlite-driver.js';

export type StoreKind = 'sqlite' | 'postgres';

export interface OpenedDatabase {
  db: Kysely<Database>;
  kind: StoreKind;
  /** Where the data lives, for log lines (a path, or the URL without its password). */
  location: string;
}

export async function openDatabase(opts: {
  dataDir: string;
  databaseUrl?: string | undefined;
}): Promise<OpenedDatabase> {
  const SQLite = opts.databaseUrl ? undefined : await loadSqlite();
  const opened = SQLite ? openSqlite(SQLite, opts.dataDir) : await openPostgres(opts.databaseUrl as string);
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

async function openPostgres(url: string): Promise<OpenedDatabase> {
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
  });
  const safe = url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  return {
    db: new Kysely<Database>({ dialect: new SchemaScopedPostgresDialect({ pool }) }),
    kind: 'postgres',
    location: safe,
  };
}
