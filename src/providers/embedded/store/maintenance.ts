/**
 * Maintenance that moves by itself, as Pingera's (and Statuspage's) flags ask: a scheduled
 * maintenance with `scheduled_auto_in_progress` goes in progress at `scheduled_for`, and one in
 * progress with `scheduled_auto_completed` completes at `scheduled_until`, each move posted as an
 * incident update. `auto_transition_to_maintenance_state` puts the components it names under
 * maintenance while it runs; `auto_transition_to_operational_state` leaves them operational after
 * it (those linked to checks follow their checks instead). Run by the engine's lease holder.
 */
import type { Kysely } from 'kysely';
import type { IncidentStatus } from '../../../core/status-pages.js';
import type { Database, StatusIncidentsTable } from './schema.js';
import { addUpdate, componentsOf, type Scheduling, schedulingOf } from './status-incidents-repo.js';

/** Statuspage's own words for the automatic moves. */
export const STARTED_BODY =
  'Scheduled maintenance is currently in progress. We will provide updates as necessary.';
export const COMPLETED_BODY = 'The scheduled maintenance has been completed.';

const OPEN: IncidentStatus[] = ['scheduled', 'in_progress', 'verifying'];

type Row = Pick<StatusIncidentsTable, 'id' | 'page_id' | 'status' | 'scheduled_for' | 'scheduled_until'> & {
  flags: Scheduling;
};

/** When a maintenance's next automatic move falls due; undefined when it has none to make. */
function dueAt(r: Row): number | undefined {
  if (!OPEN.includes(r.status as IncidentStatus)) return undefined;
  if (r.status === 'scheduled' && r.flags.scheduled_auto_in_progress)
    return Date.parse(r.scheduled_for ?? '');
  if (r.status !== 'scheduled' && r.flags.scheduled_auto_completed)
    return Date.parse(r.scheduled_until ?? '');
  return undefined;
}

async function openMaintenance(db: Kysely<Database>): Promise<Row[]> {
  const rows = await db
    .selectFrom('status_incidents')
    .select(['id', 'page_id', 'status', 'scheduled_for', 'scheduled_until', 'scheduling'])
    .where('scheduled_for', 'is not', null)
    .where('status', 'in', OPEN)
    .execute();
  return rows.map(({ scheduling, ...r }) => ({ ...r, flags: schedulingOf({ scheduling }) }));
}

/** When the next automatic move of any maintenance falls due. */
export async function nextMaintenanceDue(db: Kysely<Database>): Promise<number | undefined> {
  const times = (await openMaintenance(db)).map(dueAt).filter((t) => t !== undefined && !Number.isNaN(t));
  return times.length ? Math.min(...(times as number[])) : undefined;
}

export interface MaintenanceMove {
  incidentId: string;
  pageId: string;
  to: 'in_progress' | 'completed';
}

/**
 * Makes every automatic move due at `now`. A window wholly past (the engine was down through it)
 * is completed at once, without a start of its own.
 */
export async function moveDueMaintenance(db: Kysely<Database>, now: number): Promise<MaintenanceMove[]> {
  const moves: MaintenanceMove[] = [];
  for (const r of await openMaintenance(db)) {
    const due = dueAt(r);
    if (due === undefined || due > now) continue;
    const over = r.flags.scheduled_auto_completed && Date.parse(r.scheduled_until ?? '') <= now;
    const to = r.status === 'scheduled' && !over ? 'in_progress' : 'completed';
    if (await move(db, r, to, now)) moves.push({ incidentId: r.id, pageId: r.page_id, to });
  }
  return moves;
}

/**
 * One move, if the maintenance is still where it was read (a person may have moved it meanwhile).
 * Answers whether it moved.
 */
async function move(db: Kysely<Database>, r: Row, to: MaintenanceMove['to'], now: number): Promise<boolean> {
  const at = new Date(now).toISOString();
  return db.transaction().execute(async (trx) => {
    const moved = await trx
      .updateTable('status_incidents')
      .set({ status: to, updated_at: at, ...(to === 'completed' && { resolved_at: at }) })
      .where('id', '=', r.id)
      .where('status', '=', r.status)
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) === 0) return false;
    if (to === 'in_progress' && r.flags.auto_transition_to_maintenance_state) {
      await trx
        .updateTable('status_incident_components')
        .set({ status: 'under_maintenance' })
        .where('incident_id', '=', r.id)
        .execute();
    }
    const components = await componentsOf(trx, r.id);
    if (to === 'completed' && r.flags.auto_transition_to_operational_state) {
      const ids = Object.keys(components);
      if (ids.length > 0) {
        await trx
          .updateTable('status_components')
          .set({ status: 'operational', updated_at: at })
          .where('id', 'in', ids)
          .where('id', 'not in', trx.selectFrom('status_component_checks').select('component_id'))
          .execute();
      }
    }
    await addUpdate(trx, r.id, at, {
      status: to,
      body: to === 'in_progress' ? STARTED_BODY : COMPLETED_BODY,
      components,
      deliver_notifications:
        to === 'in_progress'
          ? r.flags.auto_transition_deliver_notifications_at_start
          : r.flags.auto_transition_deliver_notifications_at_end,
    });
    return true;
  });
}
