/**
 * Queries compiled once per shape answer every call with that call's own values: lists of other
 * lengths, optional filters and constants in the query included.
 */
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CompiledQueries } from './compiled-queries.js';
import { loadSqlite } from './sqlite-driver.js';

interface Db {
  items: { id: string; kind: string; n: number };
}

let db: Kysely<Db>;

beforeEach(async () => {
  const SQLite = await loadSqlite();
  db = new Kysely<Db>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
  await db.schema
    .createTable('items')
    .addColumn('id', 'text')
    .addColumn('kind', 'text')
    .addColumn('n', 'integer')
    .execute();
  await db
    .insertInto('items')
    .values([
      { id: 'a', kind: 'x', n: 1 },
      { id: 'b', kind: 'x', n: 2 },
      { id: 'c', kind: 'y', n: 3 },
      { id: 'd', kind: 'x', n: 4 },
    ])
    .execute();
});

afterEach(() => db.destroy());

describe('CompiledQueries', () => {
  it('runs each call with its own values, whatever the list lengths and optional filters', async () => {
    const queries = new CompiledQueries(db);
    const ids = (p: { ids: string[]; min?: number | undefined; limit: number }) =>
      queries.rows('items', p, (d, q) => {
        let query = d.selectFrom('items').select('id').where('id', 'in', q.ids).where('kind', '=', 'x');
        if (q.min !== undefined) query = query.where('n', '>=', q.min);
        return query.orderBy('n').limit(q.limit);
      });
    const run = async (p: Parameters<typeof ids>[0]) => (await ids(p)).map((r) => r.id);
    expect(await run({ ids: ['a', 'b', 'c'], limit: 10 })).toEqual(['a', 'b']);
    expect(await run({ ids: ['b', 'c', 'd'], limit: 10 })).toEqual(['b', 'd']);
    expect(await run({ ids: ['b', 'c', 'd'], limit: 1 })).toEqual(['b']);
    expect(await run({ ids: ['d'], limit: 10 })).toEqual(['d']);
    expect(await run({ ids: ['a', 'b', 'c', 'd'], min: 2, limit: 10 })).toEqual(['b', 'd']);
    expect(await run({ ids: ['a', 'b', 'c', 'd'], min: undefined, limit: 10 })).toEqual(['a', 'b', 'd']);
  });

  it('refuses a query that compiles a value in instead of taking it as a parameter', async () => {
    const queries = new CompiledQueries(db);
    await expect(
      queries.rows('bad', { id: 'a' }, (d) => d.selectFrom('items').select('id').where('id', '=', 'a')),
    ).rejects.toThrow(/a value is not a parameter/);
  });
});
