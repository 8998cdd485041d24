/**
 * Pieces shared by the directory repositories: reference objects, grouping, paging and
 * existence checks that name the parameter an unknown id came from.
 */
import type { Kysely, Transaction } from 'kysely';
import type { ListQuery, Page, Reference } from '../../../core/directory.js';
import { NotFoundError } from '../../../core/errors.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database> | Transaction<Database>;
export type Filter = ListQuery & { teamIds?: string[] | undefined };

export const ref = (id: string, type: string, summary: string): Reference => ({ id, type, summary });

export function groupBy<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}

/** A page from rows fetched with `limit + 1`: the extra row only says there is more. */
export function page<T>(rows: T[], limit: number): Page<T> {
  return { items: rows.slice(0, limit), more: rows.length > limit };
}

export async function mustExist(
  db: Db,
  table: 'users' | 'teams' | 'services' | 'escalation_policies' | 'incidents',
  id: string,
  what: string,
  parameter: string,
): Promise<void> {
  const row = await db.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError(what, id, parameter);
}

export async function mustAllExist(
  db: Db,
  table: 'users' | 'teams' | 'schedules',
  ids: string[],
  what: string,
  parameter: string,
): Promise<void> {
  if (ids.length === 0) return;
  const found = new Set(
    (await db.selectFrom(table).select('id').where('id', 'in', ids).execute()).map((r) => r.id),
  );
  const missing = ids.find((id) => !found.has(id));
  if (missing) throw new NotFoundError(what, missing, parameter);
}

/**
 * The ids of the escalation policies that page any of these users: directly, or through a
 * schedule they are in.
 */
export function policiesPaging(db: Db, userIds: readonly string[]) {
  return db
    .selectFrom('escalation_targets')
    .innerJoin('escalation_rules', 'escalation_rules.id', 'escalation_targets.rule_id')
    .select('escalation_rules.policy_id')
    .where((eb) =>
      eb.or([
        eb.and([
          eb('escalation_targets.target_type', '=', 'user_reference'),
          eb('escalation_targets.target_id', 'in', userIds),
        ]),
        eb.and([
          eb('escalation_targets.target_type', '=', 'schedule_reference'),
          eb(
            'escalation_targets.target_id',
            'in',
            eb
              .selectFrom('schedule_layer_users')
              .innerJoin('schedule_layers', 'schedule_layers.id', 'schedule_layer_users.layer_id')
              .select('schedule_layers.schedule_id')
              .where('schedule_layer_users.user_id', 'in', userIds),
          ),
        ]),
      ]),
    );
}

/** The escalation policies that page through each of these schedules, by name (one row per pair). */
export function policiesThroughSchedules(db: Db, scheduleIds: readonly string[]) {
  return db
    .selectFrom('escalation_targets')
    .innerJoin('escalation_rules', 'escalation_rules.id', 'escalation_targets.rule_id')
    .innerJoin('escalation_policies', 'escalation_policies.id', 'escalation_rules.policy_id')
    .select(['escalation_targets.target_id', 'escalation_policies.id', 'escalation_policies.name'])
    .distinct()
    .where('escalation_targets.target_type', '=', 'schedule_reference')
    .where('escalation_targets.target_id', 'in', scheduleIds)
    .orderBy('escalation_policies.name')
    .execute();
}
