/**
 * The Pingera provider: monitoring and status pages (pages, components, status-page incidents,
 * checks, heartbeats, alerts, secrets) answered by a Pingera account over API v1.
 *
 * The credential is chosen per call: the request's own `Authorization` value (a Pingera key, or
 * `Bearer <jwt>`), then PINGERA_API_KEY, then PINGERA_JWT_TOKEN. Each call gets its own client
 * and ports, so concurrent requests with different credentials share nothing that changes (the
 * seed swapped one global client per request, and raced).
 */
import { UnauthorizedError, VigilError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { ConnectionReport, Ports } from '../../core/ports.js';
import { PingeraAlerts } from './alerts.js';
import { PingeraChecks } from './checks.js';
import { credentialOf, PingeraClient, type PingeraCredential } from './client.js';
import { PingeraHeartbeats } from './heartbeats.js';
import { PingeraSecrets } from './secrets.js';
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
}

/** The toolsets Pingera serves. */
export const PINGERA_TOOLSETS = ['status_pages', 'checks', 'heartbeats', 'alerts'] as const;

type Source = 'Authorization header' | 'PINGERA_API_KEY' | 'PINGERA_JWT_TOKEN';

/** Tools Pingera's API has no operation for: not listed; a call answers NOT_SUPPORTED. */
export const PINGERA_UNSUPPORTED_TOOLS = ['delete_incident_update'];

export class PingeraProvider {
  readonly name = 'pingera';

  constructor(private readonly opts: PingeraOptions) {}

  private resolve(header: string | undefined): { source: Source; credential: PingeraCredential } {
    if (header?.trim()) return { source: 'Authorization header', credential: credentialOf(header) };
    if (this.opts.apiKey)
      return { source: 'PINGERA_API_KEY', credential: { kind: 'api_key', value: this.opts.apiKey } };
    if (this.opts.jwt)
      return { source: 'PINGERA_JWT_TOKEN', credential: { kind: 'jwt', value: this.opts.jwt } };
    throw new UnauthorizedError(
      'No Pingera credential for this request: send `Authorization: <Pingera API key>` or `Authorization: Bearer <JWT>`, or set PINGERA_API_KEY or PINGERA_JWT_TOKEN.',
    );
  }

  client(header: string | undefined): PingeraClient {
    return new PingeraClient(
      {
        baseUrl: this.opts.baseUrl,
        timeoutMs: this.opts.timeoutMs,
        maxRetries: this.opts.maxRetries,
        log: this.opts.log,
        userAgent: `vigil/${this.opts.version}`,
        ...(this.opts.sleep && { sleep: this.opts.sleep }),
      },
      async () => this.resolve(header).credential,
    );
  }

  /** The ports for one call, bound to that caller's credential. */
  portsFor(header: string | undefined): Required<
    Pick<Ports, 'statusPages' | 'checks' | 'heartbeats' | 'alerts' | 'secrets'>
  > & {
    meta: { testConnection(): Promise<ConnectionReport[]> };
  } {
    const client = this.client(header);
    return {
      statusPages: new PingeraStatusPages(client),
      checks: new PingeraChecks(client, this.opts.sleep ? { sleep: this.opts.sleep } : {}),
      heartbeats: new PingeraHeartbeats(client),
      alerts: new PingeraAlerts(client),
      secrets: new PingeraSecrets(client),
      meta: { testConnection: async () => [await this.report(header, client)] },
    };
  }

  /** Whether the credential works, as the seed's test_pingera_connection says it. */
  private async report(header: string | undefined, client: PingeraClient): Promise<ConnectionReport> {
    const details: Record<string, unknown> = { base_url: this.opts.baseUrl, api_version: 'v1' };
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
