/**
 * Access rules of the HTTP app, in-process (openRuntime + createHttpApp, as `vigil serve`
 * assembles them) over loopback HTTP with a real SQLite store: JWT claims Vigil cannot honour are
 * refused, Pingera's ping-by-id route needs the ping token or a key once authentication is set up,
 * the legacy SSE session cap holds per credential (per address without one), and status pages
 * forbid framing unless VIGIL_STATUS_FRAME_ANCESTORS allows it.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRuntime, type Runtime } from '../../src/cli/runtime.js';
import { parseConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/log.js';
import { createHttpApp, type HttpApp } from '../../src/http/app.js';
import { Authenticator } from '../../src/server/auth.js';
import { tempDir } from '../helpers/vigil.js';

const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
const ACCEPT = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

interface Served {
  rt: Runtime;
  app: HttpApp;
  base: string;
}

/** The app on a fresh SQLite store; `before` runs on the runtime before it listens (keys, pages). */
async function serve(env: Record<string, string>, before?: (rt: Runtime) => Promise<void>): Promise<Served> {
  const config = parseConfig({ VIGIL_MODE: 'read_write', HTTP_PORT: '0', VIGIL_DATA_DIR: tempDir(), ...env });
  const rt = await openRuntime(config, silentLogger());
  await before?.(rt);
  const app = createHttpApp({
    config,
    log: rt.log,
    service: rt.service,
    auth: new Authenticator(config, rt.embedded.apiKeys),
    health: async () => ({}),
    heartbeats: rt.embedded.ports.heartbeats,
    statusPages: rt.embedded.ports.statusPages,
  });
  const base = `http://127.0.0.1:${(await app.listen()).port}`;
  return { rt, app, base };
}

async function stop(s: Served | undefined) {
  await s?.app.close();
  await s?.rt.close();
}

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
