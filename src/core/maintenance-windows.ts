/**
 * Service maintenance windows, in PagerDuty's shape (`/maintenance_windows`): from `start_time`
 * to `end_time` the services a window names open no incident and page nobody — their alerts and
 * Events API triggers are recorded only. The rules every provider shares live here: the times'
 * order and the window's state at an instant. A window is defined once, as a zod schema: its type
 * derives from it, and the tools' output schema is it.
 */
import { z } from 'zod';
import { type Page, referenceSchema } from './directory.js';
import { ValidationError } from './errors.js';

/** PagerDuty's `filter` of the list: `open` is ongoing and future; `all` is every window. */
export const MAINTENANCE_WINDOW_FILTERS = ['past', 'future', 'ongoing', 'open', 'all'] as const;
export type MaintenanceWindowFilter = (typeof MAINTENANCE_WINDOW_FILTERS)[number];

export const maintenanceWindowSchema = z.object({
  id: z.string(),
  type: z.literal('maintenance_window'),
  summary: z.string(),
  description: z.string().optional(),
  /** The order in which windows were created (PagerDuty's `sequence_number`). */
  sequence_number: z.number().optional(),
  start_time: z.string(),
  end_time: z.string(),
  services: z.array(referenceSchema),
  /** The teams of its services. */
  teams: z.array(referenceSchema),
  created_by: referenceSchema.optional(),
});
export type MaintenanceWindow = z.infer<typeof maintenanceWindowSchema>;

export interface MaintenanceWindowInput {
  start_time: string;
  end_time: string;
  description?: string | undefined;
  service_ids: string[];
}

export interface MaintenanceWindowListFilter {
  filter: MaintenanceWindowFilter;
  serviceIds?: string[] | undefined;
  teamIds?: string[] | undefined;
  /** Matched against the description. */
  query?: string | undefined;
  limit: number;
  offset: number;
}

export interface MaintenanceWindowsPort {
  getWindow(id: string): Promise<MaintenanceWindow | undefined>;
  /** Newest start first. */
  listWindows(f: MaintenanceWindowListFilter): Promise<Page<MaintenanceWindow>>;
  /** A start in the past starts it now, as on PagerDuty. `createdBy` is a user id. */
  createWindow(input: MaintenanceWindowInput, createdBy?: string): Promise<MaintenanceWindow>;
  /** `service_ids` replaces the list. A window that has ended cannot change (CONFLICT). */
  updateWindow(id: string, patch: Partial<MaintenanceWindowInput>): Promise<MaintenanceWindow>;
  /**
   * PagerDuty's delete: a future window is removed, an ongoing one ends now, one that has ended
   * cannot be deleted (CONFLICT). Answers the window as it was.
   */
  deleteWindow(id: string): Promise<MaintenanceWindow>;
}

export type WindowState = 'past' | 'ongoing' | 'future';

/** Where a window stands at `now`: it is in effect from its start (included) to its end (excluded). */
export function windowState(w: Pick<MaintenanceWindow, 'start_time' | 'end_time'>, now: number): WindowState {
  if (Date.parse(w.end_time) <= now) return 'past';
  return Date.parse(w.start_time) <= now ? 'ongoing' : 'future';
}

/** Whether a window in `state` is listed by `filter`. */
export function matchesFilter(state: WindowState, filter: MaintenanceWindowFilter): boolean {
  if (filter === 'all') return true;
  if (filter === 'open') return state !== 'past';
  return state === filter;
}

/**
 * Refuses the times PagerDuty refuses, naming the field: an end not after the start, or not in the
 * future. Either may be left out (an update changing only the other); times are ISO text.
 */
export function mustEndAfterStart(start: string | undefined, end: string | undefined, now: number): void {
  if (end === undefined) return;
  if (start !== undefined && Date.parse(end) <= Date.parse(start))
    throw new ValidationError(`end_time (${end}) must be after start_time (${start}).`, {
      parameter: 'end_time',
    });
  if (Date.parse(end) <= now)
    throw new ValidationError(
      `end_time (${end}) is in the past: a maintenance window must end in the future.`,
      { parameter: 'end_time' },
    );
}

/**
 * The times of a window being written, checked as PagerDuty does (mustEndAfterStart). A start in
 * the past becomes `now`. Answers ISO text in UTC.
 */
export function checkWindowTimes(start: string, end: string, now: number): { start: string; end: string } {
  mustEndAfterStart(start, end, now);
  return {
    start: new Date(Math.max(Date.parse(start), now)).toISOString(),
    end: new Date(Date.parse(end)).toISOString(),
  };
}
