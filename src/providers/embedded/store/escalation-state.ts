/**
 * The persisted state of each incident's escalation, and the notifications it queues; which level
 * comes next and whom it pages is decided in core/escalation-steps.ts. Every step
 * is one transaction that checks the state it read is still there, so a restart resumes exactly
 * where escalation was, and no level is skipped or paged twice.
 */
import type { Kysely, Transaction } from 'kysely';
import { ValidationError } from '../../../core/errors.js';
import {
  type EscalationLevel as Level,
  levelDueAt,
  levelUsers,
  nextPosition,
  schedulesOf,
} from '../../../core/escalation-steps.js';
import type { Actor } from '../../../core/incidents.js';
import { cancelPages, queueDeliveries } from './deliveries-repo.js';
import { logEntry } from './incident-log.js';
import { pagingPlan } from './notification-rules-repo.js';
import { onCallAt } from './schedule-render.js';
import type { Database, DeliveryEvent } from './schema.js';

type Trx = Transaction<Database>;

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

/** What one batch of escalation steps shares: policies and who is on call do not change within it. */
interface StepCache {
  policies: Map<string, Awaited<ReturnType<typeof levelsOf>>>;
  onCall: Map<string, string | undefined>;
}

const newCache = (): StepCache => ({ policies: new Map(), onCall: new Map() });

async function cachedLevels(trx: Trx, policyId: string, cache: StepCache) {
  if (!cache.policies.has(policyId)) cache.policies.set(policyId, await levelsOf(trx, policyId));
  return cache.policies.get(policyId);
}

/** The users a level pages now: its users, and whoever is on call in its schedules. */
async function usersOf(trx: Trx, level: Level, nowMs: number, cache = newCache()): Promise<string[]> {
  const unknown = [...new Set(schedulesOf(level).filter((id) => !cache.onCall.has(id)))];
  if (unknown.length) {
    const found = await onCallAt(trx, unknown, nowMs);
    for (const id of unknown) cache.onCall.set(id, found.get(id));
  }
  return levelUsers(level, (id) => cache.onCall.get(id));
}

/** Assigns a level's users (replacing earlier assignees) and queues a delivery per contact method. */
async function page(
  trx: Trx,
  incidentId: string,
  level: number,
  targets: string[],
  event: Extract<DeliveryEvent, `incident.${string}`>,
  nowMs: number,
  by?: Actor,
) {
  const at = new Date(nowMs).toISOString();
  // A level paged now replaces the one before: its pages still waiting on a rule's delay go.
  if (event === 'incident.escalated') await cancelUnsent(trx, incidentId, nowMs, 'escalated', nowMs);
  await trx.deleteFrom('incident_assignments').where('incident_id', '=', incidentId).execute();
  const found = targets.length
    ? await trx.selectFrom('users').select(['id', 'name']).where('id', 'in', targets).execute()
    : [];
  // Targets deleted since the policy was written are left out.
  const named = new Map(found.map((u) => [u.id, u.name]));
  const userIds = targets.filter((id) => named.has(id));
  const names =
    userIds.map((id) => named.get(id)).join(', ') ||
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
  // Each user's notification rules for the incident's urgency, each at its delay; no rules: every method now.
  const incident = await trx
    .selectFrom('incidents')
    .select('urgency')
    .where('id', '=', incidentId)
    .executeTakeFirst();
  const steps = await pagingPlan(trx, userIds, incident?.urgency ?? 'high');
  if (steps.length === 0) return;
  await queueDeliveries(
    trx,
    steps.map((m) => ({
      incident_id: incidentId,
      user_id: m.user_id,
      event,
      level,
      kind: m.kind,
      address: m.address,
      secret: m.secret,
      next_attempt_at: nowMs + m.delayMinutes * 60_000,
    })),
    nowMs,
  );
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
      next_at: levelDueAt(first, nowMs),
      state: 'active',
    })
    .execute();
}

/**
 * Stops escalation (on acknowledge, resolve or reassign); pages not yet sent are cancelled, in the
 * same transaction as the change that stops it. `why` is that change, as the timeline says it.
 */
export async function stopEscalation(
  trx: Trx,
  incidentId: string,
  nowMs: number,
  why: 'acknowledged' | 'resolved' | 'reassigned',
): Promise<void> {
  await trx
    .updateTable('incident_escalations')
    .set({ state: 'stopped' })
    .where('incident_id', '=', incidentId)
    .execute();
  await cancelUnsent(trx, incidentId, nowMs, why);
}

/**
 * Cancels the incident's pages not yet sent — notification rules whose delay has not come, pages
 * waiting to be tried again — each cancellation on the incident's log: it was acknowledged,
 * resolved, reassigned or escalated first.
 */
async function cancelUnsent(
  trx: Trx,
  incidentId: string,
  nowMs: number,
  why: string,
  dueAfter?: number,
): Promise<void> {
  const reason = `Cancelled: the incident was ${why} first.`;
  const cancelled = await cancelPages(trx, incidentId, nowMs, reason, dueAfter);
  if (cancelled.length === 0) return;
  const at = new Date(nowMs).toISOString();
  const userIds = [...new Set(cancelled.flatMap((c) => (c.user_id ? [c.user_id] : [])))];
  const users = await trx.selectFrom('users').select(['id', 'name']).where('id', 'in', userIds).execute();
  const name = new Map(users.map((u) => [u.id, u.name]));
  for (const c of cancelled) {
    const who = (c.user_id && name.get(c.user_id)) ?? c.user_id;
    const due = new Date(c.next_attempt_at).toISOString();
    await logEntry(
      trx,
      incidentId,
      'notify_log_entry',
      at,
      undefined,
      `Notification by ${c.kind} to ${who} (due ${due}) cancelled: the incident was ${why} first`,
      { user_id: c.user_id, channel: c.kind, delivery_id: c.id, status: 'cancelled' },
    );
  }
}

/** Escalations stepped in one transaction: one commit (one fsync) for the lot. */
const CHUNK = 50;
/** Transactions in flight at once: PostgreSQL overlaps them; SQLite runs them one after another. */
const PARALLEL = 4;

type Due = Database['incident_escalations'];

/**
 * Moves every escalation whose level ran out to its next level (looping `num_loops` times),
 * paging that level. Steps are committed in chunks; a chunk that fails is retried one step per
 * transaction, so one broken incident never holds up the others. Returns how many incidents
 * escalated, and whether more were due than this call took.
 */
export async function escalateDue(
  db: Kysely<Database>,
  nowMs: number,
  batch = 500,
): Promise<{ escalated: number; more: boolean }> {
  const due = await db
    .selectFrom('incident_escalations')
    .selectAll()
    .where('state', '=', 'active')
    .where('next_at', '<=', nowMs)
    .orderBy('next_at')
    .limit(batch)
    .execute();
  const chunks: Due[][] = [];
  for (let i = 0; i < due.length; i += CHUNK) chunks.push(due.slice(i, i + CHUNK));
  let escalated = 0;
  let failure: unknown;
  const run = async (chunk: Due[]) => {
    try {
      const n = await db.transaction().execute(async (trx) => {
        const cache = newCache();
        let stepped = 0;
        for (const s of chunk) stepped += await step(trx, s, nowMs, cache);
        return stepped;
      });
      escalated += n;
    } catch {
      for (const s of chunk) {
        try {
          const n = await db.transaction().execute((trx) => step(trx, s, nowMs, newCache()));
          escalated += n;
        } catch (err) {
          failure ??= err;
        }
      }
    }
  };
  for (let i = 0; i < chunks.length; i += PARALLEL) await Promise.all(chunks.slice(i, i + PARALLEL).map(run));
  if (failure) throw failure;
  return { escalated, more: due.length === batch };
}

/** One escalation step; 1 if it paged a level. Read-check-write: a step already taken is a no-op. */
async function step(trx: Trx, s: Due, nowMs: number, cache: StepCache): Promise<number> {
  const incident = await trx
    .selectFrom('incidents')
    .select('status')
    .where('id', '=', s.incident_id)
    .executeTakeFirst();
  const policy = await cachedLevels(trx, s.policy_id, cache);
  const claim = (set: Partial<Due>) =>
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
    return 0;
  }
  const to = nextPosition(s, policy.levels.length, policy.numLoops);
  const at = new Date(nowMs).toISOString();
  if (!to) {
    const ended = await claim({ state: 'exhausted' });
    if (ended.numUpdatedRows > 0n) {
      const summary = `Escalation ended: nobody acknowledged after ${policy.numLoops + 1} pass(es) through the policy`;
      await logEntry(trx, s.incident_id, 'escalate_log_entry', at, undefined, summary);
    }
    return 0;
  }
  const { level, loop } = to;
  const next = policy.levels[level] as Level;
  const moved = await claim({ level, loop, next_at: levelDueAt(next, nowMs) });
  if (moved.numUpdatedRows === 0n) return 0;
  await logEntry(trx, s.incident_id, 'escalate_log_entry', at, undefined, `Escalated to level ${level + 1}`, {
    level: level + 1,
    loop,
  });
  await page(trx, s.incident_id, level, await usersOf(trx, next, nowMs, cache), 'incident.escalated', nowMs);
  return 1;
}

/** Assigns the incident to these users, paging them; escalation by the policy stops. */
export async function reassign(
  trx: Trx,
  incidentId: string,
  userIds: string[],
  nowMs: number,
  by: Actor,
): Promise<void> {
  await stopEscalation(trx, incidentId, nowMs, 'reassigned');
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
    next_at: levelDueAt(target, nowMs),
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

/** When the next escalation step or snooze falls due; undefined when none waits. */
export async function nextDue(db: Kysely<Database>): Promise<number | undefined> {
  const [escalation, snooze] = await Promise.all([
    db
      .selectFrom('incident_escalations')
      .select((eb) => eb.fn.min('next_at').as('at'))
      .where('state', '=', 'active')
      .executeTakeFirst(),
    db
      .selectFrom('incidents')
      .select((eb) => eb.fn.min('snoozed_until').as('at'))
      .where('status', '=', 'acknowledged')
      .executeTakeFirst(),
  ]);
  const times = [escalation?.at, snooze?.at].filter((t) => t !== null && t !== undefined).map(Number);
  return times.length ? Math.min(...times) : undefined;
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
