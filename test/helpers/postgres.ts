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

/** A database URL whose connections use a new, empty schema. */
export async function freshPostgresUrl(): Promise<string> {
  const schema = `vigil_t_${randomBytes(6).toString('hex')}`;
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
