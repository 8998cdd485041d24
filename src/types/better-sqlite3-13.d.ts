// better-sqlite3 13 installed under an alias (see store/sqlite-driver.ts); same API as 12.
declare module 'better-sqlite3-13' {
  import Database from 'better-sqlite3';
  export default Database;
}
