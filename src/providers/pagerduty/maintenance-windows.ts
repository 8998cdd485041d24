/**
 * Maintenance windows on PagerDuty (`/maintenance_windows`): listed with PagerDuty's own `filter`,
 * `service_ids[]`, `team_ids[]` and `query`; written with the `From` header. PagerDuty itself
 * moves a past start to now, ends an ongoing window on DELETE and refuses (405) to delete one that
 * has ended, which is answered CONFLICT here as on the embedded engine.
 */
import type { Page } from '../../core/directory.js';
import { ConflictError, NotFoundError, VigilError } from '../../core/errors.js';
import type {
  MaintenanceWindow,
  MaintenanceWindowInput,
  MaintenanceWindowListFilter,
  MaintenanceWindowsPort,
} from '../../core/maintenance-windows.js';
import { defined, num, type Raw, str } from '../shared/read.js';
import { pageOf } from './directory.js';
import { one, typedRef, typedRefs } from './parse.js';
import { enc, type Session } from './session.js';

/** A raw PagerDuty maintenance window in Vigil's (PagerDuty's) shape; links left out. */
export function maintenanceWindow(raw: Raw): MaintenanceWindow {
  const description = str(raw.description);
  return defined({
    id: str(raw.id) ?? '',
    type: 'maintenance_window' as const,
    summary: str(raw.summary) || description || '',
    description,
    sequence_number: num(raw.sequence_number),
    start_time: str(raw.start_time) ?? '',
    end_time: str(raw.end_time) ?? '',
    services: typedRefs(raw.services, 'service_reference'),
    teams: typedRefs(raw.teams, 'team_reference'),
    created_by: typedRef(raw.created_by, 'user_reference'),
  });
}

/** The request body PagerDuty takes for a window (its schema requires times, services and type). */
function body(w: MaintenanceWindowInput) {
  return {
    maintenance_window: defined({
      type: 'maintenance_window',
      start_time: w.start_time,
      end_time: w.end_time,
      description: w.description,
      services: w.service_ids.map((id) => ({ id, type: 'service_reference' })),
    }),
  };
}

export class PagerDutyMaintenanceWindows implements MaintenanceWindowsPort {
  constructor(private readonly s: Session) {}

  async getWindow(id: string): Promise<MaintenanceWindow | undefined> {
    const found = await this.s.client.find<Raw>(`/maintenance_windows/${enc(id)}`);
    return found && maintenanceWindow(one(found, 'maintenance_window'));
  }

  async listWindows(f: MaintenanceWindowListFilter): Promise<Page<MaintenanceWindow>> {
    const page = await this.s.client.list<Raw>(
      '/maintenance_windows',
      'maintenance_windows',
      { filter: f.filter, service_ids: f.serviceIds, team_ids: f.teamIds, query: f.query },
      f.limit,
      f.offset,
    );
    return pageOf(page, maintenanceWindow);
  }

  async createWindow(input: MaintenanceWindowInput): Promise<MaintenanceWindow> {
    const answer = await this.s.client.send<Raw>(
      'POST',
      '/maintenance_windows',
      body(input),
      await this.s.from(),
    );
    return maintenanceWindow(one(answer, 'maintenance_window'));
  }

  async updateWindow(id: string, patch: Partial<MaintenanceWindowInput>): Promise<MaintenanceWindow> {
    // PUT takes the whole window: what the patch leaves out comes from the window as it is.
    const current = await this.mustGet(id);
    const answer = await this.s.client.send<Raw>(
      'PUT',
      `/maintenance_windows/${enc(id)}`,
      body({
        start_time: patch.start_time ?? current.start_time,
        end_time: patch.end_time ?? current.end_time,
        description: patch.description ?? current.description,
        service_ids: patch.service_ids ?? current.services.map((s) => s.id),
      }),
    );
    return maintenanceWindow(one(answer, 'maintenance_window'));
  }

  async deleteWindow(id: string): Promise<MaintenanceWindow> {
    const current = await this.mustGet(id);
    try {
      await this.s.client.send('DELETE', `/maintenance_windows/${enc(id)}`, undefined);
    } catch (err) {
      if (err instanceof VigilError && err.details?.status === 405)
        throw new ConflictError(
          `Maintenance window ${id} ended at ${current.end_time}; an ended window cannot be deleted.`,
          { parameter: 'maintenance_window_id', provider: 'pagerduty' },
        );
      throw err;
    }
    return current;
  }

  private async mustGet(id: string): Promise<MaintenanceWindow> {
    const w = await this.getWindow(id);
    if (!w) throw new NotFoundError('maintenance window', id, 'maintenance_window_id');
    return w;
  }
}
