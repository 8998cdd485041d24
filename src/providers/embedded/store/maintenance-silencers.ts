/**
 * What silences an alert or an Events API trigger, looked up for many at once: a service
 * maintenance window in effect on its service, or a status-page maintenance under way over a
 * component that follows its check. And the record of the triggers a window silenced.
 */
import { newId } from './ids.js';
import type { Db } from './repo-helpers.js';
import type { MaintenanceWindowsTable } from './schema.js';

/** What silenced an alert or an event, as the alert's `suppressed_by` and the event's answer name it. */
export interface Silencer {
  type: 'maintenance_window' | 'status_page_maintenance';
  id: string;
  summary: string;
  /** When it ends, if it says (a status-page maintenance in progress may run past its time). */
  end_time?: string;
}

export const iso = (ms: number | string) => new Date(Number(ms)).toISOString();

/** The window's summary, as PagerDuty makes it: its description, or its times. */
export const summaryOf = (w: Pick<MaintenanceWindowsTable, 'description' | 'start_at' | 'end_at'>) =>
  w.description || `Maintenance from ${iso(w.start_at)} to ${iso(w.end_at)}`;

/** A service under a window in effect, and that window. */
export interface ServiceInMaintenance {
  serviceId: string;
  serviceName: string;
  window: Silencer;
}

/** The window in effect at `now` on each of these services that has one (the one ending last). */
export async function windowsInEffect(
  db: Db,
  serviceIds: readonly string[],
  now: number,
): Promise<Map<string, Silencer>> {
  const found = await servicesInMaintenance(db, 'id', serviceIds, now);
  return new Map([...found].map(([id, s]) => [id, s.window]));
}

/** As windowsInEffect, for services named by their Events API routing keys; with each service's id and name. */
export function windowsInEffectByRoutingKey(
  db: Db,
  keys: readonly string[],
  now: number,
): Promise<Map<string, ServiceInMaintenance>> {
  return servicesInMaintenance(db, 'integration_key', keys, now);
}

/** Services picked by one of their columns, by its value, under a window in effect at `now`. */
async function servicesInMaintenance(
  db: Db,
  by: 'id' | 'integration_key',
  values: readonly string[],
  now: number,
): Promise<Map<string, ServiceInMaintenance>> {
  const out = new Map<string, ServiceInMaintenance>();
  if (values.length === 0) return out;
  const rows = await db
    .selectFrom('services')
    .innerJoin('maintenance_window_services', 'maintenance_window_services.service_id', 'services.id')
    .innerJoin('maintenance_windows', 'maintenance_windows.id', 'maintenance_window_services.window_id')
    .select([
      `services.${by} as key`,
      'services.id as service_id',
      'services.name as service_name',
      'maintenance_windows.id',
      'maintenance_windows.description',
      'maintenance_windows.start_at',
      'maintenance_windows.end_at',
    ])
    .where(`services.${by}`, 'in', [...new Set(values)])
    .where('maintenance_windows.start_at', '<=', now)
    .where('maintenance_windows.end_at', '>', now)
    // Ending last is set last, so it wins.
    .orderBy('maintenance_windows.end_at')
    .execute();
  for (const r of rows) {
    out.set(r.key as string, {
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

/** How long silenced triggers are kept: a storm through a long window must not fill the disk. */
export const SUPPRESSED_RETENTION_MS = 30 * 86_400_000;

/**
 * Records Events API triggers a window silenced (one statement per 100), and drops those of the
 * same services older than SUPPRESSED_RETENTION_MS (through the service and time index).
 */
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
  if (events.length === 0) return;
  await db
    .deleteFrom('suppressed_events')
    .where('service_id', 'in', [...new Set(events.map((e) => e.serviceId))])
    .where('received_at', '<', now - SUPPRESSED_RETENTION_MS)
    .execute();
}
