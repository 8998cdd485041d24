/**
 * Picks the better-sqlite3 build this Node.js can run. better-sqlite3 12 aborts the process on
 * Node 24 when a statement is garbage-collected (its ObjectWrap destructor asserts; upstream
 * WiseLibs/better-sqlite3#1515), and 13 fixes that but needs N-API 10, which Node 20 lacks. So
 * both are installed (13 under the alias `better-sqlite3-13`) and the runtime chooses.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

export type SqliteConstructor = typeof BetterSqlite3;

let loaded: Promise<SqliteConstructor> | undefined;

export function loadSqlite(): Promise<SqliteConstructor> {
  loaded ??= (
    Number(process.versions.napi) >= 10 ? import('better-sqlite3-13') : import('better-sqlite3')
  ).then((m) => m.default);
  return loaded;
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * ROLLBACK where SQLite has already rolled back. On some errors (SQLITE_FULL, SQLITE_IOERR,
 * SQLITE_NOMEM, a failed COMMIT) SQLite ends the transaction itself; Kysely then sends ROLLBACK,
 * which would fail with "cannot rollback - no transaction is active" and be thrown in place of
 * the error that caused it. Doing nothing is right: there is nothing left to undo.
 */
const ALREADY_ROLLED_BACK: SqliteStatement = {
  reader: false,
  all: () => [],
  run: () => ({ changes: 0, lastInsertRowid: 0 }),
  iterate: () => [][Symbol.iterator](),
};

/**
 * The database with its prepared statements kept and reused (least recently used dropped past
 * a bound): Kysely prepares every query anew, and preparing is about a third of a small query's
 * cost. Safe because Kysely runs one query at a time on the connection and never streams here.
 */
export function withStatementCache(db: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    prepare(text) {
      // Kysely prepares and runs each query at once, so the state seen here is the state it runs in.
      if (text === 'rollback' && !db.inTransaction) return ALREADY_ROLLED_BACK;
      // Transactions take the write lock when they begin, where the busy timeout waits for it; a
      // deferred one that reads first fails at once (SQLITE_BUSY) when another writer got there.
      const sql = text === 'begin' ? 'begin immediate' : text;
      let statement = cache.get(sql);
      if (statement) {
        cache.delete(sql);
      } else {
        statement = db.prepare(sql);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      }
      cache.set(sql, statement);
      return statement;
    },
    close() {
      cache.clear();
      db.close();
    },
  };
}
