/**
 * PagerDuty OAuth 2.0 login (authorization code with PKCE) for a Vigil running on the user's
 * machine: the third credential source, after the X-PagerDuty-Token header and
 * PAGERDUTY_API_TOKEN. It behaves as the seed's auth.py does — same identity endpoints, scope,
 * callback URL, refresh rules and keyring entries — with these of its bugs fixed:
 * - concurrent callers share one login instead of queueing for a second browser window;
 * - the callback deadline is exact (the seed could overrun it by its 30 s per-request wait);
 * - requests to other paths (a browser's /favicon.ico) are answered 404 and no longer abort the
 *   login as a "state mismatch"; a callback without code or error is an error, not a hang;
 * - the browser page shows the real outcome, after the code exchange, with the error escaped;
 * - the code exchange sends the client secret when one is configured;
 * - a refresh answer without a new refresh token keeps the old one; a 429 or 408 is retried
 *   rather than taken as a revoked grant; tokens are refreshed 60 s before they expire;
 * - no keyring (headless Linux) falls back to a 0600 file instead of failing;
 * - a busy callback port is reported with the setting that changes it.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { UnauthorizedError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { errorText, openTokenStore, type StoredTokens, type TokenStore } from './token-store.js';

export const DEFAULT_IDENTITY_URL = 'https://identity.pagerduty.com';
export const DEFAULT_CALLBACK_PORT = 5173;
export const CALLBACK_PATH = '/oauth/pagerduty';
const SCOPE = 'read write';
const DEFAULT_EXPIRES_IN_S = 86_400;
/** A token this close to its expiry is refreshed first, so no request goes out with a dying one. */
const REFRESH_MARGIN_MS = 60_000;
/** Waits between the three refresh attempts. */
const REFRESH_BACKOFF_MS = [1_000, 2_000] as const;
const CALLBACK_DEADLINE_MS = 5 * 60_000;
const TOKEN_REQUEST_TIMEOUT_MS = 30_000;

export interface PagerDutyOAuthOptions {
  clientId: string;
  clientSecret?: string | undefined;
  /** PAGERDUTY_OAUTH_CALLBACK_PORT, default 5173. */
  callbackPort: number;
  /** VIGIL_DATA_DIR, for the 0600 file used where no keyring is usable. */
  dataDir: string;
  log: Logger;
  /** Default https://identity.pagerduty.com. */
  identityUrl?: string;
  /** Default: the platform's opener (xdg-open, open, start), detached; the URL is logged too. */
  openBrowser?: (url: string) => void | Promise<void>;
  /** Default: the OS keyring, else the file. */
  store?: TokenStore;
  now?: () => number;
  /** How long to wait for the browser to come back; default 5 minutes. */
  callbackDeadlineMs?: number;
  /** Timeout of each token endpoint request; default 30 s. */
  requestTimeoutMs?: number;
  /** Waits between refresh attempts; tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
}

/** What the token endpoint answers, checked before anything is stored. */
const TokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.union([z.number(), z.string()]).optional(),
  refresh_token: z.string().min(1).optional(),
});
type TokenResponse = z.infer<typeof TokenResponse>;

/** A failed token endpoint request; `status` is missing when no HTTP answer came. */
class TokenEndpointError extends Error {
  constructor(
    readonly status: number | undefined,
    message: string,
  ) {
    super(message);
  }

  /** The grant itself was refused (revoked, expired, wrong client): retrying cannot help. */
  get refused(): boolean {
    return (
      this.status !== undefined &&
      this.status >= 400 &&
      this.status < 500 &&
      this.status !== 408 &&
      this.status !== 429
    );
  }
}

export class PagerDutyOAuth {
  private readonly identityUrl: string;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private store: Promise<TokenStore> | undefined;
  /** The last tokens loaded or obtained, so each API call does not read the keyring. */
  private current: StoredTokens | undefined;
  /** The one load, refresh or login under way; every caller meanwhile waits on it. */
  private pending: Promise<string> | undefined;

  constructor(private readonly o: PagerDutyOAuthOptions) {
    this.identityUrl = (o.identityUrl ?? DEFAULT_IDENTITY_URL).replace(/\/+$/, '');
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    if (o.store) this.store = Promise.resolve(o.store);
  }

  /** A valid access token, from the store, a refresh or (at worst) a login in the browser. */
  async accessToken(): Promise<string> {
    if (this.current && this.usable(this.current)) return this.current.access_token;
    this.pending ??= this.obtain().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private get tokenUrl(): string {
    return `${this.identityUrl}/oauth/token`;
  }

  private get redirectUri(): string {
    return `http://localhost:${this.o.callbackPort}${CALLBACK_PATH}`;
  }

  private canRefresh(tokens: StoredTokens): boolean {
    return Boolean(tokens.refresh_token && this.o.clientSecret);
  }

  /** Unexpired; with a way to refresh, also not within the margin before expiry. */
  private usable(tokens: StoredTokens): boolean {
    const margin = this.canRefresh(tokens) ? REFRESH_MARGIN_MS : 0;
    return this.now() < tokens.expires_at - margin;
  }

  private tokenStore(): Promise<TokenStore> {
    this.store ??= openTokenStore({ dataDir: this.o.dataDir, log: this.o.log });
    return this.store;
  }

  private async obtain(): Promise<string> {
    const store = await this.tokenStore();
    const stored = await store.load();
    if (stored) {
      if (this.usable(stored)) {
        this.current = stored;
        return stored.access_token;
      }
      if (this.canRefresh(stored)) {
        const refreshed = await this.refresh(store, stored);
        if (refreshed !== undefined) return refreshed;
      } else {
        this.o.log.info(
          'the stored PagerDuty OAuth token has expired and cannot be refreshed; logging in again',
        );
      }
    }
    return this.login(store);
  }

  /** The refreshed token, or undefined when PagerDuty refused the grant and a new login is due. */
  private async refresh(store: TokenStore, stored: StoredTokens): Promise<string | undefined> {
    const form = {
      grant_type: 'refresh_token',
      refresh_token: stored.refresh_token ?? '',
      client_id: this.o.clientId,
      client_secret: this.o.clientSecret ?? '',
    };
    const attempts = REFRESH_BACKOFF_MS.length + 1;
    let last: TokenEndpointError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        return await this.keep(store, await this.postToken(form), stored.refresh_token);
      } catch (err) {
        if (!(err instanceof TokenEndpointError)) throw err;
        if (err.refused) {
          this.o.log.warn(
            { status: err.status },
            'PagerDuty refused the OAuth refresh token; clearing stored tokens and logging in again',
          );
          this.current = undefined;
          await store.clear();
          return undefined;
        }
        last = err;
        this.o.log.warn({ attempt, err: err.message }, 'PagerDuty OAuth token refresh failed');
        const wait = REFRESH_BACKOFF_MS[attempt - 1];
        if (wait !== undefined) await this.sleep(wait);
      }
    }
    // Refreshing inside the margin failed, but the token itself still works for now.
    if (this.now() < stored.expires_at) {
      this.current = stored;
      return stored.access_token;
    }
    throw new UnauthorizedError(
      `Token refresh failed after ${attempts} attempts: ${last?.message}. Check that Vigil can reach ${this.tokenUrl} and try again, or set PAGERDUTY_API_TOKEN.`,
    );
  }

  /** Stores a token endpoint answer; the refresh token only with a client secret, as the seed. */
  private async keep(store: TokenStore, answer: TokenResponse, previousRefresh?: string): Promise<string> {
    const expiresIn = Number(answer.expires_in ?? DEFAULT_EXPIRES_IN_S);
    const tokens: StoredTokens = {
      access_token: answer.access_token,
      expires_at:
        this.now() + (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : DEFAULT_EXPIRES_IN_S) * 1000,
    };
    const refreshToken = answer.refresh_token ?? previousRefresh;
    if (this.o.clientSecret && refreshToken) tokens.refresh_token = refreshToken;
    await store.save(tokens);
    this.current = tokens;
    return tokens.access_token;
  }

  private async login(store: TokenStore): Promise<string> {
    const verifier = base64url(randomBytes(96));
    const state = base64url(randomBytes(32));
    const callback = await startCallbackServer(this.o.callbackPort, state);
    try {
      const url = new URL(`${this.identityUrl}/oauth/authorize`);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: this.o.clientId,
        redirect_uri: this.redirectUri,
        code_challenge: base64url(createHash('sha256').update(verifier).digest()),
        code_challenge_method: 'S256',
        scope: SCOPE,
        state,
      }).toString();
      this.launchBrowser(url.toString());

      const { code, respond } = await withDeadline(
        callback.result,
        this.o.callbackDeadlineMs ?? CALLBACK_DEADLINE_MS,
      );
      try {
        const form: Record<string, string> = {
          grant_type: 'authorization_code',
          code,
          client_id: this.o.clientId,
          redirect_uri: this.redirectUri,
          code_verifier: verifier,
        };
        if (this.o.clientSecret) form.client_secret = this.o.clientSecret;
        const token = await this.keep(store, await this.postToken(form));
        respond(200, page('Vigil is logged in to PagerDuty', 'You can close this window.'));
        this.o.log.info('logged in to PagerDuty with OAuth');
        return token;
      } catch (err) {
        const failure =
          err instanceof TokenEndpointError
            ? new UnauthorizedError(
                `OAuth token exchange failed: ${err.message}. Check that PAGERDUTY_CLIENT_ID (and PAGERDUTY_CLIENT_SECRET, if the app has one) match the PagerDuty app and that ${this.redirectUri} is one of its redirect URLs.`,
              )
            : err;
        respond(502, page('PagerDuty login failed', errorText(failure)));
        throw failure;
      }
    } finally {
      await callback.close();
    }
  }

  private launchBrowser(url: string): void {
    this.o.log.info(
      { url },
      'log in to PagerDuty in the browser; if none opened, open this URL on this machine',
    );
    const open = this.o.openBrowser ?? ((target: string) => openWithSystem(target, this.o.log));
    // Not awaited: the page it loads may only finish once the callback below has been answered.
    Promise.resolve()
      .then(() => open(url))
      .catch((err: unknown) =>
        this.o.log.warn({ err: errorText(err), url }, 'could not open a browser; open the URL yourself'),
      );
  }

  private async postToken(form: Record<string, string>): Promise<TokenResponse> {
    const timeoutMs = this.o.requestTimeoutMs ?? TOKEN_REQUEST_TIMEOUT_MS;
    let response: Response;
    let body: string;
    try {
      response = await fetch(this.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams(form),
        signal: AbortSignal.timeout(timeoutMs),
      });
      body = await response.text();
    } catch (err) {
      const timedOut = err instanceof Error && err.name === 'TimeoutError';
      throw new TokenEndpointError(
        undefined,
        timedOut
          ? `no answer from ${this.tokenUrl} within ${timeoutMs / 1000} s`
          : `cannot reach ${this.tokenUrl}: ${errorText(err)}`,
      );
    }
    if (!response.ok) throw new TokenEndpointError(response.status, `HTTP ${response.status}: ${clip(body)}`);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    const parsed = TokenResponse.safeParse(json);
    if (!parsed.success) {
      throw new TokenEndpointError(undefined, `unexpected answer from ${this.tokenUrl} (no access_token)`);
    }
    return parsed.data;
  }
}

interface CodeReceived {
  code: string;
  /** Answers the browser's callback request, which waits for the outcome of the code exchange. */
  respond(status: number, html: string): void;
}

interface CallbackServer {
  /** The code, or an UnauthorizedError for a state mismatch, an `error` or a missing code. */
  result: Promise<CodeReceived>;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 for the redirect to http://localhost:<port>/oauth/pagerduty. The first
 * request to that path with the right Host decides the outcome; everything else gets a 404.
 */
async function startCallbackServer(port: number, expectedState: string): Promise<CallbackServer> {
  let settle: ((outcome: CodeReceived | UnauthorizedError) => void) | undefined;
  const result = new Promise<CodeReceived>((resolve, reject) => {
    settle = (outcome) => {
      settle = undefined;
      if (outcome instanceof UnauthorizedError) reject(outcome);
      else resolve(outcome);
    };
  });
  result.catch(() => undefined); // the login may have given up on it already

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const hostOk = req.headers.host === `localhost:${port}` || req.headers.host === `127.0.0.1:${port}`;
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH || !hostOk) {
      send(res, 404, page('Not found', 'This address only receives the PagerDuty login.'));
      return;
    }
    const decide = settle;
    if (!decide) {
      send(
        res,
        409,
        page('Login already handled', 'This PagerDuty login is over. You can close this window.'),
      );
      return;
    }
    const params = url.searchParams;
    if (!sameSecret(params.get('state'), expectedState)) {
      send(
        res,
        400,
        page('PagerDuty login failed', 'OAuth state mismatch: this was not the login Vigil started.'),
      );
      decide(
        new UnauthorizedError(
          'OAuth authorization failed: state_mismatch (the callback did not come from the login Vigil started). Try again, and finish the login in the browser window Vigil opens.',
        ),
      );
      return;
    }
    const error = params.get('error');
    if (error !== null) {
      const description = params.get('error_description');
      const detail = description ? `${error} (${description})` : error;
      send(res, 400, page('PagerDuty login failed', `PagerDuty answered: ${detail}.`));
      decide(
        new UnauthorizedError(
          `OAuth authorization failed: ${detail}. Try again and approve Vigil's access in the browser, or set PAGERDUTY_API_TOKEN.`,
        ),
      );
      return;
    }
    const code = params.get('code');
    if (!code) {
      send(res, 400, page('PagerDuty login failed', 'The callback carried no authorization code.'));
      decide(
        new UnauthorizedError(
          'OAuth authorization failed: missing_code (PagerDuty redirected back without an authorization code). Try again.',
        ),
      );
      return;
    }
    let answered = false;
    decide({
      code,
      respond: (status, html) => {
        if (answered) return;
        answered = true;
        send(res, status, html);
      },
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(listenFailure(port, err)));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve());
  });

  return {
    result,
    close: () =>
      new Promise<void>((resolve) => {
        settle = undefined;
        server.close(() => resolve());
        server.closeIdleConnections();
        // A browser holding a connection open must not keep the login from returning.
        setTimeout(() => server.closeAllConnections(), 1_000).unref();
      }),
  };
}

function listenFailure(port: number, err: NodeJS.ErrnoException): UnauthorizedError {
  const fix = `set PAGERDUTY_OAUTH_CALLBACK_PORT to a free port and add http://localhost:<that port>${CALLBACK_PATH} to the PagerDuty app's redirect URLs`;
  if (err.code === 'EADDRINUSE') {
    return new UnauthorizedError(
      `Cannot receive the PagerDuty OAuth callback: port ${port} (PAGERDUTY_OAUTH_CALLBACK_PORT) is already in use. Stop the program using it, or ${fix}.`,
    );
  }
  return new UnauthorizedError(
    `Cannot receive the PagerDuty OAuth callback on 127.0.0.1:${port} (PAGERDUTY_OAUTH_CALLBACK_PORT): ${err.message}. ${fix[0]?.toUpperCase()}${fix.slice(1)}.`,
  );
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'",
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    connection: 'close',
  });
  res.end(html);
}

function page(title: string, detail: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Vigil · ${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p></body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

function sameSecret(received: string | null, expected: string): boolean {
  if (received === null) return false;
  const a = Buffer.from(received);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new UnauthorizedError(
            `OAuth callback timed out after ${describeDuration(ms)}. Open the login URL from Vigil's log in a browser on this machine and approve access, or set PAGERDUTY_API_TOKEN.`,
          ),
        ),
      ms,
    );
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function describeDuration(ms: number): string {
  if (ms % 60_000 === 0) return ms === 60_000 ? '1 minute' : `${ms / 60_000} minutes`;
  return `${ms / 1000} seconds`;
}

function base64url(bytes: Buffer): string {
  return bytes.toString('base64url'); // RFC 7636: base64url without padding, which Node omits
}

function clip(text: string): string {
  const flat = text.trim();
  return flat.length > 500 ? `${flat.slice(0, 500)}…` : flat || '(empty body)';
}

/** The platform's URL opener, detached so it outlives nothing of ours; failures only log. */
function openWithSystem(url: string, log: Logger): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? // cmd treats & as a command separator; ^ escapes it. The URL holds no quotes.
          ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
        : ['xdg-open', [url]];
  const child = spawn(command, args, {
    detached: true,
    stdio: 'ignore',
    windowsVerbatimArguments: process.platform === 'win32',
  });
  const failed = (reason: string) =>
    log.warn({ url, reason }, 'could not open a browser for the PagerDuty login; open the URL yourself');
  child.on('error', (err) => failed(err.message));
  child.on('exit', (code) => {
    if (code !== 0 && code !== null) failed(`${command} exited with code ${code}`);
  });
  child.unref();
}
