/**
 * A real OpenID Connect provider (`oidc-provider`) on a loopback port, for OAuth end-to-end tests:
 * dynamic client registration, authorization code with PKCE, client credentials, and resource
 * indicators (RFC 8707) that issue JWT access tokens whose audience is the requested resource.
 * Its login and consent are answered by the test itself: the user is `alice@example.com` and
 * consents to the scopes `consent` allows (the rest are declined), so a test can play a user who
 * grants only part of what a client asks.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

export interface OidcServer {
  issuer: string;
  /** Which requested scopes the user consents to; the default consents to all. */
  consent: (scope: string) => boolean;
  /** A client-credentials token for `resource` with `scope` (the machine client may ask any scope). */
  machineToken(resource: string, scope: string): Promise<string>;
  close(): Promise<void>;
}

export const USER = 'alice@example.com';
const MACHINE = { client_id: 'machine', client_secret: 'machine-secret-machine-secret-00' };

/** Starts a provider knowing `scopes` as resource scopes. */
export async function startOidc(scopes: readonly string[]): Promise<OidcServer> {
  const server: Server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'test-key' };

  const provider = new Provider(issuer, {
    clients: [{ ...MACHINE, grant_types: ['client_credentials'], redirect_uris: [], response_types: [] }],
    jwks: { keys: [jwk] },
    cookies: { keys: ['test-cookie-key-test-cookie-key'] },
    scopes: ['openid', 'offline_access', ...scopes],
    // Named so the provider does not warn about its defaults; every artifact lives ten minutes.
    ttl: Object.fromEntries(
      ['AccessToken', 'ClientCredentials', 'Grant', 'Interaction', 'Session'].map((k) => [k, 600]),
    ),
    findAccount: (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: () => ({ sub: id, email: id }),
    }),
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx: unknown, _client: unknown, oneOf?: string) => oneOf,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => ({
          scope: scopes.join(' '),
          audience: resource,
          accessTokenTTL: 600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
  });
  const oidc: OidcServer = {
    issuer,
    consent: () => true,
    async machineToken(resource, scope) {
      const res = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${MACHINE.client_id}:${MACHINE.client_secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope }),
      });
      const body = (await res.json()) as { access_token?: string };
      if (!res.ok || !body.access_token) throw new Error(`token request failed: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };

  /** The user's side of the interaction: log in as USER, then consent to what `consent` allows. */
  async function interact(req: IncomingMessage, res: ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    const { prompt, params, session } = details;
    if (prompt.name === 'login')
      return provider.interactionFinished(
        req,
        res,
        { login: { accountId: USER } },
        { mergeWithLastSubmission: false },
      );
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const { missingOIDCScope, missingResourceScopes } = prompt.details as {
      missingOIDCScope?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    for (const [indicator, wanted] of Object.entries(missingResourceScopes ?? {})) {
      const yes = wanted.filter((s) => oidc.consent(s));
      const no = wanted.filter((s) => !oidc.consent(s));
      if (yes.length) grant.addResourceScope(indicator, yes.join(' '));
      if (no.length) grant.rejectResourceScope(indicator, no.join(' '));
    }
    const grantId = await grant.save();
    return provider.interactionFinished(
      req,
      res,
      { consent: { grantId } },
      { mergeWithLastSubmission: true },
    );
  }

  const handle = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/interaction/')) {
      interact(req, res).catch((err: unknown) => {
        res.writeHead(500).end(String(err));
      });
      return;
    }
    handle(req, res);
  });
  return oidc;
}

/**
 * A browser that follows an authorization URL through the provider's redirects (keeping its
 * cookies) until it is sent to `redirectUri`, and returns that URL with the code.
 */
export async function followAuthorization(authorizationUrl: URL, redirectUri: string): Promise<URL> {
  const cookies = new Map<string, string>();
  let url = authorizationUrl;
  for (let hop = 0; hop < 20; hop++) {
    if (url.href.startsWith(redirectUri)) return url;
    const res = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const at = pair?.indexOf('=') ?? -1;
      if (pair && at > 0) cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const location = res.headers.get('location');
    if (!location) throw new Error(`authorization stopped at ${url} with ${res.status}: ${await res.text()}`);
    url = new URL(location, url);
  }
  throw new Error('too many redirects during authorization');
}
