import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnauthorizedError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import { PagerDutyOAuth, type PagerDutyOAuthOptions } from './oauth.js';
import { FileTokenStore, type StoredTokens, type TokenStore } from './token-store.js';

/** What the fake identity server's authorize endpoint does with the browser. */
type AuthorizeMode = 'approve' | 'wrong-state' | 'deny' | 'no-code' | 'ignore';

/** A loopback stand-in for identity.pagerduty.com that checks PKCE as PagerDuty does. */
class FakeIdentity {
  server!: Server;
  url = '';
  mode: AuthorizeMode = 'approve';
  authorizeRequests: URLSearchParams[] = [];
  tokenRequests: URLSearchParams[] = [];
  /** Statuses for successive refresh requests; 200 when the list runs out. */
  refreshStatuses: number[] = [];
  exchangeStatus = 200;
  expiresIn: number | undefined = 3600;
  issueRefreshToken = true;
  private readonly challenges = new Map<string, { challenge: string; redirectUri: string }>();
  private issued = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://fake');
      if (req.method === 'GET' && url.pathname === '/oauth/authorize') {
        this.authorizeRequests.push(url.searchParams);
        const redirect = new URL(url.searchParams.get('redirect_uri') ?? '');
        const state = url.searchParams.get('state') ?? '';
        if (this.mode === 'ignore') {
          res.writeHead(200).end('waiting for the user');
          return;
        }
        if (this.mode === 'approve' || this.mode === 'wrong-state') {
          const code = `code-${randomBytes(4).toString('hex')}`;
          this.challenges.set(code, {
            challenge: url.searchParams.get('code_challenge') ?? '',
            redirectUri: redirect.toString(),
          });
          redirect.searchParams.set('code', code);
        }
        if (this.mode === 'deny') {
          redirect.searchParams.set('error', 'access_denied');
          redirect.searchParams.set('error_description', '<script>alert(1)</script> said no');
        }
        redirect.searchParams.set('state', this.mode === 'wrong-state' ? 'forged' : state);
        res.writeHead(302, { location: redirect.toString() }).end();
        return;
      }
      if (req.method === 'POST' && url.pathname === '/oauth/token') {
        let body = '';
        req.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        req.on('end', () => {
          const form = new URLSearchParams(body);
          this.tokenRequests.push(form);
          const [status, answer] = this.token(form);
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
        });
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private token(form: URLSearchParams): [number, unknown] {
    if (form.get('grant_type') === 'authorization_code') {
      if (this.exchangeStatus !== 200) return [this.exchangeStatus, { error: 'invalid_client' }];
      const issued = this.challenges.get(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (!issued || issued.challenge !== challenge || issued.redirectUri !== form.get('redirect_uri')) {
        return [400, { error: 'invalid_grant' }];
      }
      this.challenges.delete(form.get('code') ?? '');
      return [200, this.tokens()];
    }
    if (form.get('grant_type') === 'refresh_token') {
      const status = this.refreshStatuses.shift() ?? 200;
      if (status !== 200) return [status, { error: status < 500 ? 'invalid_grant' : 'unavailable' }];
      return [200, this.tokens()];
    }
    return [400, { error: 'unsupported_grant_type' }];
  }

  private tokens(): Record<string, unknown> {
    this.issued += 1;
    return {
      access_token: `pdus+_access-${this.issued}`,
      token_type: 'bearer',
      ...(this.expiresIn === undefined ? {} : { expires_in: this.expiresIn }),
      ...(this.issueRefreshToken ? { refresh_token: `refresh-${this.issued}` } : {}),
    };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

class MemoryStore implements TokenStore {
  constructor(public tokens?: StoredTokens) {}
  saves = 0;
  clears = 0;
  async load() {
    return this.tokens ? { ...this.tokens } : undefined;
  }
  async save(tokens: StoredTokens) {
    this.saves += 1;
    this.tokens = { ...tokens };
  }
  async clear() {
    this.clears += 1;
    this.tokens = undefined;
  }
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Resolves when the port can be bound again, i.e. the callback server has closed. */
async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

interface BrowserVisit {
  status: number;
  url: string;
  html: string;
}

let identity: FakeIdentity;
let port: number;
let visits: BrowserVisit[];
/** Page loads under way; a test awaits them before looking at what the browser saw. */
let browsing: Promise<void>[];
let now: number;
let sleeps: number[];

/** Behaves like a browser: loads the authorize URL and follows the redirect to the callback. */
function browser(url: string): Promise<void> {
  const load = (async () => {
    const response = await fetch(url);
    visits.push({ status: response.status, url: response.url, html: await response.text() });
  })();
  browsing.push(load);
  return load;
}

/** accessToken(), its token or its error, once the browser has finished loading. */
async function attempt(client: PagerDutyOAuth): Promise<string | Error> {
  const outcome = await client.accessToken().catch((e: unknown) => e as Error);
  await Promise.allSettled(browsing);
  return outcome;
}

function oauth(overrides: Partial<PagerDutyOAuthOptions> = {}): PagerDutyOAuth {
  return new PagerDutyOAuth({
    clientId: 'client-1',
    clientSecret: 'secret-1',
    callbackPort: port,
    dataDir: '/nonexistent',
    log: silentLogger(),
    identityUrl: identity.url,
    openBrowser: browser,
    store: new MemoryStore(),
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  });
}

/** A GET to the callback port with a Host header of our choosing (fetch would not send one). */
function rawGet(path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

function refuseBrowser(): never {
  throw new Error('the browser must not be opened');
}

beforeEach(async () => {
  identity = new FakeIdentity();
  await identity.start();
  port = await freePort();
  visits = [];
  browsing = [];
  now = 1_700_000_000_000;
  sleeps = [];
});

afterEach(async () => {
  await Promise.allSettled(browsing);
  await identity.stop();
});

describe('PagerDutyOAuth interactive login', () => {
  it('logs in with PKCE, stores the tokens and shows a success page', async () => {
    const store = new MemoryStore();
    const token = await attempt(oauth({ store }));

    expect(token).toBe('pdus+_access-1');
    expect(store.tokens).toEqual({
      access_token: 'pdus+_access-1',
      expires_at: now + 3600 * 1000,
      refresh_token: 'refresh-1',
    });

    const authorize = identity.authorizeRequests[0]!;
    expect(Object.fromEntries(authorize)).toMatchObject({
      response_type: 'code',
      client_id: 'client-1',
      redirect_uri: `http://localhost:${port}/oauth/pagerduty`,
      code_challenge_method: 'S256',
      scope: 'read write',
    });
    expect(authorize.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const exchange = identity.tokenRequests[0]!;
    expect(exchange.get('grant_type')).toBe('authorization_code');
    expect(exchange.get('client_secret')).toBe('secret-1');
    // 96 random bytes in base64url without padding; the fake accepted sha256 of it as the challenge.
    expect(exchange.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{128}$/);

    expect(visits).toEqual([
      expect.objectContaining({
        status: 200,
        url: expect.stringContaining(`localhost:${port}/oauth/pagerduty`),
      }),
    ]);
    expect(visits[0]!.html).toContain('Vigil is logged in to PagerDuty');
    expect(await portIsFree(port)).toBe(true);
  });

  it('without a client secret keeps no refresh token and sends no secret; expires_in defaults to a day', async () => {
    identity.expiresIn = undefined;
    const store = new MemoryStore();
    await oauth({ store, clientSecret: undefined }).accessToken();

    expect(identity.tokenRequests[0]!.has('client_secret')).toBe(false);
    expect(store.tokens).toEqual({ access_token: 'pdus+_access-1', expires_at: now + 86_400 * 1000 });
  });

  it('reuses a stored unexpired token without a browser, in this instance and the next', async () => {
    const store = new MemoryStore();
    const first = oauth({ store });
    await first.accessToken();
    expect(await first.accessToken()).toBe('pdus+_access-1');

    now += 3600 * 1000 - 61_000;
    expect(await oauth({ store, openBrowser: refuseBrowser }).accessToken()).toBe('pdus+_access-1');
    expect(identity.tokenRequests).toHaveLength(1);
    expect(store.saves).toBe(1);
  });

  it('two concurrent callers share one login', async () => {
    const store = new MemoryStore();
    const client = oauth({ store });
    const tokens = await Promise.all([client.accessToken(), client.accessToken()]);
    await Promise.allSettled(browsing);

    expect(tokens).toEqual(['pdus+_access-1', 'pdus+_access-1']);
    expect(identity.authorizeRequests).toHaveLength(1);
    expect(identity.tokenRequests).toHaveLength(1);
    expect(visits).toHaveLength(1);
  });

  it('rejects a callback whose state does not match', async () => {
    identity.mode = 'wrong-state';
    const store = new MemoryStore();
    const error = await attempt(oauth({ store }));

    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as Error).message).toMatch(/^OAuth authorization failed: state_mismatch/);
    expect(visits[0]!.status).toBe(400);
    expect(identity.tokenRequests).toHaveLength(0);
    expect(store.tokens).toBeUndefined();
    expect(await portIsFree(port)).toBe(true);
  });

  it('reports error=access_denied, with the description escaped on the page', async () => {
    identity.mode = 'deny';
    const error = await attempt(oauth());

    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as Error).message).toContain('OAuth authorization failed: access_denied');
    expect((error as Error).message).toContain('PAGERDUTY_API_TOKEN');
    expect(visits[0]!.status).toBe(400);
    expect(visits[0]!.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; said no');
    expect(visits[0]!.html).not.toContain('<script>');
  });

  it('reports a callback without a code', async () => {
    identity.mode = 'no-code';
    const error = await attempt(oauth());

    expect((error as Error).message).toMatch(/^OAuth authorization failed: missing_code/);
    expect(visits[0]!.status).toBe(400);
  });

  it('times out when the browser never comes back, and frees the port', async () => {
    identity.mode = 'ignore';
    const started = Date.now();
    const error = await attempt(oauth({ callbackDeadlineMs: 200 }));

    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as Error).message).toMatch(/^OAuth callback timed out after 0.2 seconds/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await portIsFree(port)).toBe(true);
  });

  it('names PAGERDUTY_OAUTH_CALLBACK_PORT when the callback port is in use', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const error = await attempt(oauth({ openBrowser: refuseBrowser }));
      expect(error).toBeInstanceOf(UnauthorizedError);
      expect((error as Error).message).toContain(
        `port ${port} (PAGERDUTY_OAUTH_CALLBACK_PORT) is already in use`,
      );
      expect(identity.authorizeRequests).toHaveLength(0);
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });

  it('reports a refused code exchange with its body, on the page too', async () => {
    identity.exchangeStatus = 401;
    const store = new MemoryStore();
    const error = await attempt(oauth({ store }));

    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as Error).message).toContain(
      'OAuth token exchange failed: HTTP 401: {"error":"invalid_client"}',
    );
    expect((error as Error).message).toContain('PAGERDUTY_CLIENT_ID');
    expect(visits[0]!.status).toBe(502);
    expect(visits[0]!.html).toContain('{&quot;error&quot;:&quot;invalid_client&quot;}');
    expect(store.tokens).toBeUndefined();
    expect(await portIsFree(port)).toBe(true);
  });

  it('answers other paths and foreign Host headers with 404 without ending the login', async () => {
    const token = await attempt(
      oauth({
        openBrowser: async (url) => {
          // A browser asks for /favicon.ico; a DNS-rebinding page arrives with its own Host.
          const favicon = await fetch(`http://localhost:${port}/favicon.ico`);
          visits.push({ status: favicon.status, url: favicon.url, html: await favicon.text() });
          visits.push({
            status: await rawGet(`/oauth/pagerduty?code=x&state=y`, 'evil.example'),
            url: '',
            html: '',
          });
          await browser(url);
        },
      }),
    );

    expect(token).toBe('pdus+_access-1');
    expect(visits.map((v) => v.status)).toEqual([404, 404, 200]);
  });

  it('a browser that cannot be opened only costs a log line; the user opens the URL', async () => {
    const token = await attempt(
      oauth({
        openBrowser: (url) => {
          setTimeout(() => void browser(url), 20);
          throw new Error('no display');
        },
      }),
    );
    expect(token).toBe('pdus+_access-1');
  });

  it('a login that failed can be retried', async () => {
    identity.mode = 'deny';
    const client = oauth();
    expect(String(await attempt(client))).toMatch(/access_denied/);
    identity.mode = 'approve';
    expect(await attempt(client)).toBe('pdus+_access-1');
  });
});

describe('PagerDutyOAuth refresh', () => {
  const expired = (): StoredTokens => ({
    access_token: 'old-access',
    expires_at: now - 1_000,
    refresh_token: 'old-refresh',
  });

  it('refreshes an expired token without a browser', async () => {
    const store = new MemoryStore(expired());
    const token = await oauth({ store, openBrowser: refuseBrowser }).accessToken();

    expect(token).toBe('pdus+_access-1');
    expect(Object.fromEntries(identity.tokenRequests[0]!)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'old-refresh',
      client_id: 'client-1',
      client_secret: 'secret-1',
    });
    expect(store.tokens).toEqual({
      access_token: 'pdus+_access-1',
      expires_at: now + 3600 * 1000,
      refresh_token: 'refresh-1',
    });
  });

  it('refreshes within a minute of expiry and keeps the old refresh token when none comes back', async () => {
    identity.issueRefreshToken = false;
    const store = new MemoryStore({ ...expired(), expires_at: now + 30_000 });
    await oauth({ store, openBrowser: refuseBrowser }).accessToken();

    expect(store.tokens?.refresh_token).toBe('old-refresh');
    expect(store.tokens?.access_token).toBe('pdus+_access-1');
  });

  it('without a client secret an expired token means a new login', async () => {
    const store = new MemoryStore(expired());
    expect(await attempt(oauth({ store, clientSecret: undefined }))).toBe('pdus+_access-1');
    expect(identity.tokenRequests.map((f) => f.get('grant_type'))).toEqual(['authorization_code']);
    expect(visits).toHaveLength(1);
  });

  it('a 4xx wipes the stored tokens and falls through to a new login', async () => {
    identity.refreshStatuses = [400];
    const store = new MemoryStore(expired());
    const token = await attempt(oauth({ store }));

    expect(store.clears).toBe(1);
    expect(token).toBe('pdus+_access-1');
    expect(identity.tokenRequests.map((f) => f.get('grant_type'))).toEqual([
      'refresh_token',
      'authorization_code',
    ]);
    expect(visits).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('retries a 5xx and succeeds on the next attempt', async () => {
    identity.refreshStatuses = [503];
    const store = new MemoryStore(expired());
    expect(await oauth({ store, openBrowser: refuseBrowser }).accessToken()).toBe('pdus+_access-1');
    expect(sleeps).toEqual([1000]);
  });

  it('fails after 3 attempts with 1 s and 2 s between them; a 429 is retried, not taken as refused', async () => {
    identity.refreshStatuses = [503, 429, 500];
    const store = new MemoryStore(expired());
    const error = await attempt(oauth({ store, openBrowser: refuseBrowser }));

    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as Error).message).toMatch(/^Token refresh failed after 3 attempts: HTTP 500: /);
    expect(identity.tokenRequests).toHaveLength(3);
    expect(sleeps).toEqual([1000, 2000]);
    expect(store.clears).toBe(0);
    expect(store.tokens?.refresh_token).toBe('old-refresh');
  });

  it('keeps using a token that has not yet expired when refreshing it early fails', async () => {
    identity.refreshStatuses = [502, 502, 502];
    const store = new MemoryStore({ ...expired(), expires_at: now + 30_000 });
    expect(await oauth({ store, openBrowser: refuseBrowser }).accessToken()).toBe('old-access');
  });

  it('counts an unreachable token endpoint as a failed attempt', async () => {
    const unreachable = `http://127.0.0.1:${await freePort()}`;
    const store = new MemoryStore(expired());
    const error = await attempt(oauth({ store, identityUrl: unreachable, openBrowser: refuseBrowser }));
    expect((error as Error).message).toMatch(/^Token refresh failed after 3 attempts: cannot reach /);
  });
});

describe('PagerDutyOAuth with the file store', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-pd-oauth-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the tokens 0600 in a 0700 directory it creates, and reads them back in a new instance', async () => {
    const dataDir = join(dir, 'data');
    const log = silentLogger();
    const token = await attempt(oauth({ store: new FileTokenStore(dataDir, log), dataDir }));

    const file = join(dataDir, 'pagerduty-oauth.json');
    if (process.platform !== 'win32') {
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    }
    const again = oauth({ store: new FileTokenStore(dataDir, log), dataDir, openBrowser: refuseBrowser });
    expect(await again.accessToken()).toBe(token);
  });
});
