/**
 * Notification channel kinds: everything Vigil knows of a kind apart from how it sends (that is
 * the embedded engine's, one file per kind under providers/embedded/engine/channels/). A kind
 * names what its address is and how it is checked, whether deliveries are signed with a secret,
 * where it may be used (a person's contact method, an alert channel), and how an alert channel's
 * configuration gives its addresses. Adding a kind: one entry here, one sender file, one line in
 * the sender registry.
 */

export interface ChannelKind {
  /** One line, for tool descriptions. */
  description: string;
  /** What an address is: a URL to POST to, an email address, a phone number. */
  address: 'url' | 'email' | 'phone';
  /** Deliveries carry a signature keyed with a secret made for each method or channel. */
  signed: boolean;
  /** May be a person's contact method; may be an alert channel. */
  contactMethod: boolean;
  alertChannel: boolean;
}

export const CHANNEL_KINDS = {
  email: {
    description: 'email over SMTP (VIGIL_SMTP_URL)',
    address: 'email',
    signed: false,
    contactMethod: true,
    alertChannel: true,
  },
  phone: {
    description: 'a phone number (kept; not called yet)',
    address: 'phone',
    signed: false,
    contactMethod: true,
    alertChannel: false,
  },
  sms: {
    description: 'a phone number for text messages (kept; not sent yet)',
    address: 'phone',
    signed: false,
    contactMethod: true,
    alertChannel: false,
  },
  webhook: {
    description: 'a URL that receives signed JSON (Standard Webhooks)',
    address: 'url',
    signed: true,
    contactMethod: true,
    alertChannel: true,
  },
  slack: {
    description: 'a Slack-compatible incoming-webhook URL (Slack, Mattermost, Rocket.Chat)',
    address: 'url',
    signed: false,
    contactMethod: true,
    alertChannel: true,
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
const PHONE = /^\+?[0-9 ()-]{5,20}$/;

/** Why `address` is not a valid address for `kind`; undefined when it is. */
export function addressProblem(kind: ChannelKindName, address: string): string | undefined {
  switch (CHANNEL_KINDS[kind].address) {
    case 'email':
      return EMAIL.test(address) ? undefined : 'an email address such as ops@example.com';
    case 'phone':
      return PHONE.test(address) ? undefined : 'a phone number such as +1 555 0100';
    case 'url': {
      try {
        const url = new URL(address);
        if (url.protocol === 'http:' || url.protocol === 'https:') return undefined;
      } catch {
        // not a URL
      }
      return 'an http:// or https:// URL';
    }
  }
}

/**
 * An alert channel's configuration, checked for its kind: `{url}` for URL kinds, `{to: [...]}` for
 * email. Answers the configuration to keep, or the parameter at fault and what it must be.
 */
export function checkChannelConfiguration(
  kind: ChannelKindName,
  config: Record<string, unknown>,
): { configuration: Record<string, unknown> } | { parameter: string; problem: string } {
  if (CHANNEL_KINDS[kind].address === 'email') {
    const to = config.to;
    const list = Array.isArray(to) ? to : typeof to === 'string' ? [to] : [];
    const bad = list.length === 0 || list.some((a) => typeof a !== 'string' || addressProblem(kind, a));
    if (bad)
      return {
        parameter: 'configuration.to',
        problem: `An ${kind} channel needs configuration.to: one or more email addresses.`,
      };
    return { configuration: { to: list } };
  }
  const url = typeof config.url === 'string' ? config.url : '';
  const problem = addressProblem(kind, url);
  if (problem)
    return {
      parameter: 'configuration.url',
      problem: `A ${kind} channel needs configuration.url: ${problem}.`,
    };
  return { configuration: { url: new URL(url).toString() } };
}

/** The addresses an alert channel's (checked) configuration sends to. */
export function channelAddresses(kind: ChannelKindName, configuration: Record<string, unknown>): string[] {
  if (CHANNEL_KINDS[kind].address === 'email') return (configuration.to as string[] | undefined) ?? [];
  return typeof configuration.url === 'string' ? [configuration.url] : [];
}
