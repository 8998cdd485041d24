/**
 * Migrating on a PostgreSQL server where other clients create and drop schemas at the same time:
 * Vigil looks only at its own schema, so a schema dropped elsewhere meanwhile cannot stop it
 * from starting (Kysely's own introspector lists every schema, and failed here).
 */
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freshPostgresUrl, postgresAvailable } from '../../../../test/helpers/postgres.js';
import { openDatabase } from './database.js';

describe('migrations on a busy PostgreSQL server', () => {
  it('start while other schemas come and go', async ({ skip }) => {
    if (!(await postgresAvailable())) skip();
    const admin = new pg.Client({
      connectionString: process.env.VIGIL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    });
    await admin.connect();
    let churning = true;
    const churn = (async () => {
      for (let i = 0; churning; i++) {
        const name = `vigil_churn_${process.pid}_${i}`;
        await admin.query(`create schema ${name}; create table ${name}.t (x int)`);
        await admin.query(`drop schema ${name} cascade`);
      }
    })();
    try {
      for (let i = 0; i < 4; i++) {
        const { db } = await openDatabase({ dataDir: '/nonexistent', databaseUrl: await freshPostgresUrl() });
        const found = await sql<{
          table: string | null;
        }>`select to_regclass('incidents')::text as table`.execute(db);
        expect(found.rows[0]?.table).toBe('incidents');
        await db.destroy();
      }
    } finally {
      churning = false;
      await churn;
      await admin.end();
    }
  });
});
