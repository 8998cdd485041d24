/**
 * The PagerDuty provider's settings: the seed's variables (and Vigil's PAGERDUTY_EVENTS_URL),
 * read through their schemas from the same environment as core's.
 */
import { z } from 'zod';
import { type Config, port, type SettingsOf, url } from '../../core/config.js';
import { EVENTS_API_EU_URL, EVENTS_API_URL } from '../../core/events-v2.js';

export const PAGERDUTY_VARIABLES = [
  {
    name: 'PAGERDUTY_API_TOKEN',
    schema: z.string().min(1),
    description: 'PagerDuty REST API token (the pagerduty provider).',
  },
  {
    name: 'PAGERDUTY_API_HOST',
    default: 'https://api.pagerduty.com',
    schema: url('an https:// URL'),
    description: 'PagerDuty API host (https://api.eu.pagerduty.com for EU accounts).',
  },
  {
    name: 'PAGERDUTY_EVENTS_URL',
    schema: z.url({ protocol: /^https?$/, error: 'accepts an http:// or https:// URL' }),
    description:
      'Where alert rules with a routing_key send Events API v2 events. Default https://events.pagerduty.com/v2/enqueue (https://events.eu.pagerduty.com/v2/enqueue when PAGERDUTY_API_HOST is the EU host).',
  },
  {
    name: 'PAGERDUTY_CLIENT_ID',
    schema: z.string().min(1),
    description: 'PagerDuty OAuth client id (browser login with PKCE).',
  },
  {
    name: 'PAGERDUTY_CLIENT_SECRET',
    schema: z.string().min(1),
    description: 'PagerDuty OAuth client secret (enables token refresh).',
  },
  {
    name: 'PAGERDUTY_OAUTH_CALLBACK_PORT',
    default: '5173',
    schema: port,
    description: 'Port of the local OAuth callback.',
  },
  {
    name: 'PAGERDUTY_USER_EMAIL',
    schema: z.email({ error: 'accepts an email address' }),
    description: 'The From address for PagerDuty writes.',
  },
] as const;

export interface PagerDutySettings {
  host: string;
  token: string | undefined;
  userEmail: string | undefined;
  oauth: { clientId: string; clientSecret: string | undefined; callbackPort: number } | undefined;
  /** The Events API v2 endpoint alert rules with a routing key send to. */
  eventsUrl: string;
}

/** The settings from the configuration's environment; throws ConfigError naming a bad variable. */
export function pagerDutySettings(config: Config): PagerDutySettings {
  const s: SettingsOf<typeof PAGERDUTY_VARIABLES> = config.settingsOf(PAGERDUTY_VARIABLES);
  return {
    host: s.PAGERDUTY_API_HOST,
    token: s.PAGERDUTY_API_TOKEN,
    userEmail: s.PAGERDUTY_USER_EMAIL,
    oauth: s.PAGERDUTY_CLIENT_ID
      ? {
          clientId: s.PAGERDUTY_CLIENT_ID,
          clientSecret: s.PAGERDUTY_CLIENT_SECRET,
          callbackPort: s.PAGERDUTY_OAUTH_CALLBACK_PORT,
        }
      : undefined,
    eventsUrl: s.PAGERDUTY_EVENTS_URL ?? defaultEventsUrl(s.PAGERDUTY_API_HOST),
  };
}

/** EU accounts take events on PagerDuty's EU host, as their REST API is on its EU host. */
function defaultEventsUrl(apiHost: string): string {
  return new URL(apiHost).hostname === 'api.eu.pagerduty.com' ? EVENTS_API_EU_URL : EVENTS_API_URL;
}
