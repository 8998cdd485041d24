/**
 * The persisted state of each incident's escalation, and the notifications it queues. Every step
 * is one transaction that checks the state it read is still there, so a restart resumes exactly
 * where escalation was, and no level is skipped or paged twice.
 */
import type { Kysely, Transaction } from 'kysely';
import { newId } from './ids.js';
import { logEntry } from './incident-log.js';
import type { Database } from './schema.js';

type Trx = Transaction<Database>;

interface Level {
  delayMinutes: number;
  userIds: string[];
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
        .innerJoin('users', 'users.id', 'escalation_targets.target_id')
        .select(['escalation_targets.rule_id', 'users.id'])
        .where(
          'escalation_targets.rule_id',
          'in',
          rules.map((r) => r.id),
        )
        .where('escalation_targets.target_type', '=', 'user_reference')
        .orderBy('escalation_targets.position')
        .execute()
    : [];
  return {
    numLoops: policy.num_loops,
    levels: rules.map((r) => ({
      delayMinutes: r.delay_minutes,
      userIds: targets.filter((t) => t.rule_id === r.id).map((t) => t.id),
    })),
  };
}

/** Assigns a level's users (replacing earlier assignees) and queues a delivery per contact method. */
async function page(
  trx: Trx,
  incidentId: string,
  level: number,
  userIds: string[],
  event: string,
  nowMs: number,
) {
  const at = new Date(nowMs).toISOString();
  await trx.deleteFrom('incident_assignments').where('incident_id', '=', incidentId).execute();
  const names = userIds.length
    ? await trx.selectFrom('users').select(['id', 'name']).where('id', 'in', userIds).execute()
    : [];
  await logEntry(
    trx,
    incidentId,
    'assign_log_entry',
    at,
    undefined,
    `Assigned to level ${level + 1}: ${names.map((n) => n.name).join(', ') || 'nobody (no user targets)'}`,
    { level: level + 1, user_ids: userIds },
  );
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
  await page(trx, incidentId, 0, first.userIds, 'incident.triggered', nowMs);
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
      await page(trx, s.incident_id, level, next.userIds, 'incident.escalated', nowMs);
      escalated++;
    });
  }
  return escalated;
}
