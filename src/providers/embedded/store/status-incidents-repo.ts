/**
 * Status-page incidents, maintenance and incident updates on the embedded store: the
 * `statusPages` port's part beside the pages and components of status-components-repo.ts. An incident names the
 * status it gives each affected component while it is active; every status change and body is
 * also an incident update, the page's public history. Maintenance is an incident with
 * `scheduled_for` before `scheduled_until` and the maintenance statuses.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../../core/clock.js';
import type { Page } from '../../../core/directory.js';
import { NotFoundError, ValidationError } from '../../../core/errors.js';
import type { Scheduling } from '../../../core/maintenance-moves.js';
import {
  CLOSED_STATUSES,
  type ComponentStatus,
  INCIDENT_STATUSES,
  type IncidentInput,
  type IncidentStatus,
  type IncidentUpdate,
  type IncidentUpdateInput,
  MAINTENANCE_STATUSES,
  type StatusIncident,
} from '../../../core/status-pages.js';
import { newId } from './ids.js';
import { type Db, groupBy, page } from './repo-helpers.js';
import type { Database, StatusIncidentsTable, StatusIncidentUpdatesTable } from './schema.js';
import { resolvePage } from './status-components-repo.js';
import { notifySubscribers } from './status-subscriber-news.js';

/** The maintenance flags kept together in the `scheduling` column. */
const SCHEDULING_FLAGS = [
  'scheduled_remind_prior',
  'scheduled_auto_in_progress',
  'scheduled_auto_completed',
  'auto_transition_to_maintenance_state',
  'auto_transition_to_operational_state',
  'auto_transition_deliver_notifications_at_start',
  'auto_transition_deliver_notifications_at_end',
] as const;
const SCHEDULING_DEFAULTS: Scheduling = {
  scheduled_remind_prior: false,
  scheduled_auto_in_progress: true,
  scheduled_auto_completed: true,
  auto_transition_to_maintenance_state: true,
  auto_transition_to_operational_state: true,
  auto_transition_deliver_notifications_at_start: false,
  auto_transition_deliver_notifications_at_end: false,
  reminder_intervals: null,
};

/** A stored incident's maintenance flags, with the defaults for those never set. */
export const schedulingOf = (r: Pick<StatusIncidentsTable, 'scheduling'>): Scheduling => ({
  ...SCHEDULING_DEFAULTS,
  ...(JSON.parse(r.scheduling) as Partial<Scheduling>),
});

const isMaintenance = (r: { scheduled_for: string | null; scheduled_until: string | null }) =>
  r.scheduled_for !== null || r.scheduled_until !== null;

/** Both ends of a maintenance window, in order; and the status vocabulary of its kind. */
function checkKind(i: { scheduled_for: string | null; scheduled_until: string | null; status: string }) {
  if (isMaintenance(i)) {
    if (i.scheduled_for === null || i.scheduled_until === null) {
      const missing = i.scheduled_for === null ? 'scheduled_for' : 'scheduled_until';
      throw new ValidationError(
        `Maintenance needs both scheduled_for and scheduled_until: give ${missing}.`,
        {
          parameter: missing,
        },
      );
    }
    if (Date.parse(i.scheduled_until) <= Date.parse(i.scheduled_for)) {
      throw new ValidationError(
        `scheduled_until (${i.scheduled_until}) must be after scheduled_for (${i.scheduled_for}): maintenance cannot end before it starts.`,
        { parameter: 'scheduled_until' },
      );
    }
    if (!(MAINTENANCE_STATUSES as readonly string[]).includes(i.status)) {
      throw new ValidationError(
        `Maintenance (an incident with scheduled_for) has status ${MAINTENANCE_STATUSES.join(', ')}; '${i.status}' is for incidents.`,
        { parameter: 'status' },
      );
    }
  } else if (!(INCIDENT_STATUSES as readonly string[]).includes(i.status)) {
    throw new ValidationError(
      `An incident has status ${INCIDENT_STATUSES.join(', ')}; '${i.status}' is for maintenance (give scheduled_for and scheduled_until).`,
      { parameter: 'status' },
    );
  }
}

/** resolved_at and monitoring_at after a move to `status` at `at`. */
function milestones(
  row: Pick<StatusIncidentsTable, 'resolved_at' | 'monitoring_at'>,
  status: IncidentStatus,
  at: string,
) {
  return {
    resolved_at: CLOSED_STATUSES.includes(status) ? (row.resolved_at ?? at) : null,
    monitoring_at: status === 'monitoring' ? (row.monitoring_at ?? at) : row.monitoring_at,
  };
}

const toUpdate = (r: StatusIncidentUpdatesTable): IncidentUpdate => ({
  id: r.id,
  incident_id: r.incident_id,
  status: r.status,
  body: r.body,
  components: JSON.parse(r.components) as Record<string, ComponentStatus>,
  deliver_notifications: r.deliver_notifications === 1,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

/** Status-page incidents (maintenance among them) and their updates. */
export class StatusIncidentsRepository {
  /** `changed` is called after every write. */
  constructor(
    private readonly store: Kysely<Database>,
    private readonly clock: Clock,
    private readonly changed: () => void,
  ) {}

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  async listIncidents(
    pageRef: string,
    f: { status?: IncidentStatus | undefined; limit: number; offset: number },
  ): Promise<Page<StatusIncident>> {
    const p = await resolvePage(this.store, pageRef);
    let q = this.store.selectFrom('status_incidents').selectAll().where('page_id', '=', p.id);
    if (f.status) q = q.where('status', '=', f.status);
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(f.limit + 1)
      .offset(f.offset)
      .execute();
    const paged = page(rows, f.limit);
    return { items: await hydrateIncidents(this.store, paged.items), more: paged.more };
  }

  async getIncident(pageRef: string, id: string): Promise<StatusIncident> {
    const p = await resolvePage(this.store, pageRef);
    return (
      await hydrateIncidents(this.store, [await incidentRow(this.store, p.id, id)])
    )[0] as StatusIncident;
  }

  async createIncident(pageRef: string, input: IncidentInput): Promise<StatusIncident> {
    const id = newId();
    await this.store.transaction().execute(async (trx) => {
      const p = await resolvePage(trx, pageRef);
      const at = this.now();
      const scheduled = {
        scheduled_for: input.scheduled_for ?? null,
        scheduled_until: input.scheduled_until ?? null,
      };
      checkKind({ ...scheduled, status: input.status });
      const components = input.components ?? {};
      await checkComponents(trx, p.id, components);
      const scheduling: Scheduling = { ...SCHEDULING_DEFAULTS };
      for (const k of SCHEDULING_FLAGS) if (input[k] !== undefined) scheduling[k] = input[k] as boolean;
      if (input.reminder_intervals !== undefined) scheduling.reminder_intervals = input.reminder_intervals;
      await trx
        .insertInto('status_incidents')
        .values({
          id,
          page_id: p.id,
          name: input.name,
          status: input.status,
          body: input.body ?? null,
          impact: input.impact ?? 'none',
          deliver_notifications: (input.deliver_notifications ?? true) ? 1 : 0,
          metadata: JSON.stringify(input.metadata ?? {}),
          ...scheduled,
          scheduling: JSON.stringify(scheduling),
          ...milestones({ resolved_at: null, monitoring_at: null }, input.status, at),
          created_at: at,
          updated_at: at,
        })
        .execute();
      await setComponents(trx, id, components);
      await addUpdate(trx, id, at, {
        status: input.status,
        body: input.body ?? '',
        components,
        deliver_notifications: input.deliver_notifications ?? true,
      });
    });
    this.changed();
    return this.getIncident(pageRef, id);
  }

  async updateIncident(pageRef: string, id: string, patch: Partial<IncidentInput>): Promise<StatusIncident> {
    await this.store.transaction().execute(async (trx) => {
      const p = await resolvePage(trx, pageRef);
      const row = await incidentRow(trx, p.id, id);
      const at = this.now();
      const status = patch.status ?? row.status;
      const scheduled = {
        scheduled_for: patch.scheduled_for === undefined ? row.scheduled_for : patch.scheduled_for,
        scheduled_until: patch.scheduled_until === undefined ? row.scheduled_until : patch.scheduled_until,
      };
      checkKind({ ...scheduled, status });
      if (patch.components) {
        await checkComponents(trx, p.id, patch.components);
        await trx.deleteFrom('status_incident_components').where('incident_id', '=', id).execute();
        await setComponents(trx, id, patch.components);
      }
      const scheduling = schedulingOf(row);
      for (const k of SCHEDULING_FLAGS) if (patch[k] != null) scheduling[k] = patch[k] as boolean;
      if (patch.reminder_intervals !== undefined) scheduling.reminder_intervals = patch.reminder_intervals;
      const set: Partial<StatusIncidentsTable> = {
        status,
        ...scheduled,
        scheduling: JSON.stringify(scheduling),
        ...milestones(row, status, at),
        updated_at: at,
      };
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.body !== undefined) set.body = patch.body;
      if (patch.impact !== undefined) set.impact = patch.impact;
      if (patch.deliver_notifications !== undefined)
        set.deliver_notifications = patch.deliver_notifications ? 1 : 0;
      if (patch.metadata !== undefined) set.metadata = JSON.stringify(patch.metadata);
      await trx.updateTable('status_incidents').set(set).where('id', '=', id).execute();
      // A new status or a body is news on the page: it becomes an incident update.
      if (status !== row.status || (patch.body != null && patch.body !== '')) {
        await addUpdate(trx, id, at, {
          status,
          body: patch.body ?? '',
          components: await componentsOf(trx, id),
          deliver_notifications: patch.deliver_notifications ?? row.deliver_notifications === 1,
        });
      }
    });
    this.changed();
    return this.getIncident(pageRef, id);
  }

  async deleteIncident(pageRef: string, id: string): Promise<StatusIncident> {
    const incident = await this.getIncident(pageRef, id);
    await this.store.deleteFrom('status_incidents').where('id', '=', id).execute();
    this.changed();
    return incident;
  }

  async listIncidentUpdates(pageRef: string, incidentId: string): Promise<IncidentUpdate[]> {
    return (await this.getIncident(pageRef, incidentId)).incident_updates;
  }

  async addIncidentUpdate(
    pageRef: string,
    incidentId: string,
    input: IncidentUpdateInput,
  ): Promise<IncidentUpdate> {
    const updateId = await this.store.transaction().execute(async (trx) => {
      const p = await resolvePage(trx, pageRef);
      const row = await incidentRow(trx, p.id, incidentId);
      checkKind({ ...row, status: input.status });
      const at = this.now();
      await trx
        .updateTable('status_incidents')
        .set({ status: input.status, ...milestones(row, input.status, at), updated_at: at })
        .where('id', '=', incidentId)
        .execute();
      return addUpdate(trx, incidentId, at, {
        status: input.status,
        body: input.body,
        components: await componentsOf(trx, incidentId),
        deliver_notifications: input.deliver_notifications ?? true,
      });
    });
    this.changed();
    return this.updateOf(pageRef, incidentId, updateId);
  }

  async editIncidentUpdate(
    pageRef: string,
    incidentId: string,
    updateId: string,
    patch: { body?: string | undefined; created_at?: string | undefined },
  ): Promise<IncidentUpdate> {
    await this.updateOf(pageRef, incidentId, updateId);
    await this.store
      .updateTable('status_incident_updates')
      .set({ ...patch, updated_at: this.now() })
      .where('id', '=', updateId)
      .execute();
    this.changed();
    return this.updateOf(pageRef, incidentId, updateId);
  }

  async deleteIncidentUpdate(pageRef: string, incidentId: string, updateId: string): Promise<IncidentUpdate> {
    const update = await this.updateOf(pageRef, incidentId, updateId);
    await this.store.deleteFrom('status_incident_updates').where('id', '=', updateId).execute();
    this.changed();
    return update;
  }

  private async updateOf(pageRef: string, incidentId: string, updateId: string): Promise<IncidentUpdate> {
    const incident = await this.getIncident(pageRef, incidentId);
    const update = incident.incident_updates.find((u) => u.id === updateId);
    if (!update) throw new NotFoundError('update of this incident', updateId, 'update_id');
    return update;
  }
}

async function incidentRow(db: Db, pageId: string, id: string): Promise<StatusIncidentsTable> {
  const row = await db
    .selectFrom('status_incidents')
    .selectAll()
    .where('id', '=', id)
    .where('page_id', '=', pageId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('incident on this status page', id, 'incident_id');
  return row;
}

/** Every component an incident names is a component (not a group) of its page. */
async function checkComponents(db: Db, pageId: string, components: Record<string, ComponentStatus>) {
  const ids = Object.keys(components);
  if (ids.length === 0) return;
  const rows = await db
    .selectFrom('status_components')
    .select(['id', 'page_id', 'is_group'])
    .where('id', 'in', ids)
    .execute();
  for (const id of ids) {
    const row = rows.find((r) => r.id === id);
    if (!row || row.page_id !== pageId)
      throw new NotFoundError('component on this status page', id, 'components');
    if (row.is_group === 1) {
      throw new ValidationError(
        `Component '${id}' is a group: its status is its members' worst, so name the members in components.`,
        { parameter: 'components' },
      );
    }
  }
}

async function setComponents(db: Db, incidentId: string, components: Record<string, ComponentStatus>) {
  const rows = Object.entries(components).map(([component_id, status]) => ({
    incident_id: incidentId,
    component_id,
    status,
  }));
  if (rows.length > 0) await db.insertInto('status_incident_components').values(rows).execute();
}

export async function componentsOf(db: Db, incidentId: string): Promise<Record<string, ComponentStatus>> {
  const rows = await db
    .selectFrom('status_incident_components')
    .select(['component_id', 'status'])
    .where('incident_id', '=', incidentId)
    .orderBy('component_id')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.component_id, r.status]));
}

export async function addUpdate(
  db: Db,
  incidentId: string,
  at: string,
  u: Pick<IncidentUpdate, 'status' | 'body' | 'components' | 'deliver_notifications'>,
): Promise<string> {
  const id = newId();
  await db
    .insertInto('status_incident_updates')
    .values({
      id,
      incident_id: incidentId,
      status: u.status,
      body: u.body,
      components: JSON.stringify(u.components),
      deliver_notifications: u.deliver_notifications ? 1 : 0,
      created_at: at,
      updated_at: at,
    })
    .execute();
  // News for the page's subscribers, queued in this same transaction.
  if (u.deliver_notifications)
    await notifySubscribers(db, incidentId, { id, status: u.status, components: u.components, at });
  return id;
}

export async function hydrateIncidents(
  db: Db,
  rows: readonly StatusIncidentsTable[],
): Promise<StatusIncident[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [components, updates] = await Promise.all([
    db.selectFrom('status_incident_components').selectAll().where('incident_id', 'in', ids).execute(),
    db
      .selectFrom('status_incident_updates')
      .selectAll()
      .where('incident_id', 'in', ids)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute(),
  ]);
  const componentsBy = groupBy(components, (c) => c.incident_id);
  const updatesBy = groupBy(updates, (u) => u.incident_id);
  return rows.map((r) => ({
    id: r.id,
    page_id: r.page_id,
    name: r.name,
    status: r.status,
    body: r.body,
    impact: r.impact,
    deliver_notifications: r.deliver_notifications === 1,
    components: Object.fromEntries(
      (componentsBy.get(r.id) ?? [])
        .sort((a, b) => a.component_id.localeCompare(b.component_id))
        .map((c) => [c.component_id, c.status]),
    ),
    metadata: JSON.parse(r.metadata) as Record<string, unknown>,
    scheduled_for: r.scheduled_for,
    scheduled_until: r.scheduled_until,
    ...schedulingOf(r),
    created_at: r.created_at,
    updated_at: r.updated_at,
    resolved_at: r.resolved_at,
    monitoring_at: r.monitoring_at,
    incident_updates: (updatesBy.get(r.id) ?? []).map(toUpdate),
  }));
}
