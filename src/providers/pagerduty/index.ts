/**
 * The PagerDuty provider: the incident-response ports (directory, incidents, escalation,
 * schedules, maintenance windows) answered by a PagerDuty account over REST API v2.
 *
 * The credential is chosen per call, in the seed's order: the request's `X-PagerDuty-Token`,
 * then PAGERDUTY_API_TOKEN, then (for a local process only) the OAuth login. Each call gets its
 * own ports bound to its own credential, so concurrent requests never see each other's account.
 */
import type { Config, Variable } from '../../core/config.js';
import { UnauthorizedError, VigilError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { ConnectionReport, Ports } from '../../core/ports.js';
import type { CallerRequest, Provider, ProviderCaller, ProviderEnv } from '../../core/provider.js';
import { type Credential, credentialOf, PagerDutyClient } from './client.js';
import { PagerDutyDirectory } from './directory.js';
import { PagerDutyIncidents } from './incidents.js';
import { PagerDutyMaintenanceWindows } from './maintenance-windows.js';
import { PagerDutyNotificationRules } from './notification-rules.js';
import { PagerDutyOAuth } from './oauth.js';
import { PagerDutyEscalation, PagerDutySchedules } from './oncall.js';
import { PAGERDUTY_SEED_TOOLS } from './seed.js';
import { ContextCache, Session } from './session.js';
import { PAGERDUTY_VARIABLES, pagerDutySettings } from './settings.js';

export interface PagerDutyOptions {
  host: string;
  token?: string | undefined;
  userEmail?: string | undefined;
  /** The OAuth login (PAGERDUTY_CLIENT_ID), for local processes without a token. */
  oauth?: { accessToken(): Promise<string> } | undefined;
  /** Where alert rules with a routing key send Events API v2 events (PAGERDUTY_EVENTS_URL). */
  eventsUrl?: string | undefined;
  log: Logger;
  version: string;
  timeoutMs?: number;
  maxRetries?: number;
  sleep?: (ms: number) => Promise<void>;
}

type Source = 'X-PagerDuty-Token header' | 'PAGERDUTY_API_TOKEN' | 'OAuth login';

/**
 * Tools whose port this provider serves but whose operation it leaves to PagerDuty's own UI:
 * not listed, and a call answers NOT_SUPPORTED naming the provider.
 */
export const PAGERDUTY_UNSUPPORTED_TOOLS = [
  'user',
  'team',
  'service',
  'escalation_policy',
  'schedule',
].flatMap((thing) => ['create', 'update', 'delete'].map((verb) => `${verb}_${thing}`));

/** The request header that carries a caller's own PagerDuty token, as the seed reads it. */
const TOKEN_HEADER = 'x-pagerduty-token';

/** The provider from the configuration (PAGERDUTY_*); the OAuth login only when a client id is set. */
export function pagerDutyProvider(config: Config, env: ProviderEnv): PagerDutyProvider {
  const { host, token, userEmail, oauth, eventsUrl } = pagerDutySettings(config);
  return new PagerDutyProvider({
    host,
    token,
    userEmail,
    oauth: oauth && new PagerDutyOAuth({ ...oauth, dataDir: config.dataDir, log: env.log }),
    eventsUrl,
    ...env,
  });
}

export class PagerDutyProvider implements Provider<PagerDutyOptions> {
  readonly name = 'pagerduty';
  readonly unsupportedTools = PAGERDUTY_UNSUPPORTED_TOOLS;
  readonly credentialHeaders = [TOKEN_HEADER];
  readonly variables: readonly Variable[] = PAGERDUTY_VARIABLES;
  /** The PagerDuty seed always had its three writes (acknowledge, resolve, add a note). */
  readonly writesWhenAlone = true;

  seedTools(): readonly string[] {
    return PAGERDUTY_SEED_TOOLS;
  }
  private readonly cache = new ContextCache();

  constructor(readonly settings: PagerDutyOptions) {}

  get eventsApiUrl(): string | undefined {
    return this.settings.eventsUrl;
  }

  /** A token or the OAuth login: without either, only requests bringing their own token are answered. */
  get configured(): boolean {
    return Boolean(this.settings.token || this.settings.oauth);
  }

  /** The request's `X-PagerDuty-Token`, trimmed; blank is none. */
  credential(request: CallerRequest): string | undefined {
    const value = request.headers[TOKEN_HEADER];
    return typeof value === 'string' && value.trim() ? value.trim() : undefined;
  }

  private source(caller: ProviderCaller): Source {
    if (caller.credential?.trim()) return 'X-PagerDuty-Token header';
    if (this.settings.token) return 'PAGERDUTY_API_TOKEN';
    if (!caller.local) {
      throw new UnauthorizedError(
        'PagerDuty credentials are not configured for this request. Provide the X-PagerDuty-Token header or set PAGERDUTY_API_TOKEN.',
      );
    }
    if (this.settings.oauth) return 'OAuth login';
    throw new UnauthorizedError(
      'No PagerDuty credential: set PAGERDUTY_API_TOKEN, or PAGERDUTY_CLIENT_ID to log in through the browser (OAuth).',
    );
  }

  private credentialFor(caller: ProviderCaller): () => Promise<Credential> {
    let memo: Promise<Credential> | undefined;
    return () => {
      memo ??= (async () => {
        const source = this.source(caller);
        if (source === 'X-PagerDuty-Token header') return credentialOf(caller.credential as string);
        if (source === 'PAGERDUTY_API_TOKEN') return credentialOf(this.settings.token as string);
        // An OAuth access token is always a Bearer token, whatever its prefix (the seed's bug 11).
        return {
          kind: 'bearer' as const,
          value: await (this.settings.oauth as { accessToken(): Promise<string> }).accessToken(),
        };
      })();
      return memo;
    };
  }

  /** The ports for one call, bound to that caller's credential. */
  portsFor(caller: ProviderCaller): Required<
    Pick<
      Ports,
      'directory' | 'incidents' | 'escalation' | 'schedules' | 'maintenanceWindows' | 'notificationRules'
    >
  > & {
    meta: { testConnection(): Promise<ConnectionReport[]> };
  } {
    const credential = this.credentialFor(caller);
    const client = new PagerDutyClient(
      {
        host: this.settings.host,
        log: this.settings.log,
        userAgent: `vigil/${this.settings.version}`,
        ...(this.settings.timeoutMs !== undefined && { timeoutMs: this.settings.timeoutMs }),
        ...(this.settings.maxRetries !== undefined && { maxRetries: this.settings.maxRetries }),
        ...(this.settings.sleep && { sleep: this.settings.sleep }),
      },
      credential,
    );
    const session = new Session(
      client,
      this.cache,
      async () => (await credential()).value,
      this.settings.userEmail,
    );
    return {
      directory: new PagerDutyDirectory(session),
      incidents: new PagerDutyIncidents(session),
      escalation: new PagerDutyEscalation(session),
      schedules: new PagerDutySchedules(session),
      maintenanceWindows: new PagerDutyMaintenanceWindows(session),
      notificationRules: new PagerDutyNotificationRules(session),
      meta: { testConnection: async () => [await this.report(caller, session)] },
    };
  }

  private async report(caller: ProviderCaller, session: Session): Promise<ConnectionReport> {
    const details: Record<string, unknown> = { host: this.settings.host };
    try {
      details.credential = this.source(caller);
      const me = await session.me().catch(async (err: unknown) => {
        if (!(err instanceof UnauthorizedError)) throw err;
        // An account-level key: no user, but the key works if the account answers.
        await session.client.get('/abilities');
        details.account_level_key = true;
        return undefined;
      });
      if (me) details.user = { id: me.id, name: me.name, email: me.email };
      return { provider: 'pagerduty', connected: true, details };
    } catch (err) {
      if (!(err instanceof VigilError)) throw err;
      return {
        provider: 'pagerduty',
        connected: false,
        details: { ...details, error: err.code, message: err.message },
      };
    }
  }
}
