/**
 * The embedded store on SQLite and on PostgreSQL: API keys and the engine lease behave alike on
 * both (the directory is covered through its tools in src/tools/directory.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, storeAvailable } from '../../../../test/helpers/stores.js';
import { silentLogger } from '../../../core/log.js';
import { createEmbeddedProvider, type EmbeddedProvider } from '../index.js';

describe.each(STORES)('the store on $kind', (store) => {
  let p: EmbeddedProvider;
  let skip = false;
  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (!skip) p = await createEmbeddedProvider({ ...(await store.open()), log: silentLogger() });
  });
  afterAll(async () => {
    await p?.close();
  });

  it('keeps API keys hashed, verifies them exactly, and forgets revoked ones', async ({ skip: s }) => {
    if (skip) s();
    expect(await p.apiKeys.hasActiveKeys()).toBe(false);
    const created = await p.apiKeys.create({ name: 'ci', mode: 'read_write', toolsets: ['directory'] });
    expect(await p.apiKeys.hasActiveKeys()).toBe(true);
    const row = await p.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    // The secret is everything after the id; its base64url alphabet includes '_'.
    const secret = created.key.slice(`vgl_${created.id}_`.length);
    expect(secret).toHaveLength(32);
    expect(row.hash).not.toContain(secret);
    expect(await p.apiKeys.verify(created.key)).toMatchObject({
      id: created.id,
      mode: 'read_write',
      toolsets: ['directory'],
    });
    const last = created.key.at(-1) === 'A' ? 'B' : 'A';
    for (const wrong of [
      `${created.key.slice(0, -1)}${last}`,
      created.key.replace(created.id, '000000000000'),
      'vgl_x',
      '',
    ]) {
      expect(await p.apiKeys.verify(wrong), wrong).toBeUndefined();
    }
    await p.apiKeys.revoke('ci');
    expect(await p.apiKeys.verify(created.key)).toBeUndefined();
    expect(await p.apiKeys.hasActiveKeys()).toBe(false);
    await expect(p.apiKeys.revoke('ci')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('hands the lease to one holder at a time and to another once it expires', async ({ skip: s }) => {
    if (skip) s();
    const t = 1_000_000;
    const a = await p.lease.acquire('engine', 'a', 100, t);
    expect(a).toEqual({ holder: 'a', acquiredAt: t, expiresAt: t + 100 });
    expect(await p.lease.acquire('engine', 'b', 100, t + 50)).toBeUndefined();
    expect(await p.lease.acquire('engine', 'a', 100, t + 60)).toEqual({
      holder: 'a',
      acquiredAt: t,
      expiresAt: t + 160,
    });
    expect(await p.lease.acquire('engine', 'b', 100, t + 160)).toEqual({
      holder: 'b',
      acquiredAt: t + 160,
      expiresAt: t + 260,
    });
    expect(await p.lease.acquire('engine', 'a', 100, t + 200)).toBeUndefined();
    await p.lease.release('engine', 'a');
    expect((await p.lease.current('engine'))?.holder).toBe('b');
    await p.lease.release('engine', 'b');
    expect(await p.lease.current('engine')).toBeUndefined();
  });

  it('reports itself through test_connection', async ({ skip: s }) => {
    if (skip) s();
    const [report] = await p.ports.meta.testConnection();
    expect(report).toMatchObject({ provider: 'embedded', connected: true, details: { store: store.kind } });
  });
});
