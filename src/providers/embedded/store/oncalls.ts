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
import { loadSchedules, render } from './schedule-render.js';

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

  type Row = Omit<Oncall, 'user'> & { userId: string; order: number; at: number };
  const rows: Row[] = [];
  for (const [order, t] of targets.entries()) {
    const common = {
      order,
      escalation_policy: { id: t.policy_id, summary: t.policy_name },
      escalation_level: t.level + 1,
    };
    if (t.target_type === 'user_reference') {
      if (wanted(null, t.target_id)) {
        rows.push({ ...common, userId: t.target_id, at: 0, schedule: null, start: null, end: null });
      }
      continue;
    }
    const schedule = schedules.get(t.target_id);
    if (!schedule) continue;
    for (const s of shifts.get(t.target_id) ?? []) {
      if (s.end <= f.since || s.start >= f.until || !wanted(schedule.id, s.userId)) continue;
      rows.push({
        ...common,
        userId: s.userId,
        at: s.start,
        schedule: { id: schedule.id, summary: schedule.name },
        start: schedule.tz.format(s.start),
        end: schedule.tz.format(s.end),
      });
    }
  }
  // Each level in time order, direct targets first; sort is stable.
  const level = (r: Row) => `${r.escalation_policy.id}/${r.escalation_level}`;
  const first = new Map<string, number>();
  for (const r of rows) if (!first.has(level(r))) first.set(level(r), r.order);
  rows.sort((a, b) => (first.get(level(a)) as number) - (first.get(level(b)) as number) || a.at - b.at);
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
      .map(({ userId, order: _o, at: _a, ...r }) => ({
        user: { id: userId, summary: names.get(userId) as string },
        ...r,
      })),
    more: kept.length > f.offset + f.limit,
  };
}

/** The first shift of each escalation policy, level and user (rows come in time order). */
function earliest<T extends { escalation_policy: { id: string }; escalation_level: number; userId: string }>(
  rows: T[],
): T[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const key = `${r.escalation_policy.id}/${r.escalation_level}/${r.userId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
