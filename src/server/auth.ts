/**
 * HTTP authentication: turns an Authorization header into a Principal, or a 401. Accepts a Vigil
 * API key, or a JWT (HS256 secret, or JWKS with issuer and audience checked) that expires and whose
 * `mode` and `toolsets` claims, when present, name only what Vigil knows: a claim that cannot be
 * honoured refuses the token rather than being ignored (which would widen it). Requests without
 * credentials pass as anonymous only while no authentication is configured.
 */
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import type { Config } from '../core/config.js';
import type { Mode, Principal } from '../core/principal.js';
import { type ApiKeyRepository, looksLikeApiKey } from '../providers/embedded/store/api-keys.js';
import { TOOLSETS } from '../tools/define-tool.js';

export type AuthOutcome =
  | {
      ok: true;
      principal: Principal;
      /** The Authorization value when it is a Pingera credential (not a Vigil key or JWT). */
      pingera?: string;
    }
  | {
      ok: false;
      status: 401;
      message: string;
      challenge: string;
      /** For a JWT: true when no key of Vigil's signed it (it may be someone else's token). */
      foreign?: boolean;
    };

/** Where an Authorization that Vigil does not recognise may be a SaaS provider's own credential. */
export interface UpstreamAuth {
  /** Pingera is active: such a value is the caller's Pingera key or JWT. */
  pingera: boolean;
  /** The toolsets Pingera serves: all a Pingera credential reaches once Vigil's own auth is set up. */
  pingeraToolsets: readonly string[];
}

const REALM = 'Bearer realm="vigil"';
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
  private hasKeys: { value: boolean; at: number } | undefined;

  constructor(
    private readonly config: Pick<Config, 'mode' | 'jwt' | 'requireAuthHeader' | 'userEmail'>,
    private readonly apiKeys: ApiKeyRepository,
    private readonly upstream: UpstreamAuth = { pingera: false, pingeraToolsets: [] },
  ) {}

  get jwtConfigured(): boolean {
    return Boolean(this.config.jwt.secret || this.config.jwt.jwksUrl);
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
        return deny('This server requires an Authorization header: a Vigil API key or a JWT.', REALM);
      }
      return { ok: true, principal: this.anonymous() };
    }
    if (looksLikeApiKey(token)) {
      const key = await this.apiKeys.verify(token);
      if (!key)
        return deny('The API key is not valid or has been revoked.', `${REALM}, error="invalid_token"`);
      void this.apiKeys.touch(key.id).catch(() => undefined);
      return {
        ok: true,
        principal: {
          kind: 'api_key',
          label: `key:${key.name}`,
          mode: key.mode,
          ...(key.toolsets && { toolsets: key.toolsets }),
          ...(key.user_id && { userId: key.user_id }),
        },
      };
    }
    if (this.jwtConfigured && token.split('.').length === 3) {
      const outcome = await this.verifyJwt(token);
      // Only a JWT that Vigil's keys did not sign may be Pingera's; an expired Vigil JWT, or one
      // for another audience, is refused here and never sent on to a third party.
      if (outcome.ok || !this.upstream.pingera || !outcome.foreign) return outcome;
    }
    if (this.upstream.pingera) return this.pingeraCaller((header as string).trim());
    if (this.config.requireAuthHeader || (await this.configured())) {
      return deny(
        'The Authorization header is neither a Vigil API key nor a valid JWT.',
        `${REALM}, error="invalid_token"`,
      );
    }
    // No authentication configured here: an unrecognised credential (e.g. one meant for a SaaS
    // provider that is not active) does not grant or deny anything.
    return { ok: true, principal: this.anonymous() };
  }

  /**
   * A request that brings its own Pingera credential. Without Vigil authentication set up it is
   * anonymous, as any request is; with it, the credential reaches only what Pingera serves.
   */
  private async pingeraCaller(value: string): Promise<AuthOutcome> {
    const guarded = this.config.requireAuthHeader || (await this.configured());
    return {
      ok: true,
      pingera: value,
      principal: guarded
        ? {
            kind: 'anonymous',
            label: 'pingera-credential',
            upstreamOnly: true,
            mode: this.config.mode,
            toolsets: this.upstream.pingeraToolsets,
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
          `${REALM}, error="invalid_token"`,
        );
      return deny(
        `The JWT was rejected: ${(err as Error).message}.`,
        `${REALM}, error="invalid_token"`,
        NOT_SIGNED_BY_VIGIL.has((err as { code?: string }).code ?? ''),
      );
    }
    const claims = payload as JWTPayload & { email?: unknown; mode?: unknown; toolsets?: unknown };
    const scope = jwtScope(claims, this.config.mode);
    if ('refused' in scope) return deny(scope.refused, `${REALM}, error="invalid_token"`);
    const { mode, toolsets } = scope;
    const email =
      typeof claims.email === 'string' ? claims.email : claims.sub?.includes('@') ? claims.sub : undefined;
    return {
      ok: true,
      principal: {
        kind: 'jwt',
        label: `jwt:${claims.sub ?? 'unknown'}`,
        mode,
        ...(toolsets && { toolsets }),
        ...(email ? { userEmail: email } : claims.sub ? { userId: claims.sub } : {}),
      },
    };
  }
}

const MODES: readonly Mode[] = ['read_only', 'read_write'];
const KNOWN_TOOLSETS: ReadonlySet<string> = new Set(TOOLSETS);

/**
 * The mode and toolsets a JWT's claims grant. Absent claims leave the server's mode and no toolset
 * limit; a claim present with a value Vigil does not know is refused, naming the claim.
 */
function jwtScope(
  claims: { mode?: unknown; toolsets?: unknown },
  serverMode: Mode,
): { mode: Mode; toolsets?: string[] } | { refused: string } {
  let mode = serverMode;
  if (claims.mode !== undefined) {
    if (!MODES.includes(claims.mode as Mode))
      return {
        refused: `The JWT's \`mode\` claim is ${JSON.stringify(claims.mode)}; it accepts ${MODES.join(' or ')}.`,
      };
    mode = claims.mode as Mode;
  }
  if (claims.toolsets === undefined) return { mode };
  const raw = claims.toolsets;
  const names =
    typeof raw === 'string'
      ? raw.split(',').map((s) => s.trim())
      : Array.isArray(raw) && raw.every((t) => typeof t === 'string')
        ? raw.map((t) => t.trim())
        : undefined;
  if (!names)
    return {
      refused:
        "The JWT's `toolsets` claim must be a list of toolset names or one comma-separated string of them.",
    };
  const toolsets = names.filter(Boolean);
  const unknown = toolsets.filter((t) => !KNOWN_TOOLSETS.has(t));
  if (unknown.length)
    return {
      refused: `The JWT's \`toolsets\` claim names unknown toolset(s) ${unknown.map((t) => `'${t}'`).join(', ')}; known: ${TOOLSETS.join(', ')}.`,
    };
  return { mode, toolsets };
}

function deny(message: string, challenge: string, foreign = false): AuthOutcome {
  return { ok: false, status: 401, message, challenge, ...(foreign && { foreign }) };
}
