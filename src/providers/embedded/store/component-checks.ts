/**
 * Status-page components linked to checks, on the embedded store. A linked component's own status
 * follows its checks after its delay, as core/component-automation.ts decides; the status they
 * call for and since when are kept on the component while the wait runs, and the engine applies
 * it when due. An open incident naming the component still shows over it (on read). Its uptime
 * bars come from the checks' daily rollups.
 */
import { type NotNull, sql } from 'kysely';
import { checkedDay, componentStep, worseDay } from '../../../core/component-automation.js';
import { NotFoundError } from '../../../core/errors.js';
import type { CheckedDay, ComponentStatus } from '../../../core/status-pages.js';
import { type Db, groupBy } from './repo-helpers.js';

const DAY_MS = 86_400_000;

/** check ids by component, sorted, for the components given. */
export async function linksOf(db: Db, componentIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (componentIds.length === 0) return out;
  const rows = await db
    .selectFrom('status_component_checks')
    .select(['component_id', 'check_id'])
    .where('component_id', 'in', componentIds)
    .orderBy('check_id')
    .execute();
  for (const [id, list] of groupBy(rows, (r) => r.component_id))
    out.set(
      id,
      list.map((r) => r.check_id),
    );
  return out;
}

/** Replaces a component's links; every check must exist (NOT_FOUND naming `check_ids`). */
export async function setLinks(db: Db, componentId: string, checkIds: readonly string[]): Promise<void> {
  const ids = [...new Set(checkIds)];
  if (ids.length > 0) {
    const found = await db.selectFrom('checks').select('id').where('id', 'in', ids).execute();
    const missing = ids.find((id) => !found.some((f) => f.id === id));
    if (missing) throw new NotFoundError('check', missing, 'check_ids');
  }
  await db.deleteFrom('status_component_checks').where('component_id', '=', componentId).execute();
  if (ids.length > 0) {
    await db
      .insertInto('status_component_checks')
      .values(ids.map((check_id) => ({ component_id: componentId, check_id })))
      .execute();
  } else {
    await db
      .updateTable('status_components')
      .set({ check_status: null, check_status_since: null })
      .where('id', '=', componentId)
      .execute();
  }
}

/** Components linked to any of these checks. */
export async function componentsOfChecks(db: Db, checkIds: readonly string[]): Promise<string[]> {
  const out = new Set<string>();
  for (let i = 0; i < checkIds.length; i += 500) {
    const rows = await db
      .selectFrom('status_component_checks')
      .select('component_id')
      .where('check_id', 'in', checkIds.slice(i, i + 500))
      .execute();
    for (const r of rows) out.add(r.component_id);
  }
  return [...out];
}

export interface ComponentFlip {
  componentId: string;
  pageId: string;
  from: ComponentStatus;
  to: ComponentStatus;
}

/**
 * Brings linked components up to date with their checks at `at`: the status their checks call
 * for starts its wait (or keeps the wait it has), a status they stop calling for is dropped, and
 * one whose wait is over is applied. `componentIds` undefined means every linked component.
 * Answers the components whose own status changed.
 */
export async function reconcile(
  db: Db,
  at: number,
  componentIds?: readonly string[],
): Promise<ComponentFlip[]> {
  if (componentIds?.length === 0) return [];
  let q = db
    .selectFrom('status_components as c')
    .innerJoin('status_component_checks as l', 'l.component_id', 'c.id')
    .innerJoin('checks as k', 'k.id', 'l.check_id')
    .select([
      'c.id',
      'c.page_id',
      'c.status',
      'c.check_status',
      'c.check_status_since',
      'c.automation_delay_seconds',
      'k.status as check_state',
    ]);
  if (componentIds) q = q.where('c.id', 'in', componentIds);
  const rows = await q.execute();
  const flips: ComponentFlip[] = [];
  for (const [id, list] of groupBy(rows, (r) => r.id)) {
    const c = list[0] as (typeof list)[number];
    const from = c.status;
    const step = componentStep(
      c,
      list.map((r) => r.check_state),
      at,
    );
    if (step.kind === 'clear') await setPending(db, id, null, null);
    else if (step.kind === 'wait') await setPending(db, id, step.to, step.since);
    else if (step.kind === 'apply') {
      await apply(db, id, step.to, at);
      flips.push({ componentId: id, pageId: c.page_id, from, to: step.to });
    }
  }
  return flips;
}

/** Applies the waits that are over at `now`; answers the components whose status changed. */
export async function applyDue(db: Db, now: number): Promise<ComponentFlip[]> {
  const due = await db
    .selectFrom('status_components')
    .select(['id', 'page_id', 'status', 'check_status'])
    .where('check_status', 'is not', null)
    .where(sql<number>`check_status_since + automation_delay_seconds * 1000`, '<=', now)
    .$narrowType<{ check_status: NotNull }>()
    .execute();
  const flips: ComponentFlip[] = [];
  for (const c of due) {
    await apply(db, c.id, c.check_status, now);
    if (c.check_status !== c.status)
      flips.push({
        componentId: c.id,
        pageId: c.page_id,
        from: c.status,
        to: c.check_status,
      });
  }
  return flips;
}

/** When the next wait is over; undefined when none runs. */
export async function nextDue(db: Db): Promise<number | undefined> {
  const row = await db
    .selectFrom('status_components')
    .select(sql<number | null>`min(check_status_since + automation_delay_seconds * 1000)`.as('at'))
    .where('check_status', 'is not', null)
    .executeTakeFirst();
  return row?.at == null ? undefined : Number(row.at);
}

function setPending(db: Db, id: string, status: ComponentStatus | null, since: number | null) {
  return db
    .updateTable('status_components')
    .set({ check_status: status, check_status_since: since })
    .where('id', '=', id)
    .execute();
}

function apply(db: Db, id: string, status: ComponentStatus, at: number) {
  return db
    .updateTable('status_components')
    .set({
      status,
      check_status: null,
      check_status_since: null,
      updated_at: new Date(at).toISOString(),
    })
    .where('id', '=', id)
    .execute();
}

/**
 * Daily uptime of linked components over [since, until) from their checks' day rollups; on a
 * day with several checks, the worst check's figures stand for the component (worseDay).
 */
export async function checkedUptime(
  db: Db,
  componentIds: readonly string[],
  since: number,
  until: number,
): Promise<Map<string, CheckedDay[]>> {
  const out = new Map<string, CheckedDay[]>();
  if (componentIds.length === 0) return out;
  const rows = await db
    .selectFrom('status_component_checks as l')
    .innerJoin('check_rollups as r', 'r.check_id', 'l.check_id')
    .select(['l.component_id', 'r.start_at', 'r.total', 'r.ok', 'r.degraded', 'r.failed', 'r.timeout'])
    .where('l.component_id', 'in', componentIds)
    .where('r.period', '=', 'd')
    .where('r.start_at', '>=', Math.floor(since / DAY_MS) * DAY_MS)
    .where('r.start_at', '<', until)
    .orderBy('r.start_at')
    .execute();
  for (const [id, list] of groupBy(rows, (r) => r.component_id)) {
    const days = new Map<number, CheckedDay>();
    for (const r of list) {
      const day = checkedDay(Number(r.start_at), {
        total: Number(r.total),
        degraded: Number(r.degraded),
        failed: Number(r.failed),
        timeout: Number(r.timeout),
      });
      if (!day) continue;
      const seen = days.get(Number(r.start_at));
      days.set(Number(r.start_at), seen ? worseDay(seen, day) : day);
    }
    out.set(id, [...days.values()]);
  }
  return out;
}
