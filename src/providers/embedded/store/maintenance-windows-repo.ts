/**
 * Service maintenance windows on the embedded store (the port), with their services. Times are
 * kept in ms; a window is in effect from `start_at` (included) to `end_at` (excluded). What a
 * window silences is looked up in maintenance-silencers.ts.
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
import {
  iso,
  recordSuppressedEvents,
  type SuppressedEvent,
  summaryOf,
  windowsInEffectByRoutingKey,
} from './maintenance-silencers.js';
import { type Db, groupBy, page, ref } from './repo-helpers.js';
import type { Database, MaintenanceWindowsTable } from './schema.js';
import { likePattern } from './sql-errors.js';

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
      const row = await notEnded(trx, id, now, 'change');
      const current = { start_time: iso(row.start_at), end_time: iso(row.end_at) };
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
    return this.db.transaction().execute(async (trx) => {
      const row = await notEnded(trx, id, now, 'be deleted');
      const [window] = await hydrate(trx, [row]);
      if (Number(row.start_at) > now)
        await trx.deleteFrom('maintenance_windows').where('id', '=', id).execute();
      else
        await trx
          .updateTable('maintenance_windows')
          .set({ end_at: now, updated_at: iso(now) })
          .where('id', '=', id)
          .execute();
      return window as MaintenanceWindow;
    });
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

/** The window's row, which must exist (NOT_FOUND) and not have ended at `now` (CONFLICT). */
async function notEnded(db: Db, id: string, now: number, verb: string): Promise<MaintenanceWindowsTable> {
  const row = await db.selectFrom('maintenance_windows').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('maintenance window', id, 'maintenance_window_id');
  if (windowState({ start_time: iso(row.start_at), end_time: iso(row.end_at) }, now) === 'past')
    throw new ConflictError(
      `Maintenance window ${id} ended at ${iso(row.end_at)}; an ended window cannot ${verb}.`,
      { parameter: 'maintenance_window_id' },
    );
  return row;
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
