/**
 * Secrets through a real MCP client on SQLite and PostgreSQL: stored encrypted, never listed,
 * shown only to a writer, and given to a check's requests as variables without landing in its
 * results.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, openHarness } from '../../test/helpers/harness.js';
import { STORES, storeAvailable } from '../../test/helpers/stores.js';

const TOKEN = 'sk-live-0123456789abcdef';

describe.each(STORES)('secrets on $kind', (store) => {
  let h: Harness;
  let reader: Harness;
  let http: Server;
  let base = '';
  let skip = false;

  beforeAll(async () => {
    skip = !(await storeAvailable(store.kind));
    if (skip) return;
    http = createServer((req, res) => {
      res.writeHead(req.headers.authorization === `Bearer ${TOKEN}` ? 200 : 401).end();
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    h = await openHarness({ store: await store.open(), env: { VIGIL_SECRET_KEY: 'k'.repeat(40) } });
    reader = await h.as({ mode: 'read_only' });
  });
  afterAll(async () => {
    await h?.close();
    http?.close();
  });

  it('keeps a value encrypted, out of lists, and away from readers', async ({ skip: s }) => {
    if (skip) s();
    const created = (await h.ok('create_secret', { name: 'API token', value: TOKEN })).secrets[0];
    expect(created.secret_value).toBeUndefined();
    expect((await h.ok('list_secrets')).secrets).toEqual([
      {
        id: created.id,
        secret_name: 'API token',
        created_at: created.created_at,
        updated_at: created.updated_at,
      },
    ]);
    expect((await h.ok('get_secret_details', { secret_id: created.id })).secrets[0].secret_value).toBe(TOKEN);
    const read = await reader.ok('get_secret_details', { secret_id: created.id });
    expect(read.secrets[0].secret_value).toBeUndefined();
    expect(read.metadata.note).toContain('read_write');
    const stored = await sql<{ ciphertext: string }>`select ciphertext from secrets`.execute(
      h.rt.embedded.db,
    );
    expect(stored.rows[0]?.ciphertext).not.toContain(TOKEN);
    expect(Buffer.from(stored.rows[0]?.ciphertext ?? '', 'base64url').toString('latin1')).not.toContain(
      TOKEN,
    );
    const twice = await h.call('create_secret', { name: 'API token', value: 'x' });
    expect(twice.body.error.code).toBe('CONFLICT');
  });

  it('gives a check its secret as {{NAME}} and keeps it out of the results', async ({ skip: s }) => {
    if (skip) s();
    const secret = (await h.ok('list_secrets')).secrets[0];
    const check = (
      await h.ok('create_check', {
        name: 'Private API',
        type: 'api',
        url: `${base}/me`,
        parameters: { http_request: { headers: { authorization: 'Bearer {{TOKEN}}' } } },
      })
    ).checks[0];
    const without = (await h.ok('execute_existing_check', { check_id: check.id })).jobs[0];
    expect(without.result.status).toBe('failed');
    const attached = await h.ok('add_secret_to_check', {
      check_id: check.id,
      secret_id: secret.id,
      env_var_name: 'TOKEN',
    });
    expect(attached.check_secrets).toEqual([
      { secret_id: secret.id, env_variable: 'TOKEN', secret: { secret_name: 'API token' } },
    ]);
    const withIt = (await h.ok('execute_existing_check', { check_id: check.id })).jobs[0];
    expect(withIt.result.status).toBe('ok');
    const everything = JSON.stringify([withIt, await h.ok('get_check_results', { check_id: check.id })]);
    expect(everything).not.toContain(TOKEN);
    const bad = await h.call('add_secret_to_check', {
      check_id: check.id,
      secret_id: secret.id,
      env_var_name: '1X',
    });
    expect(bad.body.error.details.parameter).toBe('env_var_name');
    await h.ok('remove_secret_from_check', { check_id: check.id, secret_id: secret.id });
    expect((await h.ok('get_check_secrets', { check_id: check.id })).check_secrets).toEqual([]);
  });
});
