/**
 * The Pingera provider: monitoring and status pages (pages, components, status-page incidents,
 * checks, heartbeats, alerts, secrets) answered by a Pingera account over API v1.
 *
 * The credential is chosen per call: the request's own `Authorization` value (a Pingera key, or
 * `Bearer <jwt>`), then PINGERA_API_KEY, then PINGERA_JWT_TOKEN. Each call gets its own client
 * and ports, so concurrent requests with different credentials share nothing that changes (the
 * seed swapped one global client per request, and raced).
 */
import type { Config, Variable } from '../../core/config.js';
import { UnauthorizedError, VigilError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { ConnectionReport, Ports } from '../../core/ports.js';
import type { CallerRequest, Provider, ProviderCaller, ProviderEnv } from '../../core/provider.js';
import { PingeraAlerts } from './alerts.js';
import { PingeraChecks } from './checks.js';
import { credentialOf, PingeraClient, type PingeraCredential } from './client.js';
import { PingeraHeartbeats } from './heartbeats.js';
import { PingeraSecrets } from './secrets.js';
import { pingeraSeedTools } from './seed.js';
import { PINGERA_VARIABLES, type PingeraSettings, pingeraSettings } from './settings.js';
import { PingeraStatusPages } from './status-pages.js';

export interface PingeraOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  jwt?: string | undefined;
  timeoutMs: number;
  maxRetries: number;
  log: Logger;
  version: string;
  sleep?: (ms: number) => Promise<void>;
  /** The seed's remote setup (see pingeraPerRequest): answer only calls that bring a credential. */
  perRequest?: boolean | undefined;
}

/** The toolsets Pingera serves. */
export const PINGERA_TOOLSETS = ['status_pages', 'checks', 'heartbeats', 'alerts'] as const;

type Source = 'Authorization header' | 'PINGERA_API_KEY' | 'PINGERA_JWT_TOKEN';

/** Tools Pingera's API has no operation for: not listed; a call answers NOT_SUPPORTED. */
export const PINGERA_UNSUPPORTED_TOOLS = ['delete_incident_update'];

/**
 * The Pingera seed's remote setup: `TRANSPORT_MODE=sse|http` and `REQUIRE_AUTH_HEADER=true`, no
 * Pingera credential configured and no VIGIL_PROVIDERS. Every request then brings a credential,
 * and one that is not a Vigil API key or JWT is that client's Pingera key or JWT: Pingera answers
 * the monitoring and status-page toolsets for that request, from that client's account. Requests
 * with a Vigil key or JWT keep the embedded engine for everything.
 */
export function pingeraPerRequest(config: Config, settings = pingeraSettings(config)): boolean {
  return (
    config.providers === undefined &&
    !settings.apiKey &&
    !settings.jwt &&
    (config.transport === 'sse' || config.transport === 'http') &&
    config.requireAuthHeader
  );
}

/** The provider from the configuration (PINGERA_*, and the seed's remote setup). */
export function pingeraProvider(config: Config, env: ProviderEnv): PingeraProvider {
  const settings: PingeraSettings = pingeraSettings(config);
  return new PingeraProvider({ ...settings, ...env, perRequest: pingeraPerRequest(config, settings) });
}

export class PingeraProvider implements Provider<PingeraOptions> {
  readonly name = 'pingera';
  readonly unsupportedTools = PINGERA_UNSUPPORTED_TOOLS;
  readonly variables: readonly Variable[] = PINGERA_VARIABLES;
  readonly seedTools = pingeraSeedTools;
  /** An Authorization value that is not Vigil's is the caller's Pingera key or `Bearer <jwt>`. */
  readonly foreignAuthorization = { toolsets: [...PINGERA_TOOLSETS, 'meta'] };

  constructor(readonly settings: PingeraOptions) {}

  /** A key or JWT of its own, or the seed's remote setup where each request brings one. */
  get configured(): boolean {
    return Boolean(this.settings.apiKey || this.settings.jwt || this.settings.perRequest);
  }

  /** In the seed's remote setup Pingera answers only the requests that bring its credential. */
  get onlyWithCredential(): boolean {
    return Boolean(this.settings.perRequest);
  }

  credential(request: CallerRequest): string | undefined {
    return request.foreignAuthorization;
  }

  private resolve(header: string | undefined): { source: Source; credential: PingeraCredential } {
    if (header?.trim()) return { source: 'Authorization header', credential: credentialOf(header) };
    if (this.settings.apiKey)
      return { source: 'PINGERA_API_KEY', credential: { kind: 'api_key', value: this.settings.apiKey } };
    if (this.settings.jwt)
      return { source: 'PINGERA_JWT_TOKEN', credential: { kind: 'jwt', value: this.settings.jwt } };
    throw new UnauthorizedError(
      'No Pingera credential for this request: send `Authorization: <Pingera API key>` or `Authorization: Bearer <JWT>`, or set PINGERA_API_KEY or PINGERA_JWT_TOKEN.',
    );
  }

  client(header: string | undefined): PingeraClient {
    return new PingeraClient(
      {
        baseUrl: this.settings.baseUrl,
        timeoutMs: this.settings.timeoutMs,
        maxRetries: this.settings.maxRetries,
        log: this.settings.log,
        userAgent: `vigil/${this.settings.version}`,
        ...(this.settings.sleep && { sleep: this.settings.sleep }),
      },
      async () => this.resolve(header).credential,
    );
  }

  /** The ports for one call, bound to that caller's credential. */
  portsFor(caller: ProviderCaller): Required<
    Pick<Ports, 'statusPages' | 'checks' | 'heartbeats' | 'alerts' | 'secrets'>
  > & {
    meta: { testConnection(): Promise<ConnectionReport[]> };
  } {
    const header = caller.credential;
    const client = this.client(header);
    return {
      statusPages: new PingeraStatusPages(client),
      checks: new PingeraChecks(client, this.settings.sleep ? { sleep: this.settings.sleep } : {}),
      heartbeats: new PingeraHeartbeats(client),
      alerts: new PingeraAlerts(client),
      secrets: new PingeraSecrets(client),
      meta: { testConnection: async () => [await this.report(header, client)] },
    };
  }

  /** Whether the credential works, as the seed's test_pingera_connection says it. */
  private async report(header: string | undefined, client: PingeraClient): Promise<ConnectionReport> {
    const details: Record<string, unknown> = { base_url: this.settings.baseUrl, api_version: 'v1' };
    try {
      const { source, credential } = this.resolve(header);
      details.credential = source;
      details.authentication = credential.kind === 'jwt' ? 'Bearer JWT' : 'API key';
      await client.get('/v1/checks', { page: 1, page_size: 1 });
      return { provider: 'pingera', connected: true, details };
    } catch (err) {
      if (!(err instanceof VigilError)) throw err;
      return {
        provider: 'pingera',
        connected: false,
        details: { ...details, error: err.code, message: err.message },
      };
    }
  }
}
