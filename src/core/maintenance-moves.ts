/**
 * How a maintenance moves by itself, as Pingera's (and Statuspage's) flags ask: a scheduled
 * maintenance with `scheduled_auto_in_progress` goes in progress at `scheduled_for`, and one in
 * progress with `scheduled_auto_completed` completes at `scheduled_until`. A window wholly past
 * (the engine was down through it) completes at once, without a start of its own. The store
 * writes the move (store/maintenance.ts); this only decides it.
 */
import type { IncidentStatus, MaintenanceFields } from './status-pages.js';

/** The maintenance flags: every field of MaintenanceFields but the window itself. */
export type Scheduling = Omit<MaintenanceFields, 'scheduled_for' | 'scheduled_until'>;

/** Statuspage's own words for the automatic moves. */
export const STARTED_BODY =
  'Scheduled maintenance is currently in progress. We will provide updates as necessary.';
export const COMPLETED_BODY = 'The scheduled maintenance has been completed.';

/** The statuses a maintenance can still move from. */
export const OPEN_MAINTENANCE: readonly IncidentStatus[] = ['scheduled', 'in_progress', 'verifying'];

export interface OpenMaintenance {
  status: IncidentStatus;
  scheduled_for: string | null;
  scheduled_until: string | null;
  flags: Scheduling;
}

export type MaintenanceTarget = 'in_progress' | 'completed';

/** When a maintenance's next automatic move falls due; undefined when it has none to make. */
export function maintenanceDueAt(m: OpenMaintenance): number | undefined {
  if (!OPEN_MAINTENANCE.includes(m.status)) return undefined;
  if (m.status === 'scheduled' && m.flags.scheduled_auto_in_progress)
    return Date.parse(m.scheduled_for ?? '');
  if (m.status !== 'scheduled' && m.flags.scheduled_auto_completed)
    return Date.parse(m.scheduled_until ?? '');
  return undefined;
}

/** The move due at `now`, or undefined when none is due yet. */
export function maintenanceMoveAt(m: OpenMaintenance, now: number): MaintenanceTarget | undefined {
  const due = maintenanceDueAt(m);
  if (due === undefined || due > now) return undefined;
  const over = m.flags.scheduled_auto_completed && Date.parse(m.scheduled_until ?? '') <= now;
  return m.status === 'scheduled' && !over ? 'in_progress' : 'completed';
}

/** Whether the move notifies subscribers, as the maintenance's flags say. */
export const notifiesOnMove = (flags: Scheduling, to: MaintenanceTarget): boolean =>
  to === 'in_progress'
    ? flags.auto_transition_deliver_notifications_at_start
    : flags.auto_transition_deliver_notifications_at_end;
