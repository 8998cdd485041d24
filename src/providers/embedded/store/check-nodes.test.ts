/**
 * The nodes that run checks, as each scheduler counts them to pace its polls: a node counts until
 * its expiry or until it leaves; on SQLite, where only the engine lease holder runs checks, one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, storeAvailable } from '../../../../test/helpers/stores.js';
import { silentLogger } from '../../../core/log.js';
import { createEmbeddedProvider, type EmbeddedProvider } from '../index.js';
import { CheckRuns } from './check-runs.js';

describe.each(STORES)('the nodes running checks on $kind', (store) => {
  let p: EmbeddedProvider;
  let runs: CheckRuns;
  let skip = false;
  const postgres = store.kind === 'postgres';
  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    p = await createEmbeddedProvider({ ...(await store.open()), log: silentLogger() });
    runs = new CheckRuns(p.db, postgres);
  });
  afterAll(async () => {
    await p?.close();
  });

  it('counts each node until it expires or leaves, itself included', async ({ skip: s }) => {
    if (skip) s();
    await p.db.deleteFrom('check_nodes').execute();
    expect(await runs.checkNodes('a', 1_000, 7_000)).toBe(1);
    expect(await runs.checkNodes('b', 2_000, 8_000)).toBe(postgres ? 2 : 1);
    // Seen again: still one row each.
    expect(await runs.checkNodes('a', 3_000, 9_000)).toBe(postgres ? 2 : 1);
    // b was last seen until 8,000; a, just now, until 14,000.
    expect(await runs.checkNodes('a', 8_000, 14_000)).toBe(1);
    expect(await runs.checkNodes('b', 9_000, 15_000)).toBe(postgres ? 2 : 1);
    await runs.leaveCheckNodes('b');
    expect(await runs.checkNodes('a', 10_000, 16_000)).toBe(1);
    // Nodes not seen for the retention window are dropped with old results.
    await runs.prune(20_000);
    expect(await p.db.selectFrom('check_nodes').select('id').execute()).toEqual([]);
  });
});
