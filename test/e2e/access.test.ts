/**
 * Access rules of the HTTP app, in-process (the app as `vigil serve` builds it) over loopback HTTP
 * with a real SQLite store: JWT claims Vigil cannot honour are refused, Pingera's ping-by-id route needs the ping token or a key once authentication is set up,
 * the legacy SSE session cap holds per credential (per address without one), and status pages
 * forbid framing unless VIGIL_STATUS_FRAME_ANCESTORS allows it.
 */
import { type ClientRequest, request } from 'node:http';
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/cli/runtime.js';
import { ConfigError, parseConfig } from '../../src/core/config.js';
import { type InProcess, serveInProcess } from '../helpers/in-process.js';
import { ACCEPT, INIT } from '../helpers/raw-mcp.js';

type Served = InProcess;

/** The app on a fresh SQLite store; `before` runs on the runtime before it listens (keys, pages). */
const serve = (env: Record<string, string>, before?: (rt: Runtime) => Promise<void>) =>
  serveInProcess(env, before ? { before } : {});

const stop = async (s: Served | undefined) => s?.close();

describe('JWT claims', () => {
  const secret = 's'.repeat(40);
  let s: Served;
  beforeAll(async () => {
    s = await serve({ VIGIL_JWT_SECRET: secret });
  });
  afterAll(() => stop(s));

  const sign = (claims: Record<string, unknown>, exp: string | null = '5m') => {
    const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('ann@example.com');
    jwt.setIssuedAt();
    if (exp) jwt.setExpirationTime(exp);
    return jwt.sign(new TextEncoder().encode(secret));
  };
  const init = async (token: string) => {
    const res = await fetch(`${s.base}/mcp`, {
      method: 'POST',
      headers: { ...ACCEPT, authorization: `Bearer ${token}` },
      body: JSON.stringify(INIT),
    });
    const text = await res.text();
    // A refusal is JSON; an accepted initialize answers on an event stream.
    const message = res.ok ? '' : ((JSON.parse(text) as { error: { message: string } }).error.message ?? '');
    return { status: res.status, message, challenge: res.headers.get('www-authenticate') };
  };

  it('refuses a token without exp, naming the claim', async () => {
    const r = await init(await sign({}, null));
    expect(r.status).toBe(401);
    expect(r.message).toMatch(/`exp`/);
    expect(r.challenge).toContain('invalid_token');
    expect((await init(await sign({}))).status).toBe(200);
  });

  it('refuses a mode claim it does not know, naming it', async () => {
    for (const mode of ['admin', 'READ_WRITE', 5, true]) {
      const r = await init(await sign({ mode }));
      expect(r.status, String(mode)).toBe(401);
      expect(r.message).toContain('`mode`');
      expect(r.message).toContain(JSON.stringify(mode));
    }
    expect((await init(await sign({ mode: 'read_only' }))).status).toBe(200);
  });

  it('refuses a toolsets claim naming a toolset it does not know, or of the wrong type', async () => {
    const bad = await init(await sign({ toolsets: ['checks', 'nuclear_codes'] }));
    expect(bad.status).toBe(401);
    expect(bad.message).toContain('nuclear_codes');
    expect(bad.message).toContain('`toolsets`');
    const csv = await init(await sign({ toolsets: 'checks, everything' }));
    expect([csv.status, csv.message.includes('everything')]).toEqual([401, true]);
    for (const toolsets of [7, { checks: true }, ['checks', 3]]) {
      expect((await init(await sign({ toolsets }))).status, JSON.stringify(toolsets)).toBe(401);
    }
    expect((await init(await sign({ toolsets: ['checks', 'heartbeats'] }))).status).toBe(200);
    expect((await init(await sign({ toolsets: 'checks,heartbeats' }))).status).toBe(200);
  });
});

describe("Pingera's ping route by heartbeat id", () => {
  let s: Served;
  let id = '';
  let token = '';
  const keys: Record<'rw' | 'ro' | 'checks', string> = { rw: '', ro: '', checks: '' };
  beforeAll(async () => {
    s = await serve({}, async (rt) => {
      keys.rw = (await rt.embedded.apiKeys.create({ name: 'cron', mode: 'read_write' })).key;
      keys.ro = (await rt.embedded.apiKeys.create({ name: 'reader', mode: 'read_only' })).key;
      keys.checks = (
        await rt.embedded.apiKeys.create({ name: 'checks', mode: 'read_write', toolsets: ['checks'] })
      ).key;
      const hb = await rt.embedded.ports.heartbeats.createHeartbeat({ name: 'Backup', period_seconds: 3600 });
      id = hb.id;
      token = /\/ping\/([A-Za-z0-9_-]+)$/.exec(hb.ping_url)?.[1] as string;
    });
  });
  afterAll(() => stop(s));

  const pings = async () =>
    (await s.rt.embedded.ports.heartbeats.listPings(id, { limit: 1000, offset: 0 })).items.length;
  const ping = async (query = '', headers: Record<string, string> = {}) => {
    const res = await fetch(`${s.base}/v1/heartbeats/${id}/ping${query}`, {
      method: 'POST',
      headers,
      body: '{}',
    });
    return {
      status: res.status,
      body: (await res.json()) as any,
      challenge: res.headers.get('www-authenticate'),
    };
  };

  it('refuses an anonymous ping by id once a key exists, recording nothing', async () => {
    const before = await pings();
    const r = await ping();
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('UNAUTHORIZED');
    expect(r.body.error.message).toContain('token');
    expect(r.challenge).toMatch(/^Bearer realm="vigil"/);
    expect((await ping('?token=wrong-token')).status).toBe(401);
    expect(
      (await ping('', { authorization: 'Bearer vgl_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).status,
    ).toBe(401);
    // An unknown id answers as a known one does: ids cannot be probed without a credential.
    expect((await fetch(`${s.base}/v1/heartbeats/PNOPE/ping`)).status).toBe(401);
    expect(await pings()).toBe(before);
  });

  it('takes the heartbeat’s ping token, or a key allowed to write heartbeats', async () => {
    const before = await pings();
    expect((await ping(`?token=${token}`)).body).toMatchObject({ check_id: id, message: 'Ping received' });
    expect((await ping('', { authorization: `Bearer ${keys.rw}` })).status).toBe(200);
    const ro = await ping('', { authorization: keys.ro });
    expect([ro.status, ro.body.error.message]).toEqual([403, expect.stringContaining('read-only')]);
    const checks = await ping('', { authorization: keys.checks });
    expect([checks.status, checks.body.error.message]).toEqual([403, expect.stringContaining('heartbeats')]);
    expect(await pings()).toBe(before + 2);
    // The token of one heartbeat does not ping another, and /ping/<token> is unchanged.
    const other = await s.rt.embedded.ports.heartbeats.createHeartbeat({
      name: 'Other',
      period_seconds: 3600,
    });
    const res = await fetch(`${s.base}/v1/heartbeats/${other.id}/ping?token=${token}`);
    expect(res.status).toBe(401);
    expect((await fetch(`${s.base}/ping/${token}`)).status).toBe(200);
  });

  it('still takes anonymous pings by id where no credential is configured', async () => {
    let hb = '';
    const open = await serve({}, async (rt) => {
      hb = (await rt.embedded.ports.heartbeats.createHeartbeat({ name: 'Open', period_seconds: 3600 })).id;
    });
    try {
      expect((await fetch(`${open.base}/v1/heartbeats/${hb}/ping`)).status).toBe(200);
    } finally {
      await stop(open);
    }
  });

  it('requires the token under REQUIRE_AUTH_HEADER or a JWT setting too', async () => {
    const settings: Record<string, string>[] = [
      { REQUIRE_AUTH_HEADER: 'true' },
      { VIGIL_JWT_SECRET: 'j'.repeat(40) },
    ];
    for (const env of settings) {
      let hb = '';
      let pingUrl = '';
      const guarded = await serve(env, async (rt) => {
        const created = await rt.embedded.ports.heartbeats.createHeartbeat({
          name: 'G',
          period_seconds: 3600,
        });
        hb = created.id;
        pingUrl = created.ping_url;
      });
      try {
        expect((await fetch(`${guarded.base}/v1/heartbeats/${hb}/ping`)).status, JSON.stringify(env)).toBe(
          401,
        );
        const t = pingUrl.split('/').pop() as string;
        expect((await fetch(`${guarded.base}/v1/heartbeats/${hb}/ping?token=${t}`)).status).toBe(200);
      } finally {
        await stop(guarded);
      }
    }
  });
});

/** Opens a legacy SSE stream; answers its status, and the request to end it. */
function openSse(
  base: string,
  headers: Record<string, string> = {},
  localAddress?: string,
): Promise<{ status: number; req: ClientRequest }> {
  const url = new URL(`${base}/sse`);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        headers,
        ...(localAddress && { localAddress }),
      },
      (res) => {
        if (res.statusCode !== 200) res.resume();
        resolve({ status: res.statusCode ?? 0, req });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the legacy SSE session cap', () => {
  const streams: ClientRequest[] = [];
  const open = async (base: string, headers: Record<string, string> = {}, localAddress?: string) => {
    const r = await openSse(base, headers, localAddress);
    streams.push(r.req);
    return r.status;
  };
  afterEach(() => {
    for (const req of streams.splice(0)) req.destroy();
  });

  it('holds per credential: one key cannot take every slot', async () => {
    const keys: string[] = [];
    const s = await serve({ VIGIL_MAX_SESSIONS: '4', VIGIL_MAX_SESSIONS_PER_CLIENT: '2' }, async (rt) => {
      for (const name of ['a', 'b', 'c'])
        keys.push((await rt.embedded.apiKeys.create({ name, mode: 'read_only' })).key);
    });
    try {
      const [a, b, c] = keys.map((k) => ({ authorization: k })) as unknown as Record<string, string>[];
      expect([await open(s.base, a), await open(s.base, a), await open(s.base, a)]).toEqual([200, 200, 429]);
      expect([await open(s.base, b), await open(s.base, b)]).toEqual([200, 200]);
      // The server-wide cap still holds.
      expect(await open(s.base, c)).toBe(503);
    } finally {
      for (const req of streams.splice(0)) req.destroy();
      await stop(s);
    }
  });

  it('holds per address for anonymous clients', async () => {
    const s = await serve({ VIGIL_MAX_SESSIONS: '4', VIGIL_MAX_SESSIONS_PER_CLIENT: '2' });
    try {
      const here = [await open(s.base), await open(s.base), await open(s.base)];
      expect(here).toEqual([200, 200, 429]);
      // Another address, even with a credential the server does not know, is another client.
      expect(await open(s.base, {}, '127.0.0.2')).toBe(200);
      expect(await open(s.base, { authorization: 'whatever' })).toBe(429);
    } finally {
      for (const req of streams.splice(0)) req.destroy();
      await stop(s);
    }
  });
});

describe('status pages and framing', () => {
  const page = async (env: Record<string, string>) => {
    const s = await serve(env, async (rt) => {
      await rt.embedded.ports.statusPages.createPage({ name: 'Acme', subdomain: 'acme' });
    });
    try {
      const headers = async (path: string) => {
        const res = await fetch(`${s.base}${path}`);
        await res.arrayBuffer();
        return { csp: res.headers.get('content-security-policy'), xfo: res.headers.get('x-frame-options') };
      };
      return { page: await headers('/status/acme'), missing: await headers('/status/nope') };
    } finally {
      await stop(s);
    }
  };

  it("forbids framing by default: frame-ancestors 'none' and X-Frame-Options DENY", async () => {
    const got = await page({});
    for (const h of [got.page, got.missing]) {
      expect(h.csp).toContain("frame-ancestors 'none'");
      expect(h.xfo).toBe('DENY');
    }
  });

  it('allows the origins VIGIL_STATUS_FRAME_ANCESTORS names', async () => {
    const self = await page({ VIGIL_STATUS_FRAME_ANCESTORS: "'self'" });
    expect(self.page.csp).toContain("frame-ancestors 'self'");
    expect(self.page.xfo).toBe('SAMEORIGIN');
    const listed = await page({
      VIGIL_STATUS_FRAME_ANCESTORS: 'self, https://intranet.example.com https://*.example.org',
    });
    expect(listed.page.csp).toContain(
      "frame-ancestors 'self' https://intranet.example.com https://*.example.org",
    );
    // X-Frame-Options cannot name origins: browsers that read frame-ancestors follow it instead.
    expect(listed.page.xfo).toBeNull();
  });

  it('refuses a VIGIL_STATUS_FRAME_ANCESTORS that is not a list of sources', () => {
    for (const value of ["'self'; script-src *", "'none' https://a.example", 'https://a.example,"x"']) {
      expect(() => parseConfig({ VIGIL_STATUS_FRAME_ANCESTORS: value }), value).toThrow(ConfigError);
    }
  });
});
