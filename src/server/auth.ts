/**
 * HTTP authentication: turns an Authorization header into a Principal, or a 401. Accepts a Vigil
 * API key, or a JWT (HS256 secret, or JWKS with issuer and audience checked) that expires and whose
 * `mode` and `toolsets` claims, when present, name only what Vigil knows: a claim that cannot be
 * honoured refuses the token rather than being ignored (which would widen it). With
 * VIGIL_OAUTH_ISSUER it also accepts OAuth access tokens (JWTs) from that authorization server
 * whose audience is this server's resource (`<VIGIL_PUBLIC_URL>/mcp`, RFC 8707), their `vigil:*`
 * scopes giving the mode and toolsets. Requests without credentials pass as anonymous only while
 * no authentication is configured.
 */
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import type { Config } from '../core/config.js';
import type { Principal } from '../core/principal.js';
import { type ApiKeyRepository, looksLikeApiKey } from '../providers/embedded/store/api-keys.js';
import { jwtScope, OAUTH_SCOPES, oauthScope } from './scopes.js';

export type AuthOutcome =
  | {
      ok: true;
      principal: Principal;
      /** The Authorization value when it is a SaaS provider's credential (not a Vigil key or JWT). */
      upstream?: string;
    }
  | {
      ok: false;
      status: 401;
      message: string;
      challenge: string;
      /** For a JWT: true when no key of Vigil's signed it (it may be someone else's token). */
      foreign?: boolean;
    };

/** The SaaS provider in use whose credential is an Authorization value that Vigil does not recognise. */
export interface UpstreamAuth {
  /** Its name: such a caller's label is `<provider>-credential`. */
  provider: string;
  /** The toolsets it serves: all such a credential reaches once Vigil's own auth is set up. */
  toolsets: readonly string[];
}

const REALM = 'Bearer realm="vigil"';

/** Where this server's OAuth protected-resource metadata is served (RFC 9728). */
export const PROTECTED_RESOURCE_PATH = '/.well-known/oauth-protected-resource';

export interface OAuthResource {
  /** The authorization server's issuer, exactly as its tokens spell `iss`. */
  issuer: string;
  /** This server's resource identifier: the audience its tokens must carry. */
  resource: string;
  /** The protected-resource metadata URL, named in every 401's challenge. */
  metadataUrl: string;
}

/** jose's codes for a token that none of Vigil's keys signed (or that is not a JWS at all). */
const NOT_SIGNED_BY_VIGIL = new Set([
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWS_INVALID',
  'ERR_JOSE_ALG_NOT_ALLOWED',
]);
const HAS_KEYS_TTL_MS = 2000;

export class Authenticator {
  /** The verification key, loaded with `jose` on first use (it is not needed without JWT settings). */
  private jwtKey: Promise<Uint8Array | JWTVerifyGetKey> | undefined;
  /** The authorization server's key set, found through its metadata on first use. */
  private oauthKeys: Promise<JWTVerifyGetKey> | undefined;
  private hasKeys: { value: boolean; at: number } | undefined;
  /** The OAuth resource this server is, when VIGIL_OAUTH_ISSUER is set. */
  readonly oauth: OAuthResource | undefined;
  /** The challenge every 401 starts with: the realm, and the resource metadata under OAuth. */
  private readonly realm: string;

  constructor(
    private readonly config: Pick<Config, 'mode' | 'jwt' | 'requireAuthHeader' | 'userEmail'> &
      Partial<Pick<Config, 'publicUrl' | 'oauthIssuer'>>,
    private readonly apiKeys: ApiKeyRepository,
    private readonly upstream: UpstreamAuth | undefined = undefined,
  ) {
    const issuer = config.oauthIssuer;
    const base = (config.publicUrl ?? '').replace(/\/+$/, '');
    this.oauth = issuer
      ? { issuer, resource: `${base}/mcp`, metadataUrl: `${base}${PROTECTED_RESOURCE_PATH}` }
      : undefined;
    this.realm = this.oauth ? `${REALM}, resource_metadata="${this.oauth.metadataUrl}"` : REALM;
  }

  get jwtConfigured(): boolean {
    return Boolean(this.config.jwt.secret || this.config.jwt.jwksUrl || this.oauth);
  }

  /** The scopes a client may ask this server's authorization server for (RFC 9728 `scopes_supported`). */
  get scopesSupported(): string[] {
    // vigil:write is worth asking for only where the server writes at all.
    return this.config.mode === 'read_write' ? [OAUTH_SCOPES.read, OAUTH_SCOPES.write] : [OAUTH_SCOPES.read];
  }

  private key(): Promise<Uint8Array | JWTVerifyGetKey> {
    const { secret, jwksUrl } = this.config.jwt;
    this.jwtKey ??= secret
      ? Promise.resolve(new TextEncoder().encode(secret))
      : import('jose').then((jose) => jose.createRemoteJWKSet(new URL(jwksUrl as string)));
    return this.jwtKey;
  }

  /**
   * True when requests must bring a credential: REQUIRE_AUTH_HEADER, or some credential can be
   * verified (routes that are otherwise open, such as pings by heartbeat id, close then).
   */
  async guarded(): Promise<boolean> {
    return this.config.requireAuthHeader || (await this.configured());
  }

  /** True when some credential can be verified: a JWT setting or at least one active API key. */
  async configured(): Promise<boolean> {
    if (this.jwtConfigured) return true;
    const now = Date.now();
    if (!this.hasKeys || now - this.hasKeys.at > HAS_KEYS_TTL_MS) {
      this.hasKeys = { value: await this.apiKeys.hasActiveKeys(), at: now };
    }
    return this.hasKeys.value;
  }

  async authenticate(header: string | undefined): Promise<AuthOutcome> {
    const token = header
      ?.trim()
      .replace(/^Bearer\s+/i, '')
      .trim();
    if (!token) {
      if (this.config.requireAuthHeader || (await this.configured())) {
        return deny('This server requires an Authorization header: a Vigil API key or a JWT.', this.realm);
      }
      return { ok: true, principal: this.anonymous() };
    }
    if (looksLikeApiKey(token)) {
      const key = await this.apiKeys.verify(token);
      if (!key)
        return deny('The API key is not valid or has been revoked.', `${this.realm}, error="invalid_token"`);
      void this.apiKeys.touch(key.id).catch(() => undefined);
      return {
        ok: true,
        principal: {
          kind: 'api_key',
          label: `key:${key.name}`,
          credentialId: key.id,
          mode: key.mode,
          ...(key.toolsets && { toolsets: key.toolsets }),
          ...(key.user_id && { userId: key.user_id }),
        },
      };
    }
    if (this.jwtConfigured && token.split('.').length === 3) {
      const outcome = await this.verifyToken(token);
      // Only a JWT that Vigil's keys did not sign may be the provider's; an expired Vigil JWT, or
      // one for another audience, is refused here and never sent on to a third party.
      if (outcome.ok || !this.upstream || !outcome.foreign) return outcome;
    }
    if (this.upstream) return this.upstreamCaller(this.upstream, (header as string).trim());
    if (this.config.requireAuthHeader || (await this.configured())) {
      return deny(
        'The Authorization header is neither a Vigil API key nor a valid JWT.',
        `${this.realm}, error="invalid_token"`,
      );
    }
    // No authentication configured here: an unrecognised credential (e.g. one meant for a SaaS
    // provider that is not active) does not grant or deny anything.
    return { ok: true, principal: this.anonymous() };
  }

  /**
   * A request that brings its own credential for the provider. Without Vigil authentication set
   * up it is anonymous, as any request is; with it, the credential reaches only what that
   * provider serves.
   */
  private async upstreamCaller(upstream: UpstreamAuth, value: string): Promise<AuthOutcome> {
    const guarded = this.config.requireAuthHeader || (await this.configured());
    return {
      ok: true,
      upstream: value,
      principal: guarded
        ? {
            kind: 'anonymous',
            label: `${upstream.provider}-credential`,
            upstreamOnly: true,
            mode: this.config.mode,
            toolsets: upstream.toolsets,
          }
        : this.anonymous(),
    };
  }

  private anonymous(): Principal {
    return {
      kind: 'anonymous',
      label: 'anonymous',
      mode: this.config.mode,
      ...(this.config.userEmail && { userEmail: this.config.userEmail }),
    };
  }

  /**
   * A JWT: an OAuth access token when its (unverified) `iss` is the OAuth issuer, else a JWT for
   * Vigil's own settings. The claim only picks the keys; the chosen path verifies it.
   */
  private async verifyToken(token: string): Promise<AuthOutcome> {
    if (!this.oauth) return this.verifyJwt(token);
    let iss: unknown;
    try {
      ({ iss } = (await import('jose')).decodeJwt(token));
    } catch {
      iss = undefined;
    }
    if (iss === this.oauth.issuer) return this.verifyOAuth(token, this.oauth);
    if (this.config.jwt.secret || this.config.jwt.jwksUrl) return this.verifyJwt(token);
    return deny(
      `The token was issued by ${typeof iss === 'string' ? `'${iss}'` : 'no named issuer'}; this server accepts access tokens from ${this.oauth.issuer} only.`,
      `${this.realm}, error="invalid_token"`,
      true,
    );
  }

  /** The authorization server's JWKS, from its metadata (OpenID Connect discovery, else RFC 8414). */
  private oauthKeySet(issuer: string): Promise<JWTVerifyGetKey> {
    this.oauthKeys ??= (async () => {
      const jose = await import('jose');
      const metadata = await authorizationServerMetadata(issuer);
      return jose.createRemoteJWKSet(new URL(metadata.jwks_uri));
    })();
    // A server that was down is asked again on the next request, not never.
    this.oauthKeys.catch(() => {
      this.oauthKeys = undefined;
    });
    return this.oauthKeys;
  }

  private async verifyOAuth(token: string, oauth: OAuthResource): Promise<AuthOutcome> {
    const challenge = `${this.realm}, error="invalid_token"`;
    let payload: JWTPayload;
    try {
      const [{ jwtVerify }, keys] = await Promise.all([import('jose'), this.oauthKeySet(oauth.issuer)]);
      ({ payload } = await jwtVerify(token, keys, {
        issuer: oauth.issuer,
        audience: oauth.resource,
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      const { code, claim } = err as { code?: string; claim?: string };
      if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'aud')
        return deny(
          `The access token is not for this server: its audience must be ${oauth.resource} (ask the authorization server with resource=${oauth.resource}).`,
          challenge,
        );
      return deny(`The access token was rejected: ${(err as Error).message}.`, challenge);
    }
    const claims = payload as JWTPayload & {
      scope?: unknown;
      scp?: unknown;
      email?: unknown;
      client_id?: unknown;
    };
    const granted = oauthScope(claims.scope ?? claims.scp, this.config.mode);
    if ('refused' in granted) return deny(granted.refused, challenge);
    const email =
      typeof claims.email === 'string' ? claims.email : claims.sub?.includes('@') ? claims.sub : undefined;
    const who = claims.sub ?? (typeof claims.client_id === 'string' ? claims.client_id : 'unknown');
    return {
      ok: true,
      principal: {
        kind: 'jwt',
        label: `oauth:${who}`,
        credentialId: who,
        mode: granted.mode,
        ...(granted.toolsets && { toolsets: granted.toolsets }),
        ...(email ? { userEmail: email } : claims.sub ? { userId: claims.sub } : {}),
      },
    };
  }

  private async verifyJwt(token: string): Promise<AuthOutcome> {
    let payload: JWTPayload;
    try {
      const [{ jwtVerify }, key] = await Promise.all([import('jose'), this.key()]);
      ({ payload } = await jwtVerify(token, key as Uint8Array & JWTVerifyGetKey, {
        ...(this.config.jwt.issuer && { issuer: this.config.jwt.issuer }),
        ...(this.config.jwt.audience && { audience: this.config.jwt.audience }),
        ...(this.config.jwt.secret && { algorithms: ['HS256'] }),
        // A token that never expires stays good for whoever copies it, for ever.
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      const { code, claim, reason } = err as { code?: string; claim?: string; reason?: string };
      if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'exp' && reason === 'missing')
        return deny(
          'The JWT has no `exp` (expiry) claim; Vigil accepts only tokens that expire.',
          `${this.realm}, error="invalid_token"`,
        );
      return deny(
        `The JWT was rejected: ${(err as Error).message}.`,
        `${this.realm}, error="invalid_token"`,
        NOT_SIGNED_BY_VIGIL.has((err as { code?: string }).code ?? ''),
      );
    }
    const claims = payload as JWTPayload & { email?: unknown; mode?: unknown; toolsets?: unknown };
    const scope = jwtScope(claims, this.config.mode);
    if ('refused' in scope) return deny(scope.refused, `${this.realm}, error="invalid_token"`);
    const { mode, toolsets } = scope;
    const email =
      typeof claims.email === 'string' ? claims.email : claims.sub?.includes('@') ? claims.sub : undefined;
    return {
      ok: true,
      principal: {
        kind: 'jwt',
        label: `jwt:${claims.sub ?? 'unknown'}`,
        ...(claims.sub && { credentialId: claims.sub }),
        mode,
        ...(toolsets && { toolsets }),
        ...(email ? { userEmail: email } : claims.sub ? { userId: claims.sub } : {}),
      },
    };
  }
}

interface ServerMetadata {
  issuer: string;
  jwks_uri: string;
}

/**
 * The authorization server's metadata, from OpenID Connect discovery or RFC 8414 (whose well-known
 * path goes before the issuer's own path). Its `issuer` must be the configured one exactly.
 */
async function authorizationServerMetadata(issuer: string): Promise<ServerMetadata> {
  const base = new URL(issuer);
  const path = base.pathname.replace(/\/+$/, '');
  const candidates = [
    `${base.origin}${path}/.well-known/openid-configuration`,
    `${base.origin}/.well-known/oauth-authorization-server${path}`,
  ];
  const problems: string[] = [];
  for (const url of candidates) {
    try {
      const res = await fetch(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) {
        problems.push(`${url}: HTTP ${res.status}`);
        continue;
      }
      const body = (await res.json()) as Partial<ServerMetadata>;
      if (body.issuer !== issuer)
        throw new Error(`${url} names issuer '${String(body.issuer)}', not '${issuer}' (VIGIL_OAUTH_ISSUER)`);
      if (typeof body.jwks_uri !== 'string') throw new Error(`${url} names no jwks_uri`);
      return { issuer, jwks_uri: body.jwks_uri };
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  throw new Error(`the authorization server's metadata could not be read (${problems.join('; ')})`);
}

function deny(message: string, challenge: string, foreign = false): AuthOutcome {
  return { ok: false, status: 401, message, challenge, ...(foreign && { foreign }) };
}
