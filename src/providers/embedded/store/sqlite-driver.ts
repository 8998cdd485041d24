/**
 * Picks the better-sqlite3 build this Node.js can run. better-sqlite3 12 aborts the process on
 * Node 24 when a statement is garbage-collected (its ObjectWrap destructor asserts; upstream
 * WiseLibs/better-sqlite3#1515), and 13 fixes that but needs N-API 10, which Node 20 lacks. So
 * both are installed (13 under the alias `better-sqlite3-13`) and the runtime chooses.
 */
import type BetterSqlite3 from 'better-sqlite3';

export type SqliteConstructor = typeof BetterSqlite3;

let loaded: Promise<SqliteConstructor> | undefined;

export function loadSqlite(): Promise<SqliteConstructor> {
  loaded ??= (
    Number(process.versions.napi) >= 10 ? import('better-sqlite3-13') : import('better-sqlite3')
  ).then((m) => m.default);
  return loaded;
}
