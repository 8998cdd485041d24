/**
 * Maintenance that moves by itself, written on the embedded store: core/maintenance-moves.ts
 * decides which move is due (scheduled → in progress → completed); here each move is written
 * with its incident update in one transaction. `auto_transition_to_maintenance_state` puts the components it names under
 * maintenance while it runs; `auto_transition_to_operational_state` leaves them operational after
 * it (those linked to checks follow their checks instead). Run by the engine's lease holder.
 */
import type { Kysely } from 'kysely';
import {
  COMPLETED_BODY,
  type MaintenanceTarget,
  maintenanceDueAt,
  maintenanceMoveAt,
  notifiesOnMove,
  OPEN_MAINTENANCE,
  type OpenMaintenance,
  STARTED_BODY,
} from '../../../core/maintenance-moves.js';
import type { Database, StatusIncidentsTable } from './schema.js';
import { addUpdate, componentsOf, schedulingOf } from './status-incidents-repo.js';

type Row = Pick<StatusIncidentsTable, 'id' | 'page_id'> & OpenMaintenance;

async function openMaintenance(db: Kysely<Database>): Promise<Row[]> {
  const rows = await db
    .selectFrom('status_incidents')
    .select(['id', 'page_id', 'status', 'scheduled_for', 'scheduled_until', 'scheduling'])
    .where('scheduled_for', 'is not', null)
    .where('status', 'in', OPEN_MAINTENANCE)
    .execute();
  return rows.map(({ scheduling, ...r }) => ({ ...r, flags: schedulingOf({ scheduling }) }));
}

/** When the next automatic move of any maintenance falls due. */
export async function nextMaintenanceDue(db: Kysely<Database>): Promise<number | undefined> {
  const times = (await openMaintenance(db))
    .map(maintenanceDueAt)
    .filter((t) => t !== undefined && !Number.isNaN(t));
  return times.length ? Math.min(...(times as number[])) : undefined;
}

export interface MaintenanceMove {
  incidentId: string;
  pageId: string;
  to: MaintenanceTarget;
}

/** Makes every automatic move due at `now` (core/maintenance-moves.ts decides which). */
export async function moveDueMaintenance(db: Kysely<Database>, now: number): Promise<MaintenanceMove[]> {
  const moves: MaintenanceMove[] = [];
  for (const r of await openMaintenance(db)) {
    const to = maintenanceMoveAt(r, now);
    if (to === undefined) continue;
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
      deliver_notifications: notifiesOnMove(r.flags, to),
    });
    return true;
  });
}
