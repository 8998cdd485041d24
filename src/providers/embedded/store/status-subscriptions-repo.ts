/**
 * Status-page subscribers on the embedded store: the `statusSubscriptions` port (operators' and
 * the public page's subscriptions, their components, their links), and forgetting addresses never
 * confirmed. A subscriber's links carry its random `link_key`: deleting the row voids every link
 * it was sent. What subscribers are told is in status-subscriber-news.ts.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../../core/clock.js';
import type { Page } from '../../../core/directory.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../core/errors.js';
import {
  contactProblem,
  type NotifiedCount,
  type PublicSubscribeRequest,
  type StatusSubscriptionsPort,
  type SubscribeOutcome,
  type SubscriberChannel,
  type SubscriberRef,
  type Subscription,
  type SubscriptionCounts,
  type SubscriptionFilter,
  type SubscriptionInput,
  type SubscriptionStatus,
  UNCONFIRMED_TTL_MS,
} from '../../../core/status-subscriptions.js';
import { queueDeliveries } from './deliveries-repo.js';
import { newId, newSigningSecret } from './ids.js';
import { type Db, groupBy, page } from './repo-helpers.js';
import type { Database, DeliveryEvent, StatusSubscribersTable } from './schema.js';
import { resolvePage } from './status-components-repo.js';
import { takeSubscribeRequest } from './status-subscribe-limits.js';
import { notifiedCounts } from './status-subscriber-news.js';

const statusOf = (r: StatusSubscribersTable): SubscriptionStatus =>
  r.rejected_at ? 'suspended' : r.confirmed_at ? 'active' : 'pending';

function toSubscription(r: StatusSubscribersTable, components: string[]): Subscription {
  return {
    id: r.id,
    type: 'status_page_subscription',
    status_page: { id: r.page_id, type: 'status_page' },
    subscribable_object: { id: r.page_id, type: 'status_page' },
    channel: r.kind,
    contact: r.address,
    status: statusOf(r),
    components,
    all_components: r.limited === 0,
    origin: r.origin,
    confirmed_at: r.confirmed_at,
    suspended_reason: r.rejection,
    created_at: r.created_at,
  };
}

/** Components (or groups) of the page, deduplicated; NOT_FOUND naming `components` otherwise. */
async function checkComponents(db: Db, pageId: string, ids: readonly string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  if (unique.length > 200)
    throw new ValidationError('Choose at most 200 components.', { parameter: 'components' });
  const rows = await db
    .selectFrom('status_components')
    .select('id')
    .where('page_id', '=', pageId)
    .where('id', 'in', unique)
    .execute();
  const found = new Set(rows.map((r) => r.id));
  const missing = unique.find((id) => !found.has(id));
  if (missing) throw new NotFoundError('component on this status page', missing, 'components');
  return unique;
}

async function setComponents(db: Db, subscriberId: string, ids: readonly string[]) {
  await db
    .updateTable('status_subscribers')
    .set({ limited: ids.length > 0 ? 1 : 0 })
    .where('id', '=', subscriberId)
    .execute();
  await db.deleteFrom('status_subscriber_components').where('subscriber_id', '=', subscriberId).execute();
  if (ids.length > 0)
    await db
      .insertInto('status_subscriber_components')
      .values(ids.map((component_id) => ({ subscriber_id: subscriberId, component_id })))
      .execute();
}

async function componentsOf(db: Db, ids: readonly string[]): Promise<Map<string, string[]>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('status_subscriber_components')
    .selectAll()
    .where('subscriber_id', 'in', ids)
    .orderBy('component_id')
    .execute();
  return new Map(
    [...groupBy(rows, (r) => r.subscriber_id)].map(([k, v]) => [k, v.map((r) => r.component_id)]),
  );
}

/** The page's subscription of `channel` for `contact` (matched without case). */
function byContact(db: Db, pageId: string, channel: SubscriberChannel, contact: string) {
  return db
    .selectFrom('status_subscribers')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('kind', '=', channel)
    .where('address_lower', '=', contact.toLowerCase())
    .executeTakeFirst();
}

/** Stores a new subscriber with the components it chose (a webhook with a new signing secret). */
async function insertSubscriber(
  db: Db,
  s: { pageId: string; channel: SubscriberChannel; contact: string; components: readonly string[] },
  origin: Subscription['origin'],
  at: string,
): Promise<Pick<StatusSubscribersTable, 'id' | 'address' | 'secret'>> {
  const row = {
    id: newId(),
    address: s.contact,
    secret: s.channel === 'webhook' ? newSigningSecret() : null,
  };
  await db
    .insertInto('status_subscribers')
    .values({
      ...row,
      page_id: s.pageId,
      kind: s.channel,
      address_lower: s.contact.toLowerCase(),
      link_key: randomBytes(12).toString('base64url'),
      origin,
      limited: 0,
      // An operator's subscriber is confirmed at once; the page's waits for its link.
      confirmed_at: origin === 'operator' ? at : null,
      rejected_at: null,
      rejection: null,
      created_at: at,
    })
    .execute();
  await setComponents(db, row.id, s.components);
  return row;
}

/** Forgets addresses never confirmed within UNCONFIRMED_TTL_MS; answers how many. */
export async function forgetUnconfirmed(db: Kysely<Database>, now: number): Promise<number> {
  const stale = await db
    .selectFrom('status_subscribers')
    .select('id')
    .where('confirmed_at', 'is', null)
    .where('created_at', '<', new Date(now - UNCONFIRMED_TTL_MS).toISOString())
    .execute();
  if (stale.length === 0) return 0;
  return db.transaction().execute((trx) =>
    forget(
      trx,
      stale.map((s) => s.id),
    ),
  );
}

/**
 * Deletes subscribers, voiding their links, and wipes their address from the deliveries they
 * were sent (which stay, counted in `notified`); one not yet sent is cancelled. Answers how many
 * subscribers went.
 */
async function forget(db: Db, ids: readonly string[]): Promise<number> {
  await db
    .updateTable('deliveries')
    .set({ address: '', secret: null, last_error: null })
    .where('subscriber_id', 'in', ids)
    .execute();
  await db
    .updateTable('deliveries')
    .set({ status: 'cancelled' })
    .where('subscriber_id', 'in', ids)
    .where('status', '=', 'pending')
    .execute();
  const { numDeletedRows } = await db
    .deleteFrom('status_subscribers')
    .where('id', 'in', ids)
    .executeTakeFirst();
  return Number(numDeletedRows);
}

export class StatusSubscriptionsRepository implements StatusSubscriptionsPort {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    /** Told when deliveries were queued, so the engine sends them at once. */
    private readonly queued: () => void = () => {},
  ) {}

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  private async row(db: Db, pageId: string, id: string): Promise<StatusSubscribersTable> {
    const row = await db
      .selectFrom('status_subscribers')
      .selectAll()
      .where('id', '=', id)
      .where('page_id', '=', pageId)
      .executeTakeFirst();
    if (!row) throw new NotFoundError('subscription on this status page', id, 'subscription_id');
    return row;
  }

  private async hydrate(rows: StatusSubscribersTable[]): Promise<Subscription[]> {
    const components = await componentsOf(
      this.db,
      rows.map((r) => r.id),
    );
    return rows.map((r) => toSubscription(r, components.get(r.id) ?? []));
  }

  async list(pageRef: string, f: SubscriptionFilter): Promise<Page<Subscription>> {
    const p = await resolvePage(this.db, pageRef);
    let q = this.db.selectFrom('status_subscribers').selectAll().where('page_id', '=', p.id);
    if (f.channel) q = q.where('kind', '=', f.channel);
    if (f.status === 'suspended') q = q.where('rejected_at', 'is not', null);
    if (f.status === 'active') q = q.where('rejected_at', 'is', null).where('confirmed_at', 'is not', null);
    if (f.status === 'pending') q = q.where('rejected_at', 'is', null).where('confirmed_at', 'is', null);
    const rows = await q
      .orderBy('created_at')
      .orderBy('id')
      .limit(f.limit + 1)
      .offset(f.offset)
      .execute();
    const paged = page(rows, f.limit);
    return { items: await this.hydrate(paged.items), more: paged.more };
  }

  async get(pageRef: string, id: string): Promise<Subscription> {
    const p = await resolvePage(this.db, pageRef);
    return (await this.hydrate([await this.row(this.db, p.id, id)]))[0] as Subscription;
  }

  async create(pageRef: string, input: SubscriptionInput): Promise<Subscription> {
    const problem = contactProblem(input.channel, input.contact);
    if (problem)
      throw new ValidationError(`A ${input.channel} subscription's contact is ${problem}.`, {
        parameter: 'contact',
      });
    const row = await this.db.transaction().execute(async (trx) => {
      const p = await resolvePage(trx, pageRef);
      const components = await checkComponents(trx, p.id, input.components ?? []);
      const taken = await byContact(trx, p.id, input.channel, input.contact);
      if (taken)
        throw new ConflictError(
          `This page already has a ${input.channel} subscription for that contact ('${taken.id}'): delete it first to change it.`,
          { subscription_id: taken.id },
        );
      return insertSubscriber(trx, { ...input, pageId: p.id, components }, 'operator', this.now());
    });
    const created = await this.get(pageRef, row.id);
    return row.secret ? { ...created, signing_secret: row.secret } : created;
  }

  async delete(pageRef: string, id: string): Promise<Subscription> {
    const existing = await this.get(pageRef, id);
    await this.db.transaction().execute((trx) => forget(trx, [id]));
    return existing;
  }

  async counts(pageRef?: string): Promise<SubscriptionCounts[]> {
    const pageId = pageRef === undefined ? undefined : (await resolvePage(this.db, pageRef)).id;
    let q = this.db
      .selectFrom('status_subscribers')
      .select((eb) => [
        'page_id',
        'kind',
        eb
          .case()
          .when('rejected_at', 'is not', null)
          .then('suspended')
          .when('confirmed_at', 'is not', null)
          .then('active')
          .else('pending')
          .end()
          .as('status'),
        eb.fn.countAll<number>().as('n'),
      ])
      .groupBy(['page_id', 'kind', 'status']);
    if (pageId) q = q.where('page_id', '=', pageId);
    const rows = await q.execute();
    const out = new Map<string, SubscriptionCounts>();
    if (pageId) out.set(pageId, { page_id: pageId, active: 0, pending: 0, suspended: 0, by_channel: {} });
    for (const r of rows) {
      const c = out.get(r.page_id) ?? {
        page_id: r.page_id,
        active: 0,
        pending: 0,
        suspended: 0,
        by_channel: {},
      };
      const n = Number(r.n);
      const status = r.status as SubscriptionStatus;
      c[status] += n;
      if (status === 'active') {
        const kind = r.kind;
        c.by_channel[kind] = (c.by_channel[kind] ?? 0) + n;
      }
      out.set(r.page_id, c);
    }
    return [...out.values()].sort((a, b) => a.page_id.localeCompare(b.page_id));
  }

  async notified(pageRef: string, incidentId: string): Promise<NotifiedCount[]> {
    const p = await resolvePage(this.db, pageRef);
    const incident = await this.db
      .selectFrom('status_incidents')
      .select('id')
      .where('id', '=', incidentId)
      .where('page_id', '=', p.id)
      .executeTakeFirst();
    if (!incident) throw new NotFoundError('incident on this status page', incidentId, 'incident_id');
    return notifiedCounts(this.db, incidentId);
  }

  async subscribe(pageId: string, request: PublicSubscribeRequest): Promise<SubscribeOutcome> {
    const { channel, contact } = request;
    const problem = contactProblem(channel, contact);
    if (problem) throw new ValidationError(`Give ${problem}.`, { parameter: channel });
    const outcome = await this.db
      .transaction()
      .execute(async (trx): Promise<SubscribeOutcome | undefined> => {
        const p = await resolvePage(trx, pageId);
        const chosen = await checkComponents(trx, p.id, request.components);
        const now = this.clock.now();
        // Counted only once the request is sound: a refused form costs its sender nothing.
        await takeSubscribeRequest(trx, p.id, request, now);
        const existing = await byContact(trx, p.id, channel, contact);
        const tell = (s: Pick<StatusSubscribersTable, 'id' | 'address' | 'secret'>, event: DeliveryEvent) =>
          queueDeliveries(
            trx,
            [{ kind: channel, address: s.address, secret: s.secret, event, subscriber_id: s.id }],
            now,
          );
        if (!existing) {
          const at = new Date(now).toISOString();
          const row = await insertSubscriber(
            trx,
            { ...request, pageId: p.id, components: chosen },
            'page',
            at,
          );
          await tell(row, 'subscription_confirmation');
          return 'created';
        }
        // The mail server refused it before: nothing more goes there.
        if (existing.rejected_at) return undefined;
        if (!existing.confirmed_at) {
          await setComponents(trx, existing.id, chosen);
          await tell(existing, 'subscription_confirmation');
          return 'resent';
        }
        // Confirmed already: its components change only from its own manage link.
        await tell(existing, 'subscription_exists');
        return 'reminded';
      });
    this.queued();
    return outcome ?? 'reminded';
  }

  private async byKey(ref: SubscriberRef): Promise<StatusSubscribersTable | undefined> {
    return this.db
      .selectFrom('status_subscribers')
      .selectAll()
      .where('id', '=', ref.id)
      .where('link_key', '=', ref.key)
      .executeTakeFirst();
  }

  async byRef(ref: SubscriberRef): Promise<Subscription | undefined> {
    const row = await this.byKey(ref);
    return row && (await this.hydrate([row]))[0];
  }

  async confirm(ref: SubscriberRef): Promise<boolean> {
    const { numUpdatedRows } = await this.db
      .updateTable('status_subscribers')
      .set({ confirmed_at: this.now() })
      .where('id', '=', ref.id)
      .where('link_key', '=', ref.key)
      .where('confirmed_at', 'is', null)
      .executeTakeFirst();
    return numUpdatedRows > 0n;
  }

  async setComponents(ref: SubscriberRef, components: string[]): Promise<Subscription> {
    const row = await this.byKey(ref);
    if (!row) throw new NotFoundError('subscription', ref.id, 'token');
    await this.db.transaction().execute(async (trx) => {
      await setComponents(trx, row.id, await checkComponents(trx, row.page_id, components));
    });
    return (await this.byRef(ref)) as Subscription;
  }

  async unsubscribe(ref: SubscriberRef): Promise<boolean> {
    const row = await this.byKey(ref);
    if (!row) return false;
    return (await this.db.transaction().execute((trx) => forget(trx, [row.id]))) > 0;
  }
}
