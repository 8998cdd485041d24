/**
 * Schedules as the rotation code needs them: layers and the overrides of a window read from the
 * store, rendered into shifts. Shared by the schedule tools, on-call queries and escalation.
 */

import { type LayerSpec, type OverrideSpec, type Rendered, renderSchedule } from '../../../core/rotation.js';
import type { Window } from '../../../core/schedules.js';
import { TimeZone } from '../../../core/time-zone.js';
import { type Db, groupBy } from './repo-helpers.js';
import type { ScheduleLayersTable, ScheduleOverridesTable } from './schema.js';

export interface StoredSchedule {
  id: string;
  name: string;
  tz: TimeZone;
  layers: (ScheduleLayersTable & { spec: LayerSpec })[];
  overrides: ScheduleOverridesTable[];
}

/** The schedules with these ids (unknown ids are left out), with the overrides touching the window. */
export async function loadSchedules(
  db: Db,
  ids: readonly string[],
  window: Window,
): Promise<Map<string, StoredSchedule>> {
  const out = new Map<string, StoredSchedule>();
  if (ids.length === 0) return out;
  const unique = [...new Set(ids)];
  const [schedules, layers, members, overrides] = await Promise.all([
    db.selectFrom('schedules').select(['id', 'name', 'time_zone']).where('id', 'in', unique).execute(),
    db
      .selectFrom('schedule_layers')
      .selectAll()
      .where('schedule_id', 'in', unique)
      .orderBy('position')
      .execute(),
    db
      .selectFrom('schedule_layer_users')
      .innerJoin('schedule_layers', 'schedule_layers.id', 'schedule_layer_users.layer_id')
      .select(['schedule_layer_users.layer_id', 'schedule_layer_users.user_id'])
      .where('schedule_layers.schedule_id', 'in', unique)
      .orderBy('schedule_layer_users.position')
      .execute(),
    db
      .selectFrom('schedule_overrides')
      .selectAll()
      .where('schedule_id', 'in', unique)
      .where('end_at', '>', window.since)
      .where('start_at', '<', window.until)
      .orderBy('seq')
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
  ]);
  const layersBy = groupBy(layers, (l) => l.schedule_id);
  const membersBy = groupBy(members, (m) => m.layer_id);
  const overridesBy = groupBy(overrides, (o) => o.schedule_id);
  for (const s of schedules) {
    out.set(s.id, {
      id: s.id,
      name: s.name,
      tz: TimeZone.of(s.time_zone),
      layers: (layersBy.get(s.id) ?? []).map((l) => ({
        ...l,
        spec: {
          start: l.start_at,
          end: l.end_at,
          virtualStart: l.virtual_start_at,
          turnSeconds: l.turn_seconds,
          userIds: (membersBy.get(l.id) ?? []).map((m) => m.user_id),
          restrictions: JSON.parse(l.restrictions),
        },
      })),
      overrides: overridesBy.get(s.id) ?? [],
    });
  }
  return out;
}

export function render(schedule: StoredSchedule, window: Window): Rendered {
  const overrides: OverrideSpec[] = schedule.overrides.map((o) => ({
    start: o.start_at,
    end: o.end_at,
    userId: o.user_id,
  }));
  return renderSchedule(
    schedule.layers.map((l) => l.spec),
    overrides,
    schedule.tz,
    window.since,
    window.until,
  );
}

/** Who is on call in each schedule at an instant (none where the final schedule has a gap). */
export async function onCallAt(
  db: Db,
  scheduleIds: readonly string[],
  at: number,
): Promise<Map<string, string>> {
  const window = { since: at, until: at + 1 };
  const schedules = await loadSchedules(db, scheduleIds, window);
  const out = new Map<string, string>();
  for (const [id, s] of schedules) {
    const shift = render(s, window).final[0];
    if (shift) out.set(id, shift.userId);
  }
  return out;
}
