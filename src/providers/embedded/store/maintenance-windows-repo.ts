/**
 * Service maintenance windows on the embedded store, and what silences an alert or an event:
 * a window in effect on its service, or a status-page maintenance under way over a component that
 * follows its check. Times are kept in ms; a window is in effect from `start_at` (included) to
 * `end_at` (excluded).
 */
import { type Kysely, sql } from 'kysely';
import { type Clock, systemClock } from '../../../core/clock.js';
import type { Page, Reference } from '../../../core/directory.js';
import { ConflictError, NotFoundError } from '../../../core/errors.js';
import {
  checkWindowTimes,
  type MaintenanceWindow,
  type MaintenanceWindowInput,
  type MaintenanceWindowListFilter,
  type MaintenanceWindowsPort,
  windowState,
} from '../../../core/maintenance-windows.js';
import { newId } from './ids.js';
import { type Db, groupBy, page, ref } from './repo-helpers.js';
import type { Database, MaintenanceWindowsTable } from './schema.js';
import { likePattern } from './sql-errors.js';

/** What silenced an alert or an event, as the alert's `suppressed_by` and the event's answer name it. */
export interface Silencer {
  type: 'maintenance_window' | 'status_page_maintenance';
  id: string;
  summary: string;
  /** When it ends, if it says (a status-page maintenance in progress may run past its time). */
  end_time?: string;
}

const iso = (ms: number | string) => new Date(Number(ms)).toISOString();

/** The window's summary, as PagerDuty makes it: its description, or its times. */
const summaryOf = (w: Pick<MaintenanceWindowsTable, 'description' | 'start_at' | 'end_at'>) =>
  w.description || `Maintenance from ${iso(w.start_at)} to ${iso(w.end_at)}`;

export class MaintenanceWindowRepository implements MaintenanceWindowsPort {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock = systemClock,
  ) {}

  async getWindow(id: string): Promise<MaintenanceWindow | undefined> {
    const row = await this.db
      .selectFrom('maintenance_windows')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? (await hydrate(this.db, [row]))[0] : undefined;
  }

  async listWindows(f: MaintenanceWindowListFilter): Promise<Page<MaintenanceWindow>> {
    const now = this.clock.now();
    let q = this.db.selectFrom('maintenance_windows').selectAll();
    if (f.filter === 'past') q = q.where('end_at', '<=', now);
    if (f.filter === 'open') q = q.where('end_at', '>', now);
    if (f.filter === 'future') q = q.where('start_at', '>', now).where('end_at', '>', now);
    if (f.filter === 'ongoing') q = q.where('start_at', '<=', now).where('end_at', '>', now);
    if (f.serviceIds) {
      const ids = f.serviceIds;
      q = q.where('id', 'in', (eb) =>
        eb.selectFrom('maintenance_window_services').select('window_id').where('service_id', 'in', ids),
      );
    }
    if (f.teamIds) {
      const ids = f.teamIds;
      q = q.where('id', 'in', (eb) =>
        eb
          .selectFrom('maintenance_window_services')
          .innerJoin('service_teams', 'service_teams.service_id', 'maintenance_window_services.service_id')
          .select('maintenance_window_services.window_id')
          .where('service_teams.team_id', 'in', ids),
      );
    }
    if (f.query) {
      q = q.where(
        sql<string>`lower(coalesce(description, ''))`,
        'like',
        sql<string>`${likePattern(f.query)} escape '\\'`,
      );
    }
    const rows = await q
      .orderBy('start_at', 'desc')
      .orderBy('id')
      .limit(f.limit + 1)
      .offset(f.offset)
      .execute();
    const p = page(rows, f.limit);
    return { items: await hydrate(this.db, p.items), more: p.more };
  }

  async createWindow(input: MaintenanceWindowInput, createdBy?: string): Promise<MaintenanceWindow> {
    const now = this.clock.now();
    const { start, end } = checkWindowTimes(input.start_time, input.end_time, now);
    const id = newId();
    const at = iso(now);
    await this.db.transaction().execute(async (trx) => {
      const serviceIds = await servicesMustExist(trx, input.service_ids);
      await trx
        .insertInto('maintenance_windows')
        .values({
          id,
          description: input.description ?? null,
          start_at: Date.parse(start),
          end_at: Date.parse(end),
          created_by: createdBy ?? null,
          created_at: at,
          updated_at: at,
        })
        .execute();
      await setServices(trx, id, serviceIds);
    });
    return this.mustGet(id);
  }

  async updateWindow(id: string, patch: Partial<MaintenanceWindowInput>): Promise<MaintenanceWindow> {
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('maintenance_windows')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw new NotFoundError('maintenance window', id, 'maintenance_window_id');
      const current = { start_time: iso(row.start_at), end_time: iso(row.end_at) };
      if (windowState(current, now) === 'past')
        throw new ConflictError(
          `Maintenance window ${id} ended at ${current.end_time}; an ended window cannot change.`,
          {
            parameter: 'maintenance_window_id',
          },
        );
      const times = checkWindowTimes(
        patch.start_time ?? current.start_time,
        patch.end_time ?? current.end_time,
        now,
      );
      // An ongoing window keeps its start unless a new one is given.
      const start = patch.start_time === undefined ? Number(row.start_at) : Date.parse(times.start);
      await trx
        .updateTable('maintenance_windows')
        .set({
          start_at: start,
          end_at: Date.parse(times.end),
          ...(patch.description !== undefined && { description: patch.description }),
          updated_at: iso(now),
        })
        .where('id', '=', id)
        .execute();
      if (patch.service_ids) await setServices(trx, id, await servicesMustExist(trx, patch.service_ids));
    });
    return this.mustGet(id);
  }

  async deleteWindow(id: string): Promise<MaintenanceWindow> {
    const now = this.clock.now();
    const window = await this.getWindow(id);
    if (!window) throw new NotFoundError('maintenance window', id, 'maintenance_window_id');
    const state = windowState(window, now);
    if (state === 'past')
      throw new ConflictError(
        `Maintenance window ${id} ended at ${window.end_time}; an ended window cannot be deleted.`,
        {
          parameter: 'maintenance_window_id',
        },
      );
    if (state === 'future') await this.db.deleteFrom('maintenance_windows').where('id', '=', id).execute();
    else
      await this.db
        .updateTable('maintenance_windows')
        .set({ end_at: now, updated_at: iso(now) })
        .where('id', '=', id)
        .execute();
    return window;
  }

  /** The services of these Events API routing keys under a window now (see windowsInEffectByRoutingKey). */
  silencedByRoutingKey(keys: readonly string[]) {
    return windowsInEffectByRoutingKey(this.db, keys, this.clock.now());
  }

  /** Records Events API triggers a window silenced. */
  recordSuppressed(events: readonly SuppressedEvent[]): Promise<void> {
    return recordSuppressedEvents(this.db, events, this.clock.now());
  }

  private async mustGet(id: string): Promise<MaintenanceWindow> {
    const w = await this.getWindow(id);
    if (!w) throw new NotFoundError('maintenance window', id, 'maintenance_window_id');
    return w;
  }
}

async function servicesMustExist(db: Db, ids: readonly string[]): Promise<string[]> {
  const wanted = [...new Set(ids)];
  const found = new Set(
    (await db.selectFrom('services').select('id').where('id', 'in', wanted).execute()).map((r) => r.id),
  );
  const missing = wanted.find((s) => !found.has(s));
  if (missing) throw new NotFoundError('service', missing, 'service_ids');
  return wanted;
}

async function setServices(db: Db, windowId: string, serviceIds: readonly string[]): Promise<void> {
  await db.deleteFrom('maintenance_window_services').where('window_id', '=', windowId).execute();
  await db
    .insertInto('maintenance_window_services')
    .values(serviceIds.map((service_id) => ({ window_id: windowId, service_id })))
    .execute();
}

async function hydrate(db: Db, rows: MaintenanceWindowsTable[]): Promise<MaintenanceWindow[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const services = await db
    .selectFrom('maintenance_window_services')
    .innerJoin('services', 'services.id', 'maintenance_window_services.service_id')
    .select(['maintenance_window_services.window_id', 'services.id', 'services.name'])
    .where('maintenance_window_services.window_id', 'in', ids)
    .orderBy('services.name_lower')
    .execute();
  const serviceIds = [...new Set(services.map((s) => s.id))];
  const teams = serviceIds.length
    ? await db
        .selectFrom('service_teams')
        .innerJoin('teams', 'teams.id', 'service_teams.team_id')
        .select(['service_teams.service_id', 'teams.id', 'teams.name'])
        .where('service_teams.service_id', 'in', serviceIds)
        .orderBy('teams.name_lower')
        .execute()
    : [];
  const creators = rows.flatMap((r) => (r.created_by ? [r.created_by] : []));
  const users = creators.length
    ? await db.selectFrom('users').select(['id', 'name']).where('id', 'in', creators).execute()
    : [];
  const byWindow = groupBy(services, (s) => s.window_id);
  const teamsOf = groupBy(teams, (t) => t.service_id);
  return rows.map((r) => {
    const svc = byWindow.get(r.id) ?? [];
    const teamRefs = new Map<string, Reference>();
    for (const s of svc)
      for (const t of teamsOf.get(s.id) ?? []) teamRefs.set(t.id, ref(t.id, 'team_reference', t.name));
    const creator = users.find((u) => u.id === r.created_by);
    return {
      id: r.id,
      type: 'maintenance_window' as const,
      summary: summaryOf(r),
      ...(r.description !== null && { description: r.description }),
      start_time: iso(r.start_at),
      end_time: iso(r.end_at),
      services: svc.map((s) => ref(s.id, 'service_reference', s.name)),
      teams: [...teamRefs.values()],
      ...(creator && { created_by: ref(creator.id, 'user_reference', creator.name) }),
    };
  });
}

/** The window in effect at `now` on each of these services that has one (the one ending last). */
export async function windowsInEffect(
  db: Db,
  serviceIds: readonly string[],
  now: number,
): Promise<Map<string, Silencer>> {
  const out = new Map<string, Silencer>();
  if (serviceIds.length === 0) return out;
  const rows = await db
    .selectFrom('maintenance_window_services')
    .innerJoin('maintenance_windows', 'maintenance_windows.id', 'maintenance_window_services.window_id')
    .select([
      'maintenance_window_services.service_id',
      'maintenance_windows.id',
      'maintenance_windows.description',
      'maintenance_windows.start_at',
      'maintenance_windows.end_at',
    ])
    .where('maintenance_window_services.service_id', 'in', [...new Set(serviceIds)])
    .where('maintenance_windows.start_at', '<=', now)
    .where('maintenance_windows.end_at', '>', now)
    .orderBy('maintenance_windows.end_at')
    .execute();
  for (const r of rows)
    out.set(r.service_id, {
      type: 'maintenance_window',
      id: r.id,
      summary: summaryOf(r),
      end_time: iso(r.end_at),
    });
  return out;
}

/** As windowsInEffect, for services named by their Events API routing keys; with each service's id and name. */
export async function windowsInEffectByRoutingKey(
  db: Db,
  keys: readonly string[],
  now: number,
): Promise<Map<string, { serviceId: string; serviceName: string; window: Silencer }>> {
  const out = new Map<string, { serviceId: string; serviceName: string; window: Silencer }>();
  if (keys.length === 0) return out;
  const rows = await db
    .selectFrom('services')
    .innerJoin('maintenance_window_services', 'maintenance_window_services.service_id', 'services.id')
    .innerJoin('maintenance_windows', 'maintenance_windows.id', 'maintenance_window_services.window_id')
    .select([
      'services.integration_key',
      'services.id as service_id',
      'services.name as service_name',
      'maintenance_windows.id',
      'maintenance_windows.description',
      'maintenance_windows.start_at',
      'maintenance_windows.end_at',
    ])
    .where('services.integration_key', 'in', [...new Set(keys)])
    .where('maintenance_windows.start_at', '<=', now)
    .where('maintenance_windows.end_at', '>', now)
    .orderBy('maintenance_windows.end_at')
    .execute();
  for (const r of rows) {
    out.set(r.integration_key, {
      serviceId: r.service_id,
      serviceName: r.service_name,
      window: { type: 'maintenance_window', id: r.id, summary: summaryOf(r), end_time: iso(r.end_at) },
    });
  }
  return out;
}

/**
 * Status-page maintenance under way at `now` over a component that follows each of these checks:
 * one in progress or verifying (started by hand or on time, not yet completed), or one still
 * `scheduled` whose scheduled times hold `now` (its automatic start may not have run yet).
 */
export async function statusMaintenanceInEffect(
  db: Db,
  checkIds: readonly string[],
  now: number,
): Promise<Map<string, Silencer>> {
  const out = new Map<string, Silencer>();
  if (checkIds.length === 0) return out;
  const rows = await db
    .selectFrom('status_incidents')
    .innerJoin('status_incident_components', 'status_incident_components.incident_id', 'status_incidents.id')
    .innerJoin(
      'status_component_checks',
      'status_component_checks.component_id',
      'status_incident_components.component_id',
    )
    .select([
      'status_component_checks.check_id',
      'status_incidents.id',
      'status_incidents.name',
      'status_incidents.status',
      'status_incidents.scheduled_for',
      'status_incidents.scheduled_until',
    ])
    .where('status_component_checks.check_id', 'in', [...new Set(checkIds)])
    .where('status_incidents.status', 'in', ['scheduled', 'in_progress', 'verifying'])
    .execute();
  for (const r of rows) {
    const from = r.scheduled_for ? Date.parse(r.scheduled_for) : Number.NaN;
    const until = r.scheduled_until ? Date.parse(r.scheduled_until) : Number.NaN;
    const underWay = r.status !== 'scheduled' || (from <= now && (Number.isNaN(until) || now < until));
    if (!underWay) continue;
    out.set(r.check_id, {
      type: 'status_page_maintenance',
      id: r.id,
      summary: r.name,
      ...(!Number.isNaN(until) && { end_time: iso(until) }),
    });
  }
  return out;
}

/** An Events API trigger a window silenced. */
export interface SuppressedEvent {
  serviceId: string;
  windowId: string;
  dedupKey: string;
  summary: string;
  payload: unknown;
}

/** Records Events API triggers a window silenced (one statement per 100). */
export async function recordSuppressedEvents(
  db: Db,
  events: readonly SuppressedEvent[],
  now: number,
): Promise<void> {
  for (let i = 0; i < events.length; i += 100) {
    await db
      .insertInto('suppressed_events')
      .values(
        events.slice(i, i + 100).map((e) => ({
          id: newId(),
          service_id: e.serviceId,
          window_id: e.windowId,
          dedup_key: e.dedupKey,
          summary: e.summary.slice(0, 1024),
          payload: JSON.stringify(e.payload ?? null),
          received_at: now,
        })),
      )
      .execute();
  }
}
