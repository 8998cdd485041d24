/**
 * Remote clients with OAuth, on the built `vigil serve` with VIGIL_OAUTH_ISSUER naming a real
 * OpenID Connect provider (oidc-provider) run by the test: the official MCP client finds the
 * authorization server through Vigil's 401 and its protected-resource metadata (RFC 9728),
 * registers itself, does the authorization-code flow with PKCE for Vigil's resource (RFC 8707),
 * and calls tools with the token. Tokens for another audience, from another issuer or with an
 * unknown Vigil scope are refused; a user who consents only to vigil:read gets a client that
 * cannot write; vigil:toolset:<name> limits what is listed.
 */
import { once } from 'node:events';
import { createServer } from 'node:net';
import {
  Client,
  type OAuthClientInformationMixed,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type OAuthTokens,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from '@modelcontextprotocol/client';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, toolNames } from '../helpers/clients.js';
import { followAuthorization, type OidcServer, startOidc, USER } from '../helpers/oidc.js';
import { type RunningVigil, startVigil, tempDir } from '../helpers/vigil.js';

const SCOPES = [
  'vigil:read',
  'vigil:write',
  'vigil:toolset:heartbeats',
  'vigil:toolset:checks',
  'vigil:admin',
];

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** An MCP client's OAuth state, kept in memory; its "browser" is followAuthorization. */
class TestOAuthClient implements OAuthClientProvider {
  readonly redirectUrl = 'http://127.0.0.1:9/callback';
  authorizationUrl: URL | undefined;
  callback: URL | undefined;
  saved: OAuthTokens | undefined;
  private info: OAuthClientInformationMixed | undefined;
  private verifier = '';
  private discovery: OAuthDiscoveryState | undefined;

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'vigil-e2e',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.info = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  async redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
    this.callback = await followAuthorization(url, this.redirectUrl);
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery;
  }
}

describe('remote clients with OAuth', () => {
  let oidc: OidcServer;
  let other: OidcServer;
  let server: RunningVigil;
  let base = '';
  let resource = '';
  const clients: Client[] = [];

  beforeAll(async () => {
    [oidc, other] = await Promise.all([startOidc(SCOPES), startOidc(SCOPES)]);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    resource = `${base}/mcp`;
    server = await startVigil({
      VIGIL_DATA_DIR: tempDir(),
      VIGIL_MODE: 'read_write',
      VIGIL_TOOLSETS: 'all',
      HTTP_PORT: String(port),
      VIGIL_PUBLIC_URL: base,
      VIGIL_OAUTH_ISSUER: oidc.issuer,
    });
  });
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await server?.stop();
    await oidc?.close();
    await other?.close();
  });

  /** Connects the official client, doing the whole OAuth flow on its 401. */
  async function connectWithOAuth(oauth: TestOAuthClient): Promise<Client> {
    const first = new Client({ name: 'e2e-oauth', version: '1' });
    await expect(
      first.connect(new StreamableHTTPClientTransport(new URL(resource), { authProvider: oauth })),
    ).rejects.toBeInstanceOf(UnauthorizedError);
    expect(oauth.callback?.searchParams.get('code')).toBeTruthy();
    const transport = new StreamableHTTPClientTransport(new URL(resource), { authProvider: oauth });
    await transport.finishAuth((oauth.callback as URL).searchParams);
    const client = new Client({ name: 'e2e-oauth', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(resource), { authProvider: oauth }));
    clients.push(client);
    return client;
  }

  it('serves its protected-resource metadata (RFC 9728)', async () => {
    for (const path of [
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-protected-resource/mcp',
    ]) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual({
        resource,
        authorization_servers: [oidc.issuer],
        scopes_supported: ['vigil:read', 'vigil:write'],
        bearer_methods_supported: ['header'],
        resource_name: 'Vigil',
      });
    }
  });

  it('names the metadata in WWW-Authenticate on 401', async () => {
    const res = await fetch(resource, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer realm="vigil", resource_metadata="${base}/.well-known/oauth-protected-resource"`,
    );
    const bad = await fetch(resource, {
      method: 'POST',
      headers: { authorization: 'Bearer not.a.jwt', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe(
      `Bearer realm="vigil", resource_metadata="${base}/.well-known/oauth-protected-resource", error="invalid_token"`,
    );
  });

  it('lets the official MCP client in through the authorization-code flow with PKCE, and write', async () => {
    const oauth = new TestOAuthClient();
    const client = await connectWithOAuth(oauth);
    const asked = oauth.authorizationUrl?.searchParams;
    expect(asked?.get('code_challenge_method')).toBe('S256');
    expect(asked?.get('code_challenge')).toBeTruthy();
    expect(asked?.get('resource')).toBe(resource);
    expect(asked?.get('scope')).toBe('vigil:read vigil:write');
    const claims = decodeJwt(oauth.saved?.access_token ?? '');
    expect(claims).toMatchObject({
      iss: oidc.issuer,
      aud: resource,
      sub: USER,
      scope: 'vigil:read vigil:write',
    });

    const names = await toolNames(client);
    expect(names).toContain('create_heartbeat');
    const created = await callJson(client, 'create_heartbeat', {
      name: 'nightly backup',
      period_seconds: 86400,
    });
    expect(created.isError, JSON.stringify(created.body)).toBe(false);
    const listed = await callJson(client, 'list_heartbeats');
    expect(JSON.stringify(listed.body)).toContain('nightly backup');
  });

  it('gives a user who consents only to vigil:read a client that cannot write', async () => {
    oidc.consent = (scope) => scope === 'vigil:read';
    try {
      const oauth = new TestOAuthClient();
      const client = await connectWithOAuth(oauth);
      expect(decodeJwt(oauth.saved?.access_token ?? '').scope).toBe('vigil:read');
      const names = await toolNames(client);
      expect(names).toContain('list_heartbeats');
      expect(names).not.toContain('create_heartbeat');
      const refused = await callJson(client, 'create_heartbeat', { name: 'sneaky', period_seconds: 60 });
      expect(refused.isError).toBe(true);
      expect(refused.body.error.code).toBe('READ_ONLY');
    } finally {
      oidc.consent = () => true;
    }
  });

  /** Calls tools/list on /mcp with a bearer token, as a client would. */
  const listWith = (token: string) =>
    fetch(resource, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });

  it('refuses a token from its issuer for another audience', async () => {
    const token = await oidc.machineToken('http://other.example/mcp', 'vigil:read');
    expect(decodeJwt(token).aud).toBe('http://other.example/mcp');
    const res = await listWith(token);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(JSON.stringify(await res.json())).toContain(`its audience must be ${resource}`);
  });

  it('refuses a token for this resource from another authorization server', async () => {
    const token = await other.machineToken(resource, 'vigil:read vigil:write');
    expect(decodeJwt(token)).toMatchObject({ iss: other.issuer, aud: resource });
    const res = await listWith(token);
    expect(res.status).toBe(401);
    expect(JSON.stringify(await res.json())).toContain(`accepts access tokens from ${oidc.issuer} only`);
  });

  it('refuses an unknown vigil scope, and one with no Vigil scope at all', async () => {
    const admin = await listWith(await oidc.machineToken(resource, 'vigil:read vigil:admin'));
    expect(admin.status).toBe(401);
    expect(JSON.stringify(await admin.json())).toContain("'vigil:admin', which Vigil does not know");
    const none = await listWith(await oidc.machineToken(resource, 'vigil:toolset:checks'));
    expect(none.status).toBe(401);
    expect(JSON.stringify(await none.json())).toContain('grants no Vigil scope');
  });

  it('limits a token with vigil:toolset:<name> to that toolset', async () => {
    const token = await oidc.machineToken(resource, 'vigil:read vigil:toolset:heartbeats');
    const client = new Client({ name: 'e2e-oauth', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(resource), { authProvider: { token: async () => token } }),
    );
    clients.push(client);
    const names = await toolNames(client);
    expect(names).toContain('list_heartbeats');
    expect(names).not.toContain('list_checks');
    expect(names).not.toContain('create_heartbeat');
  });
});
