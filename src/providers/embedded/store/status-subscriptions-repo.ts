/**
 * Status-page subscribers on the embedded store: the `statusSubscriptions` port, and what the
 * rest of the store calls to tell them of news. Every notice is queued in the delivery outbox in
 * the transaction of its cause (an incident update, a maintenance reminder), one delivery per
 * subscriber, only to confirmed subscribers whose components it names (or who chose all). A
 * subscriber's links carry its random `link_key`: deleting the row voids every link it was sent.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../../core/clock.js';
import type { Page } from '../../../core/directory.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../core/errors.js';
import type { ComponentStatus, IncidentStatus } from '../../../core/status-pages.js';
import {
  contactProblem,
  DEFAULT_REMINDER_MS,
  type NotifiedCount,
  type StatusSubscriptionsPort,
  type SubscribeOutcome,
  type SubscriberChannel,
  type SubscriberEvent,
  type SubscriberRef,
  type Subscription,
  type SubscriptionCounts,
  type SubscriptionInput,
  type SubscriptionStatus,
  UNCONFIRMED_TTL_MS,
} from '../../../core/status-subscriptions.js';
import { queueDeliveries } from './deliveries-repo.js';
import { newId, newSigningSecret } from './ids.js';
import { type Db, groupBy, page } from './repo-helpers.js';
import type { Database, StatusSubscribersTable } from './schema.js';
import { resolvePage } from './status-pages-repo.js';

/** What a subscriber delivery's message is built from, loaded when it is claimed. */
export interface SubscriberNotice {
  subscriber: { id: string; kind: string; address: string; link_key: string; confirmed: boolean };
  page: { id: string; name: string; subdomain: string | null; domain: string | null; time_zone: string };
  incident?: {
    id: string;
    name: string;
    impact: string;
    status: string;
    scheduled_for: string | null;
    scheduled_until: string | null;
  };
  update?: { id: string; status: string; body: string; created_at: string };
  /** The components the news is about, with the status it gives them. */
  components: { id: string; name: string; status: string }[];
}

/** Events about the subscription itself (sent before it is confirmed); the rest are news. */
const ABOUT_SUBSCRIPTION = ['subscription_confirmation', 'subscription_exists'];

const statusOf = (r: StatusSubscribersTable): SubscriptionStatus =>
  r.rejected_at ? 'suspended' : r.confirmed_at ? 'active' : 'pending';

function toSubscription(r: StatusSubscribersTable, components: string[]): Subscription {
  return {
    id: r.id,
    type: 'status_page_subscription',
    status_page: { id: r.page_id, type: 'status_page' },
    channel: r.kind as SubscriberChannel,
    contact: r.address,
    status: statusOf(r),
    components,
    all_components: r.limited === 0,
    origin: r.origin as Subscription['origin'],
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

/** Which event an update is for subscribers: created, updated or resolved; or maintenance's. */
function eventOf(maintenance: boolean, first: boolean, status: IncidentStatus): SubscriberEvent {
  if (maintenance) {
    if (first) return 'maintenance_scheduled';
    if (status === 'in_progress') return 'maintenance_started';
    if (status === 'completed') return 'maintenance_completed';
    return 'maintenance_updated';
  }
  if (status === 'resolved') return 'incident_resolved';
  return first ? 'incident_created' : 'incident_updated';
}

/**
 * Queues a notice to every confirmed subscriber of the page whose components it names (or all
 * of them when it names none). Call it in the transaction of its cause; answers how many.
 */
async function queueNotices(
  db: Db,
  n: {
    pageId: string;
    incidentId: string;
    updateId: string | null;
    event: SubscriberEvent;
    components: string[];
  },
  now: number,
): Promise<number> {
  let q = db
    .selectFrom('status_subscribers as s')
    .select(['s.id', 's.kind', 's.address', 's.secret'])
    .where('s.page_id', '=', n.pageId)
    .where('s.confirmed_at', 'is not', null)
    .where('s.rejected_at', 'is', null);
  if (n.components.length > 0) {
    // A subscriber of a group hears of its members.
    const groups = await db
      .selectFrom('status_components')
      .select('group_id')
      .where('id', 'in', n.components)
      .where('group_id', 'is not', null)
      .execute();
    const named = [...n.components, ...groups.map((g) => g.group_id as string)];
    q = q.where((eb) =>
      eb.or([
        eb('s.limited', '=', 0),
        eb.exists(
          eb
            .selectFrom('status_subscriber_components as c')
            .select('c.component_id')
            .whereRef('c.subscriber_id', '=', 's.id')
            .where('c.component_id', 'in', named),
        ),
      ]),
    );
  }
  const subscribers = await q.execute();
  await queueDeliveries(
    db,
    subscribers.map((s) => ({
      kind: s.kind,
      address: s.address,
      secret: s.secret,
      event: n.event,
      subscriber_id: s.id,
      status_incident_id: n.incidentId,
      status_update_id: n.updateId,
    })),
    now,
  );
  return subscribers.length;
}

/**
 * Tells the page's subscribers of an incident update just written (status-incidents-repo.ts
 * calls it from the same transaction); a maintenance's reminder comes from the engine.
 */
export async function notifySubscribers(
  db: Db,
  incidentId: string,
  update: { id: string; status: IncidentStatus; components: Record<string, ComponentStatus>; at: string },
): Promise<void> {
  const incident = await db
    .selectFrom('status_incidents')
    .select(['page_id', 'scheduled_for'])
    .where('id', '=', incidentId)
    .executeTakeFirst();
  if (!incident) return;
  const earlier = await db
    .selectFrom('status_incident_updates')
    .select('id')
    .where('incident_id', '=', incidentId)
    .where('id', '!=', update.id)
    .limit(1)
    .executeTakeFirst();
  const maintenance = incident.scheduled_for !== null;
  await queueNotices(
    db,
    {
      pageId: incident.page_id,
      incidentId,
      updateId: update.id,
      event: eventOf(maintenance, !earlier, update.status),
      components: Object.keys(update.components),
    },
    Date.parse(update.at),
  );
}

/** Hours before the start a maintenance reminds at: `reminder_intervals` ("[3, 6]" or "2"), else one hour. */
function reminderOffsets(intervals: string | null): number[] {
  if (!intervals) return [DEFAULT_REMINDER_MS];
  let parsed: unknown;
  try {
    parsed = JSON.parse(intervals);
  } catch {
    return [DEFAULT_REMINDER_MS];
  }
  const hours = (Array.isArray(parsed) ? parsed : [parsed]).filter(
    (h): h is number => typeof h === 'number' && h > 0 && h <= 24 * 90,
  );
  return hours.length ? hours.map((h) => h * 3_600_000) : [DEFAULT_REMINDER_MS];
}

interface ReminderPlan {
  incidentId: string;
  pageId: string;
  start: number;
  times: number[];
  sent: number;
}

/** Scheduled maintenance that asked for reminders (`scheduled_remind_prior`), with what was sent. */
async function reminderPlans(db: Kysely<Database>): Promise<ReminderPlan[]> {
  const rows = await db
    .selectFrom('status_incidents')
    .select(['id', 'page_id', 'scheduled_for', 'scheduling'])
    .where('scheduled_for', 'is not', null)
    .where('status', '=', 'scheduled')
    .execute();
  const plans = rows.flatMap((r) => {
    const flags = JSON.parse(r.scheduling) as {
      scheduled_remind_prior?: boolean;
      reminder_intervals?: string | null;
    };
    if (!flags.scheduled_remind_prior) return [];
    const start = Date.parse(r.scheduled_for as string);
    const times = reminderOffsets(flags.reminder_intervals ?? null).map((ms) => start - ms);
    return [{ incidentId: r.id, pageId: r.page_id, start, times, sent: 0 }];
  });
  if (plans.length === 0) return [];
  const sent = await db
    .selectFrom('status_subscriber_reminders')
    .select(['incident_id', (eb) => eb.fn.max('remind_at').as('at')])
    .where(
      'incident_id',
      'in',
      plans.map((p) => p.incidentId),
    )
    .groupBy('incident_id')
    .execute();
  const sentOf = new Map(sent.map((s) => [s.incident_id, Number(s.at)]));
  for (const p of plans) p.sent = sentOf.get(p.incidentId) ?? 0;
  return plans;
}

/**
 * Sends the maintenance reminders due at `now`: for each maintenance, the latest reminder time
 * passed before its start, once (a reminder missed while the engine was down is sent late, but
 * older ones it overtook are not). Answers how many maintenances reminded.
 */
export async function remindDue(db: Kysely<Database>, now: number): Promise<number> {
  let reminded = 0;
  for (const p of await reminderPlans(db)) {
    if (now >= p.start) continue;
    const due = p.times.filter((t) => t <= now && t > p.sent);
    if (due.length === 0) continue;
    const at = Math.max(...due);
    await db.transaction().execute(async (trx) => {
      const { numInsertedOrUpdatedRows } = await trx
        .insertInto('status_subscriber_reminders')
        .values({ incident_id: p.incidentId, remind_at: at })
        .onConflict((oc) => oc.columns(['incident_id', 'remind_at']).doNothing())
        .executeTakeFirst();
      if (!numInsertedOrUpdatedRows) return;
      const components = await trx
        .selectFrom('status_incident_components')
        .select('component_id')
        .where('incident_id', '=', p.incidentId)
        .execute();
      await queueNotices(
        trx,
        {
          pageId: p.pageId,
          incidentId: p.incidentId,
          updateId: null,
          event: 'maintenance_reminder',
          components: components.map((c) => c.component_id),
        },
        now,
      );
      reminded++;
    });
  }
  return reminded;
}

/** When the next maintenance reminder falls due. */
export async function nextReminderDue(db: Kysely<Database>): Promise<number | undefined> {
  const times = (await reminderPlans(db)).flatMap((p) => p.times.filter((t) => t > p.sent && t < p.start));
  return times.length ? Math.min(...times) : undefined;
}

/** Forgets addresses never confirmed within UNCONFIRMED_TTL_MS; answers how many. */
export async function forgetUnconfirmed(db: Kysely<Database>, now: number): Promise<number> {
  const { numDeletedRows } = await db
    .deleteFrom('status_subscribers')
    .where('confirmed_at', 'is', null)
    .where('created_at', '<', new Date(now - UNCONFIRMED_TTL_MS).toISOString())
    .executeTakeFirst();
  return Number(numDeletedRows);
}

/** Suspends subscribers whose address the mail server refused (in the transaction recording it). */
export async function suspendRejected(
  db: Db,
  rejected: readonly { subscriberId: string; reason: string }[],
  now: number,
): Promise<void> {
  const at = new Date(now).toISOString();
  for (const r of rejected)
    await db
      .updateTable('status_subscribers')
      .set({ rejected_at: at, rejection: r.reason.slice(0, 500) })
      .where('id', '=', r.subscriberId)
      .execute();
}

/** What the claimed subscriber deliveries' messages are built from, by delivery id. */
export async function subscriberNotices(
  db: Db,
  rows: readonly {
    id: string;
    event: string;
    subscriber_id: string | null;
    status_incident_id: string | null;
    status_update_id: string | null;
  }[],
): Promise<Map<string, SubscriberNotice>> {
  const mine = rows.filter((r) => r.subscriber_id !== null);
  const out = new Map<string, SubscriberNotice>();
  if (mine.length === 0) return out;
  const ids = <K extends 'subscriber_id' | 'status_incident_id' | 'status_update_id'>(k: K) => [
    ...new Set(mine.flatMap((r) => (r[k] ? [r[k] as string] : []))),
  ];
  const subscriberIds = ids('subscriber_id');
  const incidentIds = ids('status_incident_id');
  const updateIds = ids('status_update_id');
  const [subscribers, incidents, updates, incidentComponents] = await Promise.all([
    db.selectFrom('status_subscribers').selectAll().where('id', 'in', subscriberIds).execute(),
    incidentIds.length
      ? db.selectFrom('status_incidents').selectAll().where('id', 'in', incidentIds).execute()
      : [],
    updateIds.length
      ? db.selectFrom('status_incident_updates').selectAll().where('id', 'in', updateIds).execute()
      : [],
    incidentIds.length
      ? db
          .selectFrom('status_incident_components')
          .selectAll()
          .where('incident_id', 'in', incidentIds)
          .execute()
      : [],
  ]);
  const pageIds = [...new Set(subscribers.map((s) => s.page_id))];
  const pages = pageIds.length
    ? await db
        .selectFrom('status_pages')
        .select(['id', 'name', 'subdomain', 'domain', 'time_zone'])
        .where('id', 'in', pageIds)
        .execute()
    : [];
  const componentIds = [
    ...new Set([
      ...incidentComponents.map((c) => c.component_id),
      ...updates.flatMap((u) => Object.keys(JSON.parse(u.components) as object)),
    ]),
  ];
  const names = componentIds.length
    ? await db
        .selectFrom('status_components')
        .select(['id', 'name', 'position'])
        .where('id', 'in', componentIds)
        .execute()
    : [];
  const nameOf = new Map(names.map((n) => [n.id, n]));
  const subscriberOf = new Map(subscribers.map((s) => [s.id, s]));
  const pageOf = new Map(pages.map((p) => [p.id, p]));
  const incidentOf = new Map(incidents.map((i) => [i.id, i]));
  const updateOf = new Map(updates.map((u) => [u.id, u]));
  const componentsByIncident = groupBy(incidentComponents, (c) => c.incident_id);
  const listed = (statuses: Record<string, string>) =>
    Object.entries(statuses)
      .flatMap(([id, status]) => {
        const c = nameOf.get(id);
        return c ? [{ id, name: c.name, status, position: c.position }] : [];
      })
      .sort((a, b) => a.position - b.position || a.name.localeCompare(b.name))
      .map(({ position: _p, ...c }) => c);
  for (const r of mine) {
    const s = subscriberOf.get(r.subscriber_id as string);
    const p = s && pageOf.get(s.page_id);
    if (!s || !p) continue;
    const news = !ABOUT_SUBSCRIPTION.includes(r.event);
    // Unsubscribed, suspended or never confirmed since it was queued: nothing goes out.
    if (news && (!s.confirmed_at || s.rejected_at)) continue;
    const i = r.status_incident_id ? incidentOf.get(r.status_incident_id) : undefined;
    const u = r.status_update_id ? updateOf.get(r.status_update_id) : undefined;
    if (news && (!i || (r.status_update_id && !u))) continue;
    const statuses = u
      ? (JSON.parse(u.components) as Record<string, string>)
      : Object.fromEntries(
          (componentsByIncident.get(i?.id ?? '') ?? []).map((c) => [c.component_id, c.status]),
        );
    out.set(r.id, {
      subscriber: {
        id: s.id,
        kind: s.kind,
        address: s.address,
        link_key: s.link_key,
        confirmed: !!s.confirmed_at,
      },
      page: p,
      ...(i && {
        incident: {
          id: i.id,
          name: i.name,
          impact: i.impact,
          status: i.status,
          scheduled_for: i.scheduled_for,
          scheduled_until: i.scheduled_until,
        },
      }),
      ...(u && { update: { id: u.id, status: u.status, body: u.body, created_at: u.created_at } }),
      components: i ? listed(statuses) : [],
    });
  }
  return out;
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

  async list(
    pageRef: string,
    f: {
      status?: SubscriptionStatus | undefined;
      channel?: SubscriberChannel | undefined;
      limit: number;
      offset: number;
    },
  ): Promise<Page<Subscription>> {
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
    const id = newId();
    const secret = input.channel === 'webhook' ? newSigningSecret() : null;
    await this.db.transaction().execute(async (trx) => {
      const p = await resolvePage(trx, pageRef);
      const components = await checkComponents(trx, p.id, input.components ?? []);
      const taken = await trx
        .selectFrom('status_subscribers')
        .select('id')
        .where('page_id', '=', p.id)
        .where('kind', '=', input.channel)
        .where('address_lower', '=', input.contact.toLowerCase())
        .executeTakeFirst();
      if (taken)
        throw new ConflictError(
          `This page already has a ${input.channel} subscription for that contact ('${taken.id}'): delete it first to change it.`,
          { subscription_id: taken.id },
        );
      const at = this.now();
      await trx
        .insertInto('status_subscribers')
        .values({
          id,
          page_id: p.id,
          kind: input.channel,
          address: input.contact,
          address_lower: input.contact.toLowerCase(),
          secret,
          link_key: randomBytes(12).toString('base64url'),
          origin: 'operator',
          limited: 0,
          confirmed_at: at,
          rejected_at: null,
          rejection: null,
          created_at: at,
        })
        .execute();
      await setComponents(trx, id, components);
    });
    const created = await this.get(pageRef, id);
    return secret ? { ...created, signing_secret: secret } : created;
  }

  async delete(pageRef: string, id: string): Promise<Subscription> {
    const existing = await this.get(pageRef, id);
    await this.db.deleteFrom('status_subscribers').where('id', '=', id).execute();
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
        const kind = r.kind as SubscriberChannel;
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
    const rows = await this.db
      .selectFrom('deliveries')
      .select((eb) => [
        'status_update_id',
        'event',
        'status',
        eb.fn.countAll<number>().as('n'),
        eb.fn.min('created_at').as('at'),
      ])
      .where('status_incident_id', '=', incidentId)
      .where('event', 'not in', ABOUT_SUBSCRIPTION)
      .groupBy(['status_update_id', 'event', 'status'])
      .execute();
    const out = new Map<string, NotifiedCount & { at: number }>();
    for (const r of rows) {
      const key = `${r.status_update_id}|${r.event}`;
      const c = out.get(key) ?? {
        incident_id: incidentId,
        update_id: r.status_update_id,
        event: r.event,
        queued: 0,
        delivered: 0,
        failed: 0,
        pending: 0,
        at: Number(r.at),
      };
      const n = Number(r.n);
      c.queued += n;
      if (r.status === 'delivered') c.delivered += n;
      else if (r.status === 'pending') c.pending += n;
      else c.failed += n;
      c.at = Math.min(c.at, Number(r.at));
      out.set(key, c);
    }
    return [...out.values()].sort((a, b) => a.at - b.at).map(({ at: _at, ...c }) => c);
  }

  async subscribe(
    pageId: string,
    contact: string,
    components: string[],
    channel: 'email' | 'webhook' = 'email',
  ): Promise<SubscribeOutcome> {
    const problem = contactProblem(channel, contact);
    if (problem) throw new ValidationError(`Give ${problem}.`, { parameter: channel });
    const outcome = await this.db
      .transaction()
      .execute(async (trx): Promise<SubscribeOutcome | undefined> => {
        const p = await resolvePage(trx, pageId);
        const chosen = await checkComponents(trx, p.id, components);
        const existing = await trx
          .selectFrom('status_subscribers')
          .selectAll()
          .where('page_id', '=', p.id)
          .where('kind', '=', channel)
          .where('address_lower', '=', contact.toLowerCase())
          .executeTakeFirst();
        const now = this.clock.now();
        const tell = (s: Pick<StatusSubscribersTable, 'id' | 'address' | 'secret'>, event: string) =>
          queueDeliveries(
            trx,
            [{ kind: channel, address: s.address, secret: s.secret, event, subscriber_id: s.id }],
            now,
          );
        if (!existing) {
          const id = newId();
          const at = new Date(now).toISOString();
          const secret = channel === 'webhook' ? newSigningSecret() : null;
          await trx
            .insertInto('status_subscribers')
            .values({
              id,
              page_id: p.id,
              kind: channel,
              address: contact,
              address_lower: contact.toLowerCase(),
              secret,
              link_key: randomBytes(12).toString('base64url'),
              origin: 'page',
              limited: 0,
              confirmed_at: null,
              rejected_at: null,
              rejection: null,
              created_at: at,
            })
            .execute();
          await setComponents(trx, id, chosen);
          await tell({ id, address: contact, secret }, 'subscription_confirmation');
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
    const { numDeletedRows } = await this.db
      .deleteFrom('status_subscribers')
      .where('id', '=', ref.id)
      .where('link_key', '=', ref.key)
      .executeTakeFirst();
    return numDeletedRows > 0n;
  }
}
