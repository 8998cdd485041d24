/**
 * The persisted state of each incident's escalation, and the notifications it queues. Every step
 * is one transaction that checks the state it read is still there, so a restart resumes exactly
 * where escalation was, and no level is skipped or paged twice.
 */
import type { Kysely, Transaction } from 'kysely';
import { ValidationError } from '../../../core/errors.js';
import type { Actor } from '../../../core/incidents.js';
import { newId } from './ids.js';
import { logEntry } from './incident-log.js';
import { onCallAt } from './schedule-render.js';
import type { Database } from './schema.js';

type Trx = Transaction<Database>;

interface Level {
  delayMinutes: number;
  targets: { type: string; id: string }[];
}

async function levelsOf(
  trx: Trx,
  policyId: string,
): Promise<{ levels: Level[]; numLoops: number } | undefined> {
  const policy = await trx
    .selectFrom('escalation_policies')
    .select('num_loops')
    .where('id', '=', policyId)
    .executeTakeFirst();
  if (!policy) return undefined;
  const rules = await trx
    .selectFrom('escalation_rules')
    .select(['id', 'delay_minutes'])
    .where('policy_id', '=', policyId)
    .orderBy('position')
    .execute();
  const targets = rules.length
    ? await trx
        .selectFrom('escalation_targets')
        .select(['rule_id', 'target_type', 'target_id'])
        .where(
          'rule_id',
          'in',
          rules.map((r) => r.id),
        )
        .orderBy('position')
        .execute()
    : [];
  return {
    numLoops: policy.num_loops,
    levels: rules.map((r) => ({
      delayMinutes: r.delay_minutes,
      targets: targets
        .filter((t) => t.rule_id === r.id)
        .map((t) => ({ type: t.target_type, id: t.target_id })),
    })),
  };
}

/** The users a level pages now: its users, and whoever is on call in its schedules. */
async function usersOf(trx: Trx, level: Level, nowMs: number): Promise<string[]> {
  const schedules = level.targets.filter((t) => t.type === 'schedule_reference').map((t) => t.id);
  const onCall = schedules.length ? await onCallAt(trx, schedules, nowMs) : new Map<string, string>();
  const ids = level.targets.flatMap((t) => {
    const id = t.type === 'schedule_reference' ? onCall.get(t.id) : t.id;
    return id ? [id] : [];
  });
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const existing = new Set(
    (await trx.selectFrom('users').select('id').where('id', 'in', unique).execute()).map((u) => u.id),
  );
  return unique.filter((id) => existing.has(id));
}

/** Assigns a level's users (replacing earlier assignees) and queues a delivery per contact method. */
async function page(
  trx: Trx,
  incidentId: string,
  level: number,
  userIds: string[],
  event: string,
  nowMs: number,
  by?: Actor,
) {
  const at = new Date(nowMs).toISOString();
  await trx.deleteFrom('incident_assignments').where('incident_id', '=', incidentId).execute();
  const found = userIds.length
    ? await trx.selectFrom('users').select(['id', 'name']).where('id', 'in', userIds).execute()
    : [];
  const names =
    userIds.map((id) => found.find((u) => u.id === id)?.name ?? id).join(', ') ||
    'nobody (no user targets, and nobody on call in its schedules)';
  if (by) {
    await logEntry(trx, incidentId, 'reassign_log_entry', at, by, `Reassigned to ${names}`, {
      user_ids: userIds,
    });
  } else {
    await logEntry(
      trx,
      incidentId,
      'assign_log_entry',
      at,
      undefined,
      `Assigned to level ${level + 1}: ${names}`,
      {
        level: level + 1,
        user_ids: userIds,
      },
    );
  }
  if (userIds.length === 0) return;
  await trx
    .insertInto('incident_assignments')
    .values(userIds.map((user_id) => ({ incident_id: incidentId, user_id, at })))
    .execute();
  const methods = await trx
    .selectFrom('contact_methods')
    .select(['user_id', 'kind', 'address', 'secret'])
    .where('user_id', 'in', userIds)
    .orderBy('position')
    .execute();
  if (methods.length === 0) return;
  await trx
    .insertInto('notification_deliveries')
    .values(
      methods.map((m) => ({
        id: newId(),
        incident_id: incidentId,
        user_id: m.user_id,
        event,
        level,
        kind: m.kind,
        address: m.address,
        secret: m.secret,
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: nowMs,
        last_error: null,
        created_at: at,
        delivered_at: null,
      })),
    )
    .execute();
}

/** Starts escalation of a new incident: level 1 is paged now and has its delay to acknowledge. */
export async function startEscalation(
  trx: Trx,
  incidentId: string,
  policyId: string,
  nowMs: number,
): Promise<void> {
  const policy = await levelsOf(trx, policyId);
  const first = policy?.levels[0];
  if (!first) return;
  await page(trx, incidentId, 0, await usersOf(trx, first, nowMs), 'incident.triggered', nowMs);
  await trx
    .insertInto('incident_escalations')
    .values({
      incident_id: incidentId,
      policy_id: policyId,
      level: 0,
      loop: 0,
      next_at: nowMs + first.delayMinutes * 60_000,
      state: 'active',
    })
    .execute();
}

/** Stops escalation (on acknowledge or resolve). */
export async function stopEscalation(trx: Trx, incidentId: string): Promise<void> {
  await trx
    .updateTable('incident_escalations')
    .set({ state: 'stopped' })
    .where('incident_id', '=', incidentId)
    .execute();
}

/**
 * Moves every escalation whose level ran out to its next level (looping `num_loops` times),
 * paging that level. Returns how many incidents escalated.
 */
export async function escalateDue(db: Kysely<Database>, nowMs: number, batch = 100): Promise<number> {
  const due = await db
    .selectFrom('incident_escalations')
    .selectAll()
    .where('state', '=', 'active')
    .where('next_at', '<=', nowMs)
    .orderBy('next_at')
    .limit(batch)
    .execute();
  let escalated = 0;
  for (const s of due) {
    await db.transaction().execute(async (trx) => {
      const incident = await trx
        .selectFrom('incidents')
        .select('status')
        .where('id', '=', s.incident_id)
        .executeTakeFirst();
      const policy = await levelsOf(trx, s.policy_id);
      const claim = (set: Partial<Database['incident_escalations']>) =>
        trx
          .updateTable('incident_escalations')
          .set(set)
          .where('incident_id', '=', s.incident_id)
          .where('level', '=', s.level)
          .where('loop', '=', s.loop)
          .where('state', '=', 'active')
          .executeTakeFirst();
      if (incident?.status !== 'triggered' || !policy || policy.levels.length === 0) {
        await claim({ state: 'stopped' });
        return;
      }
      let level = s.level + 1;
      let loop = s.loop;
      if (level >= policy.levels.length) {
        level = 0;
        loop++;
      }
      if (loop > policy.numLoops) {
        const ended = await claim({ state: 'exhausted' });
        if (ended.numUpdatedRows > 0n) {
          const summary = `Escalation ended: nobody acknowledged after ${policy.numLoops + 1} pass(es) through the policy`;
          await logEntry(
            trx,
            s.incident_id,
            'escalate_log_entry',
            new Date(nowMs).toISOString(),
            undefined,
            summary,
          );
        }
        return;
      }
      const next = policy.levels[level] as Level;
      // Read-check-write: only the transaction that moves this exact state pages the level.
      const moved = await claim({ level, loop, next_at: nowMs + next.delayMinutes * 60_000 });
      if (moved.numUpdatedRows === 0n) return;
      const at = new Date(nowMs).toISOString();
      await logEntry(
        trx,
        s.incident_id,
        'escalate_log_entry',
        at,
        undefined,
        `Escalated to level ${level + 1}`,
        { level: level + 1, loop },
      );
      await page(trx, s.incident_id, level, await usersOf(trx, next, nowMs), 'incident.escalated', nowMs);
      escalated++;
    });
  }
  return escalated;
}

/** Assigns the incident to these users, paging them; escalation by the policy stops. */
export async function reassign(
  trx: Trx,
  incidentId: string,
  userIds: string[],
  nowMs: number,
  by: Actor,
): Promise<void> {
  await stopEscalation(trx, incidentId);
  await page(trx, incidentId, 0, userIds, 'incident.reassigned', nowMs, by);
}

/**
 * Escalates to a level of the policy now (0-based), paging it; escalation continues from there
 * on time, as if it had got there by itself.
 */
export async function escalateTo(
  trx: Trx,
  incidentId: string,
  policyId: string,
  level: number,
  nowMs: number,
  by: Actor,
) {
  const policy = await levelsOf(trx, policyId);
  const target = policy?.levels[level];
  if (!policy || !target) {
    throw new ValidationError(
      `escalation_level ${level + 1} does not exist: the escalation policy has ${policy?.levels.length ?? 0} level(s).`,
      { parameter: 'escalation_level' },
    );
  }
  const at = new Date(nowMs).toISOString();
  await logEntry(trx, incidentId, 'escalate_log_entry', at, by, `Escalated to level ${level + 1}`, {
    level: level + 1,
  });
  await page(trx, incidentId, level, await usersOf(trx, target, nowMs), 'incident.escalated', nowMs);
  const state = {
    policy_id: policyId,
    level,
    loop: 0,
    next_at: nowMs + target.delayMinutes * 60_000,
    state: 'active' as const,
  };
  await trx
    .insertInto('incident_escalations')
    .values({ incident_id: incidentId, ...state })
    .onConflict((oc) => oc.column('incident_id').doUpdateSet(state))
    .execute();
}

/** Starts escalation over from level 1 (a snoozed incident triggered again). */
export async function restartEscalation(
  trx: Trx,
  incidentId: string,
  policyId: string,
  nowMs: number,
): Promise<void> {
  await trx.deleteFrom('incident_escalations').where('incident_id', '=', incidentId).execute();
  await startEscalation(trx, incidentId, policyId, nowMs);
}

/** Triggers again every acknowledged incident whose snooze ran out. Returns how many. */
export async function wakeSnoozed(db: Kysely<Database>, nowMs: number, batch = 100): Promise<number> {
  const due = await db
    .selectFrom('incidents')
    .select(['id', 'escalation_policy_id'])
    .where('status', '=', 'acknowledged')
    .where('snoozed_until', '<=', nowMs)
    .limit(batch)
    .execute();
  let woken = 0;
  for (const incident of due) {
    await db.transaction().execute(async (trx) => {
      const at = new Date(nowMs).toISOString();
      const moved = await trx
        .updateTable('incidents')
        .set({
          status: 'triggered',
          snoozed_until: null,
          updated_at: at,
          last_status_change_at: at,
          last_status_change_by_type: null,
          last_status_change_by_id: null,
        })
        .where('id', '=', incident.id)
        .where('status', '=', 'acknowledged')
        .where('snoozed_until', '<=', nowMs)
        .executeTakeFirst();
      if (moved.numUpdatedRows === 0n) return;
      await trx.deleteFrom('incident_acknowledgements').where('incident_id', '=', incident.id).execute();
      await logEntry(trx, incident.id, 'trigger_log_entry', at, undefined, 'Snooze ended: triggered again');
      if (incident.escalation_policy_id)
        await restartEscalation(trx, incident.id, incident.escalation_policy_id, nowMs);
      woken++;
    });
  }
  return woken;
}
