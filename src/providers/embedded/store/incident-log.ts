/**
 * The incident log: every trigger, alert, assignment, escalation, notification, acknowledgement,
 * note and resolution, with its time and actor, written in the transaction that did it. Entry
 * types use PagerDuty's log entry names.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../../../core/incidents.js';
import { newId } from './ids.js';
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

export async function logEntry(
  db: Kysely<Database> | Transaction<Database>,
  incidentId: string,
  type: LogType,
  at: string,
  actor: Actor | undefined,
  summary: string,
  details?: Record<string, unknown>,
): Promise<void> {
  seq = (seq + 1) % 1_000_000_000;
  await db
    .insertInto('incident_log')
    .values({
      id: newId(),
      incident_id: incidentId,
      seq,
      type,
      at,
      actor_type: actor?.type ?? null,
      actor_id: actor?.id ?? null,
      summary,
      details: details ? JSON.stringify(details) : null,
    })
    .execute();
}
