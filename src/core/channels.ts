/**
 * Notification channel kinds: everything Vigil knows of a kind apart from how it sends (that is
 * the embedded engine's, one file per kind under providers/embedded/engine/channels/). A kind
 * names what its address is and how it is checked, whether deliveries are signed with a secret,
 * where it may be used (a person's contact method, an alert channel), and how an alert channel's
 * configuration gives its addresses. Adding a kind: one entry here, one sender file, one line in
 * the sender registry.
 */
import { createRequire } from 'node:module';

export interface ChannelKind {
  /** One line, for tool descriptions. */
  description: string;
  /**
   * What an address is: a URL to POST to, an email address, a phone number (E.164), a Pushover
   * user or group key, a Matrix room id, a Telegram chat id.
   */
  address: 'url' | 'email' | 'phone' | 'user_key' | 'room_id' | 'chat_id';
  /** URL kinds: the path a vendor's URLs have, and an example for the error that says so. */
  path?: { pattern: RegExp; example: string };
  /** Takes an access token, kept as the method's or channel's secret (never shown in reads). */
  token?: 'optional' | 'required';
  /** The settings it sends with, for the `unsupported` record of a server without them. */
  needs?: string;
  /** Deliveries carry a signature keyed with a secret made for each method or channel. */
  signed: boolean;
  /** May be a person's contact method; may be an alert channel. */
  contactMethod: boolean;
  alertChannel: boolean;
}

const TWILIO = 'VIGIL_TWILIO_ACCOUNT_SID, VIGIL_TWILIO_AUTH_TOKEN and VIGIL_TWILIO_FROM';

export const CHANNEL_KINDS = {
  email: {
    description: 'email over SMTP (VIGIL_SMTP_URL)',
    address: 'email',
    signed: false,
    contactMethod: true,
    alertChannel: true,
    needs: 'VIGIL_SMTP_URL',
  },
  phone: {
    description: 'E.164 number, called by Twilio',
    address: 'phone',
    signed: false,
    contactMethod: true,
    alertChannel: true,
    needs: TWILIO,
  },
  sms: {
    description: 'E.164 number, texted by Twilio',
    address: 'phone',
    signed: false,
    contactMethod: true,
    alertChannel: true,
    needs: TWILIO,
  },
  webhook: {
    description: 'a URL that receives signed JSON (Standard Webhooks)',
    address: 'url',
    signed: true,
    contactMethod: true,
    alertChannel: true,
  },
  slack: {
    description: 'a Slack incoming-webhook URL; messages carry buttons',
    address: 'url',
    signed: false,
    contactMethod: true,
    alertChannel: true,
  },
  microsoft_teams: {
    description: 'Workflows webhook URL',
    address: 'url',
    signed: false,
    contactMethod: true,
    alertChannel: true,
  },
  discord: {
    description: 'webhook URL',
    address: 'url',
    path: {
      pattern: /^\/api\/webhooks\/\d+\/[\w-]+\/?$/,
      example: 'https://discord.com/api/webhooks/<id>/<token>',
    },
    signed: false,
    contactMethod: true,
    alertChannel: true,
  },
  google_chat: {
    description: 'space webhook URL',
    address: 'url',
    path: {
      pattern: /^\/v1\/spaces\/[^/]+\/messages$/,
      example: 'https://chat.googleapis.com/v1/spaces/<space>/messages?key=…&token=…',
    },
    signed: false,
    contactMethod: true,
    alertChannel: true,
  },
  mattermost: {
    description: 'webhook URL',
    address: 'url',
    // Under the server's own path prefix, when it has one.
    path: { pattern: /\/hooks\/[A-Za-z0-9]+\/?$/, example: 'https://mattermost.example.com/hooks/<id>' },
    signed: false,
    contactMethod: true,
    alertChannel: true,
  },
  rocket_chat: {
    description: 'webhook URL',
    address: 'url',
    path: {
      pattern: /\/hooks\/[\w-]+\/[\w-]+\/?$/,
      example: 'https://chat.example.com/hooks/<id>/<token>',
    },
    signed: false,
    contactMethod: true,
    alertChannel: true,
  },
  ntfy: {
    description: 'topic URL, optional token',
    address: 'url',
    path: { pattern: /\/[\w-]{1,64}$/, example: 'https://ntfy.sh/<topic>' },
    token: 'optional',
    signed: false,
    contactMethod: true,
    alertChannel: true,
  },
  pushover: {
    description: 'user key',
    address: 'user_key',
    signed: false,
    contactMethod: true,
    alertChannel: true,
    needs: 'VIGIL_PUSHOVER_TOKEN',
  },
  gotify: {
    description: 'server URL, app token in ?token= or token',
    address: 'url',
    token: 'required',
    signed: false,
    contactMethod: true,
    alertChannel: true,
  },
  matrix: {
    description: 'room id, !room:server',
    address: 'room_id',
    signed: false,
    contactMethod: true,
    alertChannel: true,
    needs: 'VIGIL_MATRIX_HOMESERVER and VIGIL_MATRIX_ACCESS_TOKEN',
  },
  telegram: {
    description: 'a Telegram chat id, through the bot (VIGIL_TELEGRAM_BOT_TOKEN)',
    address: 'chat_id',
    signed: false,
    contactMethod: true,
    alertChannel: true,
    needs: 'VIGIL_TELEGRAM_BOT_TOKEN',
  },
} as const satisfies Record<string, ChannelKind>;

export type ChannelKindName = keyof typeof CHANNEL_KINDS;

type KindsWhere<F extends 'contactMethod' | 'alertChannel'> = {
  [K in ChannelKindName]: (typeof CHANNEL_KINDS)[K][F] extends true ? K : never;
}[ChannelKindName];

function kindsWhere<F extends 'contactMethod' | 'alertChannel'>(
  field: F,
): [KindsWhere<F>, ...KindsWhere<F>[]] {
  return (Object.keys(CHANNEL_KINDS) as ChannelKindName[]).filter(
    (k) => (CHANNEL_KINDS[k] as ChannelKind)[field],
  ) as [KindsWhere<F>, ...KindsWhere<F>[]];
}

export const CONTACT_METHOD_TYPES = kindsWhere('contactMethod');
export const CHANNEL_TYPES = kindsWhere('alertChannel');

/** "email (email over SMTP), …": the kinds in `names`, for a parameter's description. */
export function describeKinds(names: readonly ChannelKindName[]): string {
  return names.map((k) => `${k} (${CHANNEL_KINDS[k].description})`).join(', ');
}

const EMAIL = /^[^@\s]+@[^@\s]+$/;
const PUSHOVER_KEY = /^[A-Za-z0-9]{30}$/;
const ROOM_ID = /^![^\s:]+:(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;

/** What each kind of address must be, for errors. */
const ADDRESS_IS: Record<ChannelKind['address'], { one: string; many: string }> = {
  url: { one: 'an http:// or https:// URL', many: 'URLs' },
  email: { one: 'an email address such as ops@example.com', many: 'email addresses' },
  phone: { one: 'a phone number in E.164 form such as +14155550100', many: 'E.164 phone numbers' },
  user_key: { one: 'a 30-character Pushover user or group key', many: 'Pushover user keys' },
  room_id: { one: 'a Matrix room id such as !abc123:example.org', many: 'Matrix room ids' },
  chat_id: {
    one: "a Telegram chat id such as 123456789 or -1001234567890, or a channel's @username",
    many: 'Telegram chat ids',
  },
};
/** A user's or group's numeric id (supergroups and channels: -100…), or a public channel's @username. */
const CHAT_ID = /^(-?[1-9][0-9]{0,19}|@[A-Za-z][A-Za-z0-9_]{4,31})$/;

let phoneNumbers: typeof import('libphonenumber-js/min') | undefined;

/**
 * The E.164 form of a valid international phone number, judged by libphonenumber-js (its
 * metadata is kept up to date with numbering plans); undefined when it is not one. The library
 * loads at the first number, not at start-up: it costs ~30 ms of every cold start.
 */
export function e164(address: string): string | undefined {
  const text = address.trim();
  if (!/^\+[0-9 ().-]{6,24}$/.test(text)) return undefined;
  phoneNumbers ??= createRequire(import.meta.url)(
    'libphonenumber-js/min',
  ) as typeof import('libphonenumber-js/min');
  const number = phoneNumbers.parsePhoneNumberFromString(text);
  return number?.isValid() ? number.number : undefined;
}

/**
 * Why `address` is not a valid address for `kind`; undefined when it is. `token` is the access
 * token given beside it, for kinds that need one.
 */
export function addressProblem(kind: ChannelKindName, address: string, token?: string): string | undefined {
  const k: ChannelKind = CHANNEL_KINDS[kind];
  const is = ADDRESS_IS[k.address].one;
  switch (k.address) {
    case 'email':
      return EMAIL.test(address) ? undefined : is;
    case 'phone':
      return e164(address) ? undefined : is;
    case 'user_key':
      return PUSHOVER_KEY.test(address) ? undefined : is;
    case 'room_id':
      return ROOM_ID.test(address) ? undefined : is;
    case 'chat_id':
      return CHAT_ID.test(address) ? undefined : is;
    case 'url': {
      let url: URL;
      try {
        url = new URL(address);
      } catch {
        return is;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return is;
      if (k.path && !k.path.pattern.test(url.pathname)) return `a URL such as ${k.path.example}`;
      if (k.token === 'required' && !url.searchParams.get('token') && !token) {
        return 'a URL with its app token (?token=…), or the token given as token';
      }
      return undefined;
    }
  }
}

/**
 * An alert channel's configuration, checked for its kind: `{url}` (and `token` where the kind
 * takes one) for URL kinds, `{to: [...]}` for the others (email and phone numbers, Pushover user
 * keys, Matrix room ids). Answers the configuration to keep and the token (kept as the channel's
 * secret, not in its configuration), or the parameter at fault and what it must be.
 */
export function checkChannelConfiguration(
  kind: ChannelKindName,
  config: Record<string, unknown>,
): { configuration: Record<string, unknown>; token?: string } | { parameter: string; problem: string } {
  const k: ChannelKind = CHANNEL_KINDS[kind];
  const token = typeof config.token === 'string' && config.token !== '' ? config.token : undefined;
  if (token !== undefined && !k.token) {
    return { parameter: 'configuration.token', problem: `${aKind(kind)} channel takes no token.` };
  }
  if (k.address !== 'url') {
    const to = config.to;
    const list = Array.isArray(to) ? to : typeof to === 'string' ? [to] : [];
    const bad = list.find((a) => typeof a !== 'string' || addressProblem(kind, a));
    if (list.length === 0 || bad !== undefined)
      return {
        parameter: 'configuration.to',
        problem: `${aKind(kind)} channel needs configuration.to: one or more ${ADDRESS_IS[k.address].many}${
          bad === undefined ? '' : ` ('${String(bad)}' is not ${ADDRESS_IS[k.address].one})`
        }.`,
      };
    return { configuration: { to: k.address === 'phone' ? list.map((a) => e164(a)) : list } };
  }
  const url = typeof config.url === 'string' ? config.url : '';
  const problem = addressProblem(kind, url, token);
  if (problem)
    return {
      parameter: 'configuration.url',
      problem: `${aKind(kind)} channel needs configuration.url: ${problem}.`,
    };
  return { configuration: { url: new URL(url).toString() }, ...(token && { token }) };
}

/** "A webhook", "An email": the kind with its article, to open a sentence. */
function aKind(kind: ChannelKindName): string {
  return `${/^[aeiou]/.test(kind) ? 'An' : 'A'} ${kind}`;
}

/** The addresses an alert channel's (checked) configuration sends to. */
export function channelAddresses(kind: ChannelKindName, configuration: Record<string, unknown>): string[] {
  if (CHANNEL_KINDS[kind].address !== 'url') return (configuration.to as string[] | undefined) ?? [];
  return typeof configuration.url === 'string' ? [configuration.url] : [];
}
