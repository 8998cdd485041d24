/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728): how a remote MCP client (Claude, ChatGPT,
 * VS Code) learns which authorization server issues tokens for this server, for which resource
 * and with which scopes. Served at `/.well-known/oauth-protected-resource` and at the path-specific
 * form for the `/mcp` resource, only while VIGIL_OAUTH_ISSUER is set; every 401 names it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Authenticator, PROTECTED_RESOURCE_PATH } from '../server/auth.js';

/** True for the metadata paths: the root form and the path-specific one (`…/mcp`). */
export function isProtectedResourcePath(path: string): boolean {
  return path === PROTECTED_RESOURCE_PATH || path === `${PROTECTED_RESOURCE_PATH}/mcp`;
}

/** The metadata document, or undefined when OAuth is not configured. */
export function protectedResourceMetadata(auth: Authenticator): Record<string, unknown> | undefined {
  if (!auth.oauth) return undefined;
  return {
    resource: auth.oauth.resource,
    authorization_servers: [auth.oauth.issuer],
    scopes_supported: auth.scopesSupported,
    bearer_methods_supported: ['header'],
    resource_name: 'Vigil',
  };
}

export function serveProtectedResourceMetadata(
  req: IncomingMessage,
  res: ServerResponse,
  auth: Authenticator,
): void {
  const metadata = protectedResourceMetadata(auth);
  const headers = { 'content-type': 'application/json', 'access-control-allow-origin': '*' };
  if (!metadata) {
    res.writeHead(404, headers).end(
      JSON.stringify({
        error: {
          code: 'NOT_FOUND',
          message: 'This server takes no OAuth access tokens (VIGIL_OAUTH_ISSUER is not set).',
        },
      }),
    );
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...headers, allow: 'GET, HEAD' }).end(JSON.stringify({ error: 'Use GET.' }));
    return;
  }
  const body = JSON.stringify(metadata);
  res
    .writeHead(200, { ...headers, 'cache-control': 'public, max-age=300' })
    .end(req.method === 'HEAD' ? undefined : body);
}
