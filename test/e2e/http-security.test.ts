/**
 * The HTTP edge of the built `vigil serve`: authentication (API keys, JWT, REQUIRE_AUTH_HEADER)
 * answering 401 with WWW-Authenticate, Origin and Host checks (403), the body limit (413),
 * garbage JSON (a JSON-RPC parse error) — and the server serving the next good request.
 */
import { createServer, request } from 'node:http';
import { type AddressInfo, connect as netConnect } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vigil } from '../helpers/cli.js';
import { callJson, connect, toolNames } from '../helpers/clients.js';
import { ACCEPT, INIT, postMcp } from '../helpers/raw-mcp.js';
import { type RunningVigil, startVigil, tempDir } from '../helpers/vigil.js';

/** A raw request, for headers fetch will not let us set (Host). */
function rawPost(base: string, headers: Record<string, string>, body: string): Promise<number> {
  const url = new URL(`${base}/mcp`);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { ...ACCEPT, ...headers },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('with API keys', () => {
  let server: RunningVigil;
  const dataDir = tempDir();
  let rwKey = '';
  let roKey = '';
  beforeAll(async () => {
    const env = { VIGIL_DATA_DIR: dataDir };
    const rw = vigil(['keys', 'create', '--name', 'ci', '--mode', 'read_write'], env);
    expect(rw.code, rw.stderr).toBe(0);
    rwKey = rw.stdout.trim();
    roKey = vigil(['keys', 'create', '--name', 'reader', '--mode', 'read_only'], env).stdout.trim();
    server = await startVigil({ VIGIL_DATA_DIR: dataDir, VIGIL_MODE: 'read_write' });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('answers 401 with WWW-Authenticate to a missing or wrong credential', async () => {
    for (const authorization of [
      undefined,
      'Bearer vgl_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      'Bearer nonsense',
      `${rwKey}x`,
    ]) {
      const res = await postMcp(server.base, JSON.stringify(INIT), authorization ? { authorization } : {});
      expect(res.status, String(authorization)).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="vigil"/);
      expect(((await res.json()) as any).error.message).toMatch(/Authorization|API key/);
    }
    const sse = await fetch(`${server.base}/sse`);
    expect(sse.status).toBe(401);
  });

  it('accepts a key with or without "Bearer", and a read-only key cannot write on a read-write server', async () => {
    const rw = await connect('http-modern', { base: server.base, headers: { authorization: rwKey } });
    expect(await toolNames(rw)).toContain('create_check');
    expect((await callJson(rw, 'create_team', { name: 'Keyed' })).isError).toBe(false);
    await rw.close();
    const ro = await connect('sse', { base: server.base, headers: { authorization: `Bearer ${roKey}` } });
    expect(await toolNames(ro)).not.toContain('create_check');
    expect((await callJson(ro, 'create_team', { name: 'Nope' })).body.error.code).toBe('READ_ONLY');
    await ro.close();
  });

  it('stops accepting a revoked key', async () => {
    const env = { VIGIL_DATA_DIR: dataDir };
    const temp = vigil(['keys', 'create', '--name', 'temp'], env).stdout.trim();
    expect((await postMcp(server.base, JSON.stringify(INIT), { authorization: temp })).status).toBe(200);
    const revoked = vigil(['keys', 'revoke', 'temp'], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await postMcp(server.base, JSON.stringify(INIT), { authorization: temp })).status).toBe(401);
    const list = JSON.parse(vigil(['keys', 'list'], env).stdout) as { name: string; revoked_at?: string }[];
    expect(list.find((k) => k.name === 'temp')?.revoked_at).toBeTruthy();
    expect(JSON.stringify(list)).not.toContain(temp);
  });

  it('refuses a foreign Origin or Host with 403, and serves loopback ones', async () => {
    const auth = { authorization: rwKey };
    expect(
      (await postMcp(server.base, JSON.stringify(INIT), { ...auth, origin: 'https://evil.example' })).status,
    ).toBe(403);
    expect(
      (await postMcp(server.base, JSON.stringify(INIT), { ...auth, origin: 'http://localhost:3000' })).status,
    ).toBe(200);
    expect(await rawPost(server.base, { ...auth, host: 'evil.example' }, JSON.stringify(INIT))).toBe(403);
    expect(await rawPost(server.base, { ...auth, host: 'localhost' }, JSON.stringify(INIT))).toBe(200);
  });

  it('answers 413 to an oversized body, a parse error to garbage, and keeps serving', async () => {
    const auth = { authorization: rwKey };
    const big = JSON.stringify({ ...INIT, padding: 'x'.repeat(2 * 1024 * 1024) });
    expect((await postMcp(server.base, big, auth)).status).toBe(413);
    const garbage = await postMcp(server.base, '{"jsonrpc": "2.0", "id": 1, "method":', auth);
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as any).error.code).toBe(-32700);
    const notJson = await postMcp(server.base, '\u0000\u0001 not json', { ...auth, 'x-garbage': '\u00ff' });
    expect(notJson.status).toBe(400);
    const client = await connect('http-legacy', { base: server.base, headers: auth });
    expect((await callJson(client, 'get_teams', { query: 'Keyed' })).body.teams).toHaveLength(1);
    await client.close();
  });

  it('handles garbage on the legacy SSE message endpoint without dropping the session', async () => {
    const client = await connect('sse', { base: server.base, headers: { authorization: rwKey } });
    const unknown = await fetch(`${server.base}/messages?sessionId=nope`, {
      method: 'POST',
      headers: { authorization: rwKey },
      body: '{}',
    });
    expect(unknown.status).toBe(404);
    expect((await callJson(client, 'get_teams', {})).isError).toBe(false);
    await client.close();
  });

  it('acts as the user an API key is bound to', async () => {
    const env = { VIGIL_DATA_DIR: dataDir, VIGIL_MODE: 'read_write' };
    const created = JSON.parse(
      vigil(['call', 'create_user', '{"name":"Kay","email":"kay@x.io"}'], env).stdout,
    );
    const key = vigil(['keys', 'create', '--name', 'kay', '--user', 'kay@x.io'], env).stdout.trim();
    const client = await connect('http-legacy', { base: server.base, headers: { authorization: key } });
    const ctx = await callJson(client, 'build_user_context');
    expect(ctx.body.user_contexts[0]).toMatchObject({ user_id: created.users[0].id, email: 'kay@x.io' });
    await client.close();
  });

  it('reports health', async () => {
    const res = await fetch(`${server.base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', store: 'sqlite' });
  });
});

describe('with JWT (HS256)', () => {
  const secret = 's'.repeat(40);
  let server: RunningVigil;
  beforeAll(async () => {
    server = await startVigil({
      VIGIL_DATA_DIR: tempDir(),
      VIGIL_MODE: 'read_write',
      VIGIL_JWT_SECRET: secret,
      VIGIL_JWT_AUDIENCE: 'vigil',
      VIGIL_JWT_ISSUER: 'https://idp.example',
    });
  });
  afterAll(async () => {
    await server.stop();
  });
  const sign = (claims: Record<string, unknown>, key = secret, exp = '5m', aud = 'vigil') =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('ann@example.com')
      .setIssuer('https://idp.example')
      .setAudience(aud)
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(new TextEncoder().encode(key));

  it('accepts a valid token and narrows by its mode claim', async () => {
    const token = await sign({ mode: 'read_only' });
    const client = await connect('http-modern', {
      base: server.base,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await toolNames(client)).not.toContain('create_user');
    await client.close();
    expect(
      (await postMcp(server.base, JSON.stringify(INIT), { authorization: `Bearer ${await sign({})}` }))
        .status,
    ).toBe(200);
  });

  it('refuses a wrong signature, an expired token and a wrong audience with 401', async () => {
    for (const token of [
      await sign({}, 'x'.repeat(40)),
      await sign({}, secret, '-1m'),
      await sign({}, secret, '5m', 'other'),
    ]) {
      const res = await postMcp(server.base, JSON.stringify(INIT), { authorization: `Bearer ${token}` });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('invalid_token');
    }
    expect((await postMcp(server.base, JSON.stringify(INIT))).status).toBe(401);
  });
});

describe('with JWKS, issuer and audience', () => {
  let server: RunningVigil;
  let jwks: ReturnType<typeof createServer>;
  let signingKey: CryptoKey;
  let otherKey: CryptoKey;
  const dataDir = tempDir();
  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    signingKey = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
    vigil(['call', 'create_user', '{"name":"Jo","email":"jo@x.io"}'], {
      VIGIL_DATA_DIR: dataDir,
      VIGIL_MODE: 'read_write',
    });
    server = await startVigil({
      VIGIL_DATA_DIR: dataDir,
      VIGIL_JWKS_URL: url,
      VIGIL_JWT_ISSUER: 'https://idp.example',
      VIGIL_JWT_AUDIENCE: 'vigil',
    });
  });
  afterAll(async () => {
    await server.stop();
    jwks.close();
  });
  const sign = (key: CryptoKey, iss = 'https://idp.example', sub = 'jo@x.io') =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject(sub)
      .setIssuer(iss)
      .setAudience('vigil')
      .setExpirationTime('5m')
      .sign(key);

  it('accepts a token signed by a key in the JWKS and takes the user from its subject', async () => {
    const client = await connect('http-modern', {
      base: server.base,
      headers: { authorization: `Bearer ${await sign(signingKey)}` },
    });
    expect((await callJson(client, 'build_user_context')).body.user_contexts[0].email).toBe('jo@x.io');
    await client.close();
  });

  it('refuses another key or another issuer with 401', async () => {
    for (const token of [await sign(otherKey), await sign(signingKey, 'https://evil.example')]) {
      expect(
        (await postMcp(server.base, JSON.stringify(INIT), { authorization: `Bearer ${token}` })).status,
      ).toBe(401);
    }
  });
});

describe('start-up rules', () => {
  it('REQUIRE_AUTH_HEADER=true refuses requests without Authorization', async () => {
    const server = await startVigil({ VIGIL_DATA_DIR: tempDir(), REQUIRE_AUTH_HEADER: 'true' });
    try {
      const res = await postMcp(server.base, JSON.stringify(INIT));
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBeTruthy();
    } finally {
      await server.stop();
    }
  });

  it('refuses a non-loopback bind without authentication unless allowed', async () => {
    const refused = vigil(['serve'], { VIGIL_DATA_DIR: tempDir(), HTTP_HOST: '0.0.0.0', HTTP_PORT: '0' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refusing to serve on 0\.0\.0\.0.*VIGIL_ALLOW_UNAUTHENTICATED/);
    const allowed = await startVigil({
      VIGIL_DATA_DIR: tempDir(),
      HTTP_HOST: '0.0.0.0',
      VIGIL_ALLOW_UNAUTHENTICATED: 'true',
    });
    expect(await allowed.stop()).toBe(0);
  });

  it('stops on a bad setting with one line naming it, exit code 2', () => {
    const r = vigil(['serve'], { VIGIL_DATA_DIR: tempDir(), VIGIL_MODE: 'sometimes' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('VIGIL_MODE');
    expect(r.stderr).toContain('read_only or read_write');
  });

  it('finishes in-flight requests on SIGTERM and closes the store cleanly', async () => {
    const dataDir = tempDir();
    const server = await startVigil({ VIGIL_DATA_DIR: dataDir, VIGIL_MODE: 'read_write' });
    const clients = await Promise.all(
      Array.from({ length: 5 }, () => connect('http-legacy', { base: server.base })),
    );
    const calls = clients.flatMap((c, i) =>
      Array.from({ length: 10 }, (_, j) =>
        callJson(c, 'create_user', { name: `U${i}-${j}`, email: `u${i}-${j}@x.io` }).then(
          (r) => r,
          (e: Error) => e,
        ),
      ),
    );
    await new Promise((r) => setTimeout(r, 5));
    const exit = server.stop('SIGTERM');
    const results = await Promise.all(calls);
    expect(await exit).toBe(0);
    expect(server.stderr()).toContain('"msg":"stopped"');
    const done = results.filter((r) => !(r instanceof Error));
    for (const r of done) expect((r as { isError: boolean }).isError).toBe(false);
    // Whatever was acknowledged is in the store after a restart.
    const again = await startVigil({ VIGIL_DATA_DIR: dataDir });
    const client = await connect('http-modern', { base: again.base });
    for (const r of done) {
      const id = (r as { body: Record<string, any> }).body.users[0]?.id;
      expect((await callJson(client, 'get_users', { user_id: id })).isError).toBe(false);
    }
    await client.close();
    await again.stop();
  });
});

describe('signals', () => {
  it("SIGUSR1 does not open Node's inspector, and the server keeps serving", async () => {
    const server = await startVigil({ VIGIL_DATA_DIR: tempDir() });
    const inspector = () =>
      new Promise<boolean>((resolve) => {
        const socket = netConnect(9229, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
    try {
      const before = await inspector();
      server.child.kill('SIGUSR1');
      await new Promise((r) => setTimeout(r, 500));
      if (!before) expect(await inspector()).toBe(false);
      expect(server.stderr()).toContain('SIGUSR1 ignored');
      expect(server.stderr()).not.toContain('Debugger listening');
      expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
