/**
 * What status-page subscribers are told, on the embedded store. Every notice is queued in the
 * delivery outbox in the transaction of its cause (an incident update here, a maintenance
 * reminder in status-subscriber-reminders.ts), one delivery per subscriber, only to confirmed
 * subscribers whose components it names (or who chose all). When a delivery is claimed, what its
 * message is built from is loaded here; an address the mail server refused is suspended here;
 * and how many each update reached is counted here.
 */
import type { ComponentStatus, IncidentStatus } from '../../../core/status-pages.js';
import type { NotifiedCount, SubscriberEvent } from '../../../core/status-subscriptions.js';
import { queueDeliveries } from './deliveries-repo.js';
import { type Db, groupBy } from './repo-helpers.js';
import type { DeliveryEvent } from './schema.js';

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
const ABOUT_SUBSCRIPTION: readonly DeliveryEvent[] = ['subscription_confirmation', 'subscription_exists'];

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
export async function queueNotices(
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
  const page = await db
    .selectFrom('status_pages')
    .select('viewers_must_be_team_members')
    .where('id', '=', n.pageId)
    .executeTakeFirst();
  // A page made private since: who subscribed on its public page may no longer read it, so only
  // the subscribers an operator added hear of it.
  if (page?.viewers_must_be_team_members === 1) q = q.where('s.origin', '=', 'operator');
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
    event: DeliveryEvent;
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

/** How many subscribers each update (and reminder) of an incident was sent to, oldest first. */
export async function notifiedCounts(db: Db, incidentId: string): Promise<NotifiedCount[]> {
  const rows = await db
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
    // Cancelled: its subscriber left before it was sent, so it reached nobody.
    .where('status', '!=', 'cancelled')
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
