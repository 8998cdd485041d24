/**
 * On-call shifts, as PagerDuty's `/oncalls` answers them: for each escalation policy and level,
 * the users it targets directly (always on call, no start or end) and the shifts of the
 * schedules it targets within the window. A shift that runs past the window keeps its real
 * start and end, looked up to a month beyond the window.
 */
import type { Page } from '../../../core/directory.js';
import type { Oncall, OncallFilter } from '../../../core/schedules.js';
import { DAY } from '../../../core/time-zone.js';
import type { Db } from './repo-helpers.js';
import { loadSchedules, render, type StoredSchedule } from './schedule-render.js';

const REACH = 31 * DAY;

export async function listOncalls(db: Db, f: OncallFilter): Promise<Page<Oncall>> {
  let policies = db
    .selectFrom('escalation_policies')
    .innerJoin('escalation_rules', 'escalation_rules.policy_id', 'escalation_policies.id')
    .innerJoin('escalation_targets', 'escalation_targets.rule_id', 'escalation_rules.id')
    .select([
      'escalation_policies.id as policy_id',
      'escalation_policies.name as policy_name',
      'escalation_rules.position as level',
      'escalation_targets.target_type',
      'escalation_targets.target_id',
    ]);
  if (f.policyIds) policies = policies.where('escalation_policies.id', 'in', f.policyIds);
  const targets = await policies
    .orderBy('escalation_policies.name')
    .orderBy('escalation_policies.id')
    .orderBy('escalation_rules.position')
    .orderBy('escalation_targets.position')
    .execute();
  const scheduleIds = new Set(f.scheduleIds);
  const userIds = new Set(f.userIds);
  const wanted = (scheduleId: string | null, userId: string) =>
    (!f.scheduleIds || (scheduleId !== null && scheduleIds.has(scheduleId))) &&
    (!f.userIds || userIds.has(userId));

  const reach = { since: f.since - REACH, until: f.until + REACH };
  const schedules = await loadSchedules(
    db,
    targets.filter((t) => t.target_type === 'schedule_reference').map((t) => t.target_id),
    reach,
  );
  const shifts = new Map([...schedules].map(([id, s]) => [id, render(s, reach).final]));

  interface Row {
    /** Rows of one policy level share the index of its first target. */
    group: number;
    policy: { id: string; summary: string };
    level: number;
    userId: string;
    schedule?: StoredSchedule;
    start: number;
    end: number;
  }
  const rows: Row[] = [];
  let group = -1;
  for (const [i, t] of targets.entries()) {
    const previous = targets[i - 1];
    if (previous?.policy_id !== t.policy_id || previous.level !== t.level) group = i;
    const policy = { id: t.policy_id, summary: t.policy_name };
    const level = t.level + 1;
    if (t.target_type === 'user_reference') {
      if (wanted(null, t.target_id))
        rows.push({ group, policy, level, userId: t.target_id, start: 0, end: 0 });
      continue;
    }
    const schedule = schedules.get(t.target_id);
    if (!schedule) continue;
    for (const s of shifts.get(t.target_id) ?? []) {
      if (s.end <= f.since || s.start >= f.until || !wanted(schedule.id, s.userId)) continue;
      // Object literals, not spreads: a spread here costs ten times as much per shift.
      rows.push({ group, policy, level, userId: s.userId, schedule, start: s.start, end: s.end });
    }
  }
  // Each level in time order, direct targets first.
  rows.sort((a, b) => a.group - b.group || a.start - b.start);
  const kept = f.earliest ? earliest(rows) : rows;
  const slice = kept.slice(f.offset, f.offset + f.limit);
  const ids = [...new Set(slice.map((r) => r.userId))];
  const users = ids.length
    ? await db.selectFrom('users').select(['id', 'name']).where('id', 'in', ids).execute()
    : [];
  const names = new Map(users.map((u) => [u.id, u.name]));
  return {
    items: slice
      .filter((r) => names.has(r.userId))
      .map((r) => ({
        user: { id: r.userId, summary: names.get(r.userId) as string },
        schedule: r.schedule ? { id: r.schedule.id, summary: r.schedule.name } : null,
        escalation_policy: r.policy,
        escalation_level: r.level,
        start: r.schedule ? r.schedule.tz.format(r.start) : null,
        end: r.schedule ? r.schedule.tz.format(r.end) : null,
      })),
    more: kept.length > f.offset + f.limit,
  };
}

/** The first shift of each escalation policy, level and user (rows come in time order). */
function earliest<T extends { policy: { id: string }; level: number; userId: string }>(rows: T[]): T[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const key = `${r.policy.id}/${r.level}/${r.userId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
