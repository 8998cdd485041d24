/**
 * PostgreSQL for tests: each caller gets a fresh schema on the server at 127.0.0.1:5432
 * (database `test`), reached through `search_path`. With CI=true a missing server fails the
 * run; elsewhere the PostgreSQL half of a suite is skipped.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const ADMIN_URL = process.env.VIGIL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let available: Promise<boolean> | undefined;

export function postgresAvailable(): Promise<boolean> {
  available ??= (async () => {
    const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch (err) {
      if (process.env.CI === 'true')
        throw new Error(
          `PostgreSQL is required in CI but unreachable at ${ADMIN_URL}: ${(err as Error).message}`,
        );
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return available;
}

/** The schemas of this test run (test/global-setup.ts sets the id). */
const runPrefix = () => `vigil_t_${process.env.VIGIL_TEST_RUN ?? 'adhoc'}_`;

/** A database URL whose connections use a new, empty schema, dropped when the test run ends. */
export async function freshPostgresUrl(): Promise<string> {
  const schema = `${runPrefix()}${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(`create schema ${schema}`);
  } finally {
    await client.end();
  }
  // encodeURIComponent, not URLSearchParams: the driver does not read '+' as a space.
  return `${ADMIN_URL}${ADMIN_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

/** Drops every schema this test run created; a server that is not there has none. */
export async function dropRunSchemas(): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch {
    return;
  }
  try {
    // A schema some leftover connection still locks is left for a later run rather than waited on.
    await client.query("set lock_timeout = '5s'");
    const { rows } = await client.query<{ name: string }>(
      "select schema_name as name from information_schema.schemata where schema_name like $1 escape '!'",
      [`${runPrefix().replaceAll('_', '!_')}%`],
    );
    for (const { name } of rows) await client.query(`drop schema "${name}" cascade`).catch(() => undefined);
  } finally {
    await client.end().catch(() => undefined);
  }
}
