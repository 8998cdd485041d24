/**
 * One Vigil HTTP server with `VIGIL_PROVIDERS=pingera,embedded` and no key: each request's
 * Authorization (a Pingera key or a Bearer JWT) answers from that client's Pingera account (the
 * loopback fake), concurrently and without leaks, while the embedded engine serves the rest.
 * And the Pingera seed's remote setup as its README documents it, without VIGIL_PROVIDERS.
 */
import type { Client } from '@modelcontextprotocol/client';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vigil as cli } from '../helpers/cli.js';
import { callJson, connect, HTTP_TRANSPORTS, toolNames } from '../helpers/clients.js';
import { type FakePingera, startFakePingera } from '../helpers/fake-pingera.js';
import { type RunningVigil, startVigil, tempDir } from '../helpers/vigil.js';

describe('Pingera per request over HTTP', () => {
  let fake: FakePingera;
  let vigil: RunningVigil;

  beforeAll(async () => {
    fake = await startFakePingera();
    fake.addAccount('key-ann');
    fake.addAccount('Bearer jwt-bob');
    vigil = await startVigil({
      VIGIL_DATA_DIR: tempDir(),
      VIGIL_PROVIDERS: 'pingera,embedded',
      PINGERA_BASE_URL: fake.url,
      VIGIL_MODE: 'read_write',
    });
  });
  afterAll(async () => {
    await vigil?.stop();
    await fake?.close();
  });

  it.each(HTTP_TRANSPORTS)('a key and a JWT client over %s each see only their own pages', async (kind) => {
    const [ann, bob] = await Promise.all(
      ['key-ann', 'Bearer jwt-bob'].map((auth) =>
        connect(kind, { base: vigil.base, headers: { Authorization: auth } }),
      ),
    );
    try {
      const who = (i: number) =>
        i % 2 ? { client: bob as Client, name: 'Bob' } : { client: ann as Client, name: 'Ann' };
      await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          callJson(who(i).client, 'create_page', { name: `${who(i).name} ${kind} ${i}` }).then((r) =>
            expect(r.isError).toBe(false),
          ),
        ),
      );
      const lists = await Promise.all(
        Array.from({ length: 6 }, (_, i) => callJson(who(i).client, 'list_pages')),
      );
      lists.forEach((r, i) => {
        const names = r.body.pages.map((p: { name: string }) => p.name);
        expect(names.length).toBeGreaterThanOrEqual(3);
        for (const n of names) expect(n).toMatch(new RegExp(`^${who(i).name} `));
      });
    } finally {
      await Promise.all([ann?.close(), bob?.close()]);
    }
  });

  it('test_pingera_connection says which credential and base URL; a request without one gets a clear error', async () => {
    const ann = await connect('http-modern', { base: vigil.base, headers: { Authorization: 'key-ann' } });
    const none = await connect('http-modern', { base: vigil.base });
    try {
      const ok = await callJson(ann, 'test_pingera_connection');
      expect(ok.body.connections).toEqual([
        expect.objectContaining({
          provider: 'pingera',
          connected: true,
          details: expect.objectContaining({
            base_url: fake.url,
            credential: 'Authorization header',
            authentication: 'API key',
          }),
        }),
      ]);
      const denied = await callJson(none, 'list_pages');
      expect(denied.body.error).toMatchObject({
        code: 'UNAUTHORIZED',
        message: expect.stringContaining('PINGERA_API_KEY'),
      });
      expect(
        (await callJson(none, 'get_users', { current_user_context: false, team_ids: ['x'] })).isError,
      ).toBe(false);
      const wrong = await connect('http-modern', {
        base: vigil.base,
        headers: { Authorization: 'key-nobody' },
      });
      const rejected = await callJson(wrong, 'list_pages');
      expect(rejected.body.error).toMatchObject({
        code: 'UNAUTHORIZED',
        details: { provider: 'pingera', status: 401 },
      });
      await wrong.close();
    } finally {
      await Promise.all([ann.close(), none.close()]);
    }
    expect(fake.violations()).toEqual([]);
  });

  it('once Vigil keys exist, a Pingera credential reaches only what Pingera serves', async () => {
    const dataDir = tempDir();
    const made = cli(['keys', 'create', '--name', 'ops', '--mode', 'read_write'], {
      VIGIL_DATA_DIR: dataDir,
    });
    expect(made.code).toBe(0);
    const guarded = await startVigil({
      VIGIL_DATA_DIR: dataDir,
      VIGIL_PROVIDERS: 'pingera,embedded',
      PINGERA_BASE_URL: fake.url,
      VIGIL_MODE: 'read_write',
    });
    try {
      const client = await connect('http-modern', {
        base: guarded.base,
        headers: { Authorization: 'key-ann' },
      });
      const names = await toolNames(client);
      expect(names).toContain('list_pages');
      expect(names).not.toContain('get_incidents');
      expect(
        (await callJson(client, 'get_users', { current_user_context: false, team_ids: ['x'] })).body.error
          .code,
      ).toBe('FORBIDDEN');
      // It learns nothing of this server's own store or other providers.
      const conn = await callJson(client, 'test_connection');
      expect(conn.body.connections.map((c: { provider: string }) => c.provider)).toEqual(['pingera']);
      await client.close();
    } finally {
      await guarded.stop();
    }
  });

  it("a JWT signed by Vigil's key is never sent to Pingera, even when rejected; another's is the caller's Pingera JWT", async () => {
    const secret = 'vigil-jwt-secret-for-this-test-0123456789';
    const signed = (key: string, exp: string) =>
      new SignJWT({ sub: 'ann@acme.test' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt()
        .setExpirationTime(exp)
        .sign(new TextEncoder().encode(key));
    const expired = await signed(secret, '-1h');
    const foreign = await signed('someone-elses-secret-0123456789abcdef', '1h');
    fake.addAccount(`Bearer ${foreign}`);
    const guarded = await startVigil({
      VIGIL_DATA_DIR: tempDir(),
      VIGIL_PROVIDERS: 'pingera,embedded',
      PINGERA_BASE_URL: fake.url,
      VIGIL_JWT_SECRET: secret,
    });
    try {
      const refused = await fetch(`${guarded.base}/mcp`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${expired}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      expect(refused.status).toBe(401);
      expect(fake.requests.some((r) => JSON.stringify(r.headers).includes(expired))).toBe(false);
      const client = await connect('http-modern', {
        base: guarded.base,
        headers: { Authorization: `Bearer ${foreign}` },
      });
      const pages = await callJson(client, 'list_pages');
      expect(pages.isError).toBe(false);
      expect(fake.requests.at(-1)?.headers.authorization).toBe(`Bearer ${foreign}`);
      await client.close();
    } finally {
      await guarded.stop();
    }
  });

  it("the Pingera seed's remote setup answers two clients from two accounts", async () => {
    // Exactly the seed's settings (TRANSPORT_MODE=sse, HTTP_HOST=0.0.0.0, REQUIRE_AUTH_HEADER=true,
    // `vigil` with no command as `python -m pingera_mcp`), the base URL at the fake, a free port,
    // and a home of its own for the default data directory.
    fake.addAccount('seed-key-ann', {
      pages: [{ name: 'Ann status' }],
      checks: [{ name: 'Ann site', type: 'web', url: 'https://ann.example' }],
    });
    fake.addAccount('seed-key-bob', { pages: [{ name: 'Bob status' }, { name: 'Bob docs' }] });
    const home = tempDir('vigil-home-');
    const seed = await startVigil(
      {
        TRANSPORT_MODE: 'sse',
        HTTP_HOST: '0.0.0.0',
        REQUIRE_AUTH_HEADER: 'true',
        PINGERA_BASE_URL: fake.url,
        HOME: home,
      },
      [],
    );
    try {
      expect(seed.base).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
      const [ann, bob] = await Promise.all(
        ['seed-key-ann', 'seed-key-bob'].map((key) =>
          connect('sse', { base: seed.base, headers: { Authorization: key } }),
        ),
      );
      try {
        const pages = async (client: Client) =>
          (await callJson(client, 'list_pages')).body.pages.map((p: { name: string }) => p.name).sort();
        expect(await pages(ann as Client)).toEqual(['Ann status']);
        expect(await pages(bob as Client)).toEqual(['Bob docs', 'Bob status']);
        const checks = await callJson(ann as Client, 'list_checks');
        expect(checks.body.checks.map((c: { name: string }) => c.name)).toEqual(['Ann site']);
        expect((await callJson(bob as Client, 'list_checks')).body.checks).toEqual([]);
        // Pingera's tools only: the server's own engine is not theirs to see.
        const names = await toolNames(ann as Client);
        expect(names).toContain('list_pages');
        expect(names).not.toContain('get_incidents');
        const conn = await callJson(bob as Client, 'test_pingera_connection');
        expect(conn.body.connections[0]).toMatchObject({
          provider: 'pingera',
          connected: true,
          details: { credential: 'Authorization header' },
        });
      } finally {
        await Promise.all([ann?.close(), bob?.close()]);
      }
      // A Vigil API key on the same server keeps the embedded engine for everything.
      const made = cli(['keys', 'create', '--name', 'ops'], { HOME: home });
      expect(made.code, made.stderr).toBe(0);
      const ops = await connect('sse', { base: seed.base, headers: { Authorization: made.stdout.trim() } });
      expect((await callJson(ops, 'get_incidents')).isError).toBe(false);
      const own = await callJson(ops, 'list_pages');
      expect(own.isError, JSON.stringify(own.body)).toBe(false);
      expect(own.body.pages).toEqual([]);
      await ops.close();
      // A request without a credential is refused, as REQUIRE_AUTH_HEADER says.
      const bare = await fetch(`${seed.base}/sse`);
      expect(bare.status).toBe(401);
      await bare.body?.cancel();
    } finally {
      await seed.stop();
    }
    expect(fake.violations()).toEqual([]);
  });
});
