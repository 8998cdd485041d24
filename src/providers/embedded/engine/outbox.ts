/**
 * Sends what the delivery outbox holds — pages to people, alert notifications, Events API
 * events — each delivery on its own so a failing channel never holds up the others, through the
 * channel strategy of its kind, retrying failures with backoff. A delivery is sent again only
 * when its outcome is unknown (the process died mid-send); it keeps its id, the `webhook-id`
 * receivers drop repeats by.
 */
import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import { CHANNEL_KINDS, type ChannelKind } from '../../../core/channels.js';
import type { Clock } from '../../../core/clock.js';
import type { Logger } from '../../../core/log.js';
import {
  type DeliveryRepository,
  type DueDelivery,
  type Outcome,
  touchChannels,
} from '../store/deliveries-repo.js';
import { logEntry } from '../store/incident-log.js';
import type { Database } from '../store/schema.js';
import { suspendRejected } from '../store/status-subscriber-news.js';
import { AddressRejectedError } from './channels/email.js';
import { type Channel, PermanentDeliveryError, RetryableDeliveryError } from './channels/index.js';
import { mapLimit } from './map-limit.js';
import { messageOf, type ResponderLink } from './messages.js';
import { type SubscriberLinks, subscriberMessage } from './subscriber-messages.js';

const MAX_ATTEMPTS = 5;
const FIRST_RETRY_MS = 30_000;
/** The longest wait a receiver's retry hint (Retry-After, retry_after) is followed for. */
const MAX_HINT_MS = 3_600_000;
/** Sends at once. */
const CONCURRENCY = 100;

export class Outbox {
  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly channels: Partial<Record<string, Channel>>,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** The responder page's address for an incident and a person, as of a send at `now`. */
    private readonly responderLink?: (incidentId: string, userId: string, now: number) => string,
    /** Where a status-page subscriber's links go (its page's address, signed tokens). */
    private readonly subscriberLinks?: SubscriberLinks,
  ) {}

  /** Sends the deliveries due at `now` (up to `batch`); answers how many it took. */
  async deliverDue(now: number, batch: number): Promise<number> {
    const token = randomBytes(12).toString('base64url');
    const due = await this.deliveries.claimDue(token, now, batch);
    const outcomes = await mapLimit(due, CONCURRENCY, (d) => this.attempt(d, now));
    const byId = new Map(due.map((d) => [d.id, d]));
    await this.deliveries.record(token, this.clock.now(), outcomes, (trx, recorded) =>
      this.settled(trx, recorded, byId),
    );
    return due.length;
  }

  nextDue(): Promise<number | undefined> {
    return this.deliveries.nextDue();
  }

  /** Sends one delivery; answers its outcome. Never throws. */
  private async attempt(d: DueDelivery, now: number): Promise<Outcome> {
    const channel = this.channels[d.kind];
    if (!channel) {
      const needs = (CHANNEL_KINDS as Partial<Record<string, ChannelKind>>)[d.kind]?.needs;
      const error = `No ${d.kind} channel on this server${needs ? `: set ${needs}` : ''}.`;
      return { id: d.id, status: 'unsupported', error, retryAt: now };
    }
    const responder = this.responderLink;
    const link: ResponderLink | undefined =
      responder && ((incidentId, userId) => responder(incidentId, userId, now));
    const sentAt = new Date(now).toISOString();
    const message =
      d.subscriber_id !== null
        ? d.subscription &&
          this.subscriberLinks &&
          subscriberMessage(d, d.subscription, sentAt, this.subscriberLinks, now)
        : messageOf(d, sentAt, link);
    if (!message)
      return { id: d.id, status: 'failed', error: 'What it was about no longer exists.', retryAt: now };
    try {
      await channel.send({ address: d.address, secret: d.secret }, message);
      return { id: d.id, status: 'delivered', error: null, retryAt: now };
    } catch (err) {
      const attempts = d.attempts + 1;
      const reason = (err as Error).message;
      const final = err instanceof PermanentDeliveryError || attempts >= MAX_ATTEMPTS;
      this.log.warn({ delivery: d.id, kind: d.kind, attempts, err: reason }, 'notification failed');
      // The receiver's own hint when it gave one (a 429's Retry-After), else backoff.
      const hint = err instanceof RetryableDeliveryError ? err.retryAfterMs : undefined;
      const wait = hint === undefined ? FIRST_RETRY_MS * 2 ** (attempts - 1) : Math.min(hint, MAX_HINT_MS);
      return {
        id: d.id,
        status: final ? 'failed' : 'pending',
        error: reason,
        retryAt: now + wait,
        ...(err instanceof AddressRejectedError && { rejected: true }),
      };
    }
  }

  /** What settled deliveries leave behind: a line on their incident's log, a channel's last use. */
  private async settled(trx: Transaction<Database>, recorded: Outcome[], byId: Map<string, DueDelivery>) {
    const at = new Date(this.clock.now()).toISOString();
    const used = new Set<string>();
    for (const o of recorded) {
      const d = byId.get(o.id) as DueDelivery;
      if (o.status === 'delivered' && d.channel_id) used.add(d.channel_id);
      if (!d.incident_id || o.status === 'pending') continue;
      const summary =
        o.status === 'delivered'
          ? `Notified by ${d.kind} (${d.event})`
          : o.status === 'unsupported'
            ? `Could not notify by ${d.kind}: ${o.error}`
            : `Could not notify by ${d.kind} after ${d.attempts + 1} attempts: ${o.error}`;
      await logEntry(trx, d.incident_id, 'notify_log_entry', at, undefined, summary, {
        user_id: d.user_id,
        channel: d.kind,
        delivery_id: d.id,
        status: o.status,
      });
    }
    await touchChannels(trx, [...used], this.clock.now());
    const rejected = recorded.flatMap((o) => {
      const subscriberId = byId.get(o.id)?.subscriber_id;
      return o.rejected && subscriberId ? [{ subscriberId, reason: o.error ?? 'refused' }] : [];
    });
    await suspendRejected(trx, rejected, this.clock.now());
  }
}
