/**
 * The incident log: every trigger, alert, assignment, escalation, notification, acknowledgement,
 * note and resolution, with its time and actor, written in the transaction that did it. Entry
 * types use PagerDuty's log entry names.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Page } from '../../../core/directory.js';
import type { Actor, LogEntry } from '../../../core/incidents.js';
import { newId } from './ids.js';
import { type Db, page } from './repo-helpers.js';
import type { Database } from './schema.js';

export type LogType =
  | 'trigger_log_entry'
  | 'alert_log_entry'
  | 'assign_log_entry'
  | 'escalate_log_entry'
  | 'notify_log_entry'
  | 'acknowledge_log_entry'
  | 'annotate_log_entry'
  | 'resolve_log_entry'
  | 'reassign_log_entry'
  | 'snooze_log_entry';

let seq = 0;

/** Orders entries written in the same millisecond, whichever way they are written. */
export function nextLogSeq(): number {
  seq = (seq + 1) % 1_000_000_000;
  return seq;
}

export async function logEntry(
  db: Kysely<Database> | Transaction<Database>,
  incidentId: string,
  type: LogType,
  at: string,
  actor: Actor | undefined,
  summary: string,
  details?: Record<string, unknown>,
): Promise<void> {
  // How the actor acted, when not through a tool, is in the summary a person reads and in details.
  const via = actor?.type === 'user' ? actor.via : undefined;
  const said = via ? `${summary} via ${via}` : summary;
  const more = via ? { ...details, via } : details;
  await db
    .insertInto('incident_log')
    .values({
      id: newId(),
      incident_id: incidentId,
      seq: nextLogSeq(),
      type,
      at,
      actor_type: actor?.type ?? null,
      actor_id: actor?.id ?? null,
      summary: said,
      details: more ? JSON.stringify(more) : null,
    })
    .execute();
}

/** An incident's entries, oldest first. */
export async function readTimeline(
  db: Db,
  id: string,
  limit: number,
  offset: number,
): Promise<Page<LogEntry>> {
  const rows = await db
    .selectFrom('incident_log')
    .leftJoin('users', (j) =>
      j.onRef('users.id', '=', 'incident_log.actor_id').on('incident_log.actor_type', '=', 'user'),
    )
    .leftJoin('services', (j) =>
      j.onRef('services.id', '=', 'incident_log.actor_id').on('incident_log.actor_type', '=', 'service'),
    )
    .select([
      'incident_log.id',
      'incident_log.type',
      'incident_log.at',
      'incident_log.summary',
      'incident_log.details',
      'incident_log.actor_type',
      'incident_log.actor_id',
      'users.name as user_name',
      'services.name as service_name',
    ])
    .where('incident_log.incident_id', '=', id)
    .orderBy('incident_log.at')
    .orderBy('incident_log.seq')
    .limit(limit + 1)
    .offset(offset)
    .execute();
  const p = page(rows, limit);
  return {
    more: p.more,
    items: p.items.map((r) => ({
      id: r.id,
      type: r.type,
      created_at: r.at,
      summary: r.summary,
      ...(r.actor_id && {
        agent: {
          id: r.actor_id,
          type: r.actor_type === 'user' ? ('user_reference' as const) : ('service_reference' as const),
          summary: r.user_name ?? r.service_name ?? r.actor_id,
        },
      }),
      ...(r.details !== null && { details: JSON.parse(r.details) as Record<string, unknown> }),
    })),
  };
}
