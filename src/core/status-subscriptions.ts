/**
 * Status-page subscribers: people and systems told of a page's incidents, their updates and its
 * maintenance, by email (double opt-in from the page, or added by an operator), webhook (signed
 * as every Vigil webhook) or a chat webhook (Slack, Teams, Discord). Field names follow
 * PagerDuty's status page subscriptions (`channel`, `contact`, `status`) where they fit.
 * Also the signed tokens the subscribers' links carry, and the addresses those links live at.
 * A subscription, a page's counts and an update's deliveries are each defined once, as a zod
 * schema its type derives from; the tools' output schemas are these.
 */
import { z } from 'zod';
import { addressProblem } from './channels.js';
import type { Page } from './directory.js';
import { VigilError } from './errors.js';
import { TokenSigner } from './signed-token.js';

/** Channel kinds (core/channels.ts) a subscriber may be: their senders deliver subscribers' news too. */
export const SUBSCRIBER_CHANNELS = ['email', 'webhook', 'slack', 'microsoft_teams', 'discord'] as const;
export type SubscriberChannel = (typeof SUBSCRIBER_CHANNELS)[number];

/** pending: not confirmed yet; active: told of news; suspended: the mail server refused the address. */
export const SUBSCRIPTION_STATUSES = ['active', 'pending', 'suspended'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** What subscribers are told of (the `event` of their deliveries). */
export const SUBSCRIBER_EVENTS = [
  'incident_created',
  'incident_updated',
  'incident_resolved',
  'maintenance_scheduled',
  'maintenance_reminder',
  'maintenance_started',
  'maintenance_updated',
  'maintenance_completed',
] as const;
export type SubscriberEvent = (typeof SUBSCRIBER_EVENTS)[number];

/** A confirmation link works this long; an address never confirmed is forgotten after UNCONFIRMED_TTL_MS. */
export const CONFIRM_TTL_MS = 48 * 3_600_000;
export const UNCONFIRMED_TTL_MS = 7 * 86_400_000;
/** The manage and unsubscribe links in every message work this long after it was sent. */
export const MANAGE_TTL_MS = 365 * 86_400_000;
/** A maintenance reminder goes this long before the start, unless reminder_intervals says otherwise. */
export const DEFAULT_REMINDER_MS = 3_600_000;

export const subscriptionSchema = z.object({
  id: z.string(),
  type: z.string(),
  status_page: z.object({ id: z.string(), type: z.string() }),
  /** What it is subscribed to, as PagerDuty names it: always the whole page (components narrow it). */
  subscribable_object: z.object({ id: z.string(), type: z.string() }),
  channel: z.string(),
  /** The email address or webhook URL. */
  contact: z.string(),
  status: z.string(),
  /** Component ids it is limited to (a group stands for its members). */
  components: z.array(z.string()),
  /** Told of every component's news; false when it chose components (even if all were deleted since). */
  all_components: z.boolean(),
  /** Who added it: the public page (double opt-in) or an operator (confirmed at once). */
  origin: z.string(),
  confirmed_at: z.string().nullable(),
  /** Why it is suspended (the mail server's answer). */
  suspended_reason: z.string().nullable(),
  created_at: z.string(),
  /** A webhook's signing secret: shown once, when it is created. */
  signing_secret: z.string().optional(),
});
/** Narrowed: the types, channel, status and origin to their vocabularies (answers list them as strings). */
export type Subscription = Omit<
  z.infer<typeof subscriptionSchema>,
  'type' | 'status_page' | 'subscribable_object' | 'channel' | 'status' | 'origin'
> & {
  type: 'status_page_subscription';
  status_page: { id: string; type: 'status_page' };
  subscribable_object: { id: string; type: 'status_page' };
  channel: SubscriberChannel;
  status: SubscriptionStatus;
  origin: 'page' | 'operator';
};

export interface SubscriptionInput {
  channel: SubscriberChannel;
  contact: string;
  components?: string[] | undefined;
}

export const subscriptionCountsSchema = z.object({
  page_id: z.string(),
  active: z.number(),
  pending: z.number(),
  suspended: z.number(),
  /** Active subscriptions per channel. */
  by_channel: z.record(z.string(), z.number()),
});
/** Narrowed: `by_channel` is keyed by SUBSCRIBER_CHANNELS (answers list any string key). */
export type SubscriptionCounts = Omit<z.infer<typeof subscriptionCountsSchema>, 'by_channel'> & {
  by_channel: Partial<Record<SubscriberChannel, number>>;
};

/** How many subscribers one incident update (or maintenance reminder) was sent to, and with what outcome. */
export const notifiedCountSchema = z.object({
  incident_id: z.string(),
  update_id: z.string().nullable(),
  event: z.string(),
  queued: z.number(),
  delivered: z.number(),
  failed: z.number(),
  pending: z.number(),
});
export type NotifiedCount = z.infer<typeof notifiedCountSchema>;

/** What a subscriber's link names: the subscription and the key it was made with. */
export interface SubscriberRef {
  id: string;
  key: string;
}

/** Which subscriptions a list returns, and which page of them. */
export interface SubscriptionFilter {
  status?: SubscriptionStatus | undefined;
  channel?: SubscriberChannel | undefined;
  limit: number;
  offset: number;
}

/** A subscribe request from a page's public form. */
export interface PublicSubscribeRequest {
  channel: 'email' | 'webhook';
  contact: string;
  components: string[];
  /** The client's address, counted against PER_CLIENT. */
  client: string;
}

/** What a public subscribe request led to; the page answers the same for each (no enumeration). */
export type SubscribeOutcome = 'created' | 'resent' | 'reminded';

/**
 * Subscribe requests that send something, per SUBSCRIBE_WINDOW_MS: from one client address, and
 * for one contact on one page. Counted in the store, so the limits hold across nodes.
 */
export const SUBSCRIBE_LIMITS = { client: 10, contact: 3 } as const;
export const SUBSCRIBE_WINDOW_MS = 10 * 60_000;

/** A subscribe request over SUBSCRIBE_LIMITS; nothing was stored or sent. */
export class SubscribeLimitError extends VigilError {
  constructor(
    readonly by: keyof typeof SUBSCRIBE_LIMITS,
    /** When the oldest counted request leaves the window. */
    readonly retryAfterMs: number,
  ) {
    super('RATE_LIMITED', `Too many subscribe requests for this ${by} just now.`, { by });
  }
}

export interface StatusSubscriptionsPort {
  list(pageRef: string, f: SubscriptionFilter): Promise<Page<Subscription>>;
  get(pageRef: string, id: string): Promise<Subscription>;
  /** An operator's subscriber: confirmed at once. */
  create(pageRef: string, input: SubscriptionInput): Promise<Subscription>;
  delete(pageRef: string, id: string): Promise<Subscription>;
  counts(pageRef?: string): Promise<SubscriptionCounts[]>;
  notified(pageRef: string, incidentId: string): Promise<NotifiedCount[]>;

  /**
   * A subscribe request from the public page: a new address is stored unconfirmed with a
   * confirmation queued (an email; for a webhook, a signed ping carrying its signing secret); a
   * pending one gets the confirmation again; a confirmed one a note with its manage link. Unknown
   * components, and requests over SUBSCRIBE_LIMITS (SubscribeLimitError), throw with nothing
   * stored.
   */
  subscribe(pageId: string, request: PublicSubscribeRequest): Promise<SubscribeOutcome>;
  /** The subscription a link names, when it still exists with that key. */
  byRef(ref: SubscriberRef): Promise<Subscription | undefined>;
  /** Confirms; answers false when it was confirmed already. */
  confirm(ref: SubscriberRef): Promise<boolean>;
  setComponents(ref: SubscriberRef, components: string[]): Promise<Subscription>;
  /** Answers false when it was gone already. */
  unsubscribe(ref: SubscriberRef): Promise<boolean>;
}

export type LinkPurpose = 'confirm' | 'manage';

export type OpenedLink =
  | { ok: true; ref: SubscriberRef; purpose: LinkPurpose }
  | { ok: false; reason: 'invalid' | 'expired' };

export interface SubscriberTokens {
  issue(ref: SubscriberRef, purpose: LinkPurpose, issuedAt: number): string;
  open(token: string): OpenedLink;
  /** A form token for a form drawn now at `path` (a page's, or a link's). */
  formToken(path: string): string;
  /** True when `given` was drawn for `path` in the last twelve hours. */
  checkForm(path: string, given: string): boolean;
}

const FORM_BUCKET_MS = 3_600_000;
const FORM_BUCKETS = 12;

/** Tokens signed under `secret` (read on first use); every node sharing it accepts them. */
export function subscriberTokens(secret: () => Buffer, now: () => number = Date.now): SubscriberTokens {
  const links = new TokenSigner(secret, 'vigil status subscriber link v1', now);
  const forms = new TokenSigner(secret, 'vigil status subscriber form v1', now);
  return {
    issue: (ref, purpose, issuedAt) =>
      links.issue(
        { s: ref.id, k: ref.key, a: purpose },
        issuedAt + (purpose === 'confirm' ? CONFIRM_TTL_MS : MANAGE_TTL_MS),
      ),
    open(token) {
      const opened = links.open(token);
      if (!opened.ok) return opened;
      const { s, k, a } = opened.claims;
      if (typeof s !== 'string' || typeof k !== 'string' || (a !== 'confirm' && a !== 'manage'))
        return { ok: false, reason: 'invalid' };
      return { ok: true, ref: { id: s, key: k }, purpose: a };
    },
    formToken(path) {
      const bucket = Math.floor(now() / FORM_BUCKET_MS);
      return `${bucket}.${forms.mac(`${bucket}.${path}`).toString('base64url')}`;
    },
    checkForm(path, given) {
      const [b, sig, extra] = given.split('.');
      const bucket = Number(b);
      const current = Math.floor(now() / FORM_BUCKET_MS);
      if (!sig || extra !== undefined || !Number.isInteger(bucket)) return false;
      if (bucket > current || bucket <= current - FORM_BUCKETS) return false;
      return forms.matches(`${bucket}.${path}`, sig);
    },
  };
}

/**
 * A page's public address: its own domain when it has one (links in mail never point at the
 * admin host then), else `/status/<subdomain or id>` under the server's public URL.
 */
export function pageAddress(
  publicUrl: string,
  page: { id: string; subdomain: string | null; domain: string | null },
): string {
  if (page.domain) return `${new URL(publicUrl).protocol}//${page.domain}`;
  return `${publicUrl.replace(/\/+$/, '')}/status/${encodeURIComponent(page.subdomain ?? page.id)}`;
}

const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/**
 * Why `contact` is not an address for `channel`; undefined when it is. Email is held to the plain
 * form (no display names, quotes, comments, spaces or line breaks), so an address can never carry
 * a header into a message.
 */
export function contactProblem(channel: SubscriberChannel, contact: string): string | undefined {
  if (channel === 'email') {
    return contact.length <= 254 && EMAIL.test(contact)
      ? undefined
      : 'an email address such as ops@example.com';
  }
  if (/\s/.test(contact)) return 'a URL without spaces or line breaks';
  return addressProblem(channel, contact);
}
