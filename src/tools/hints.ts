/**
 * What to create when an answer is empty because nothing is there yet, so that a first question
 * on a fresh install ("what is broken?", "who is on call?") gets the next step rather than a
 * bare zero. Creating needs read_write, which a hint says to a read-only caller.
 */
import type { ToolContext } from './define-tool.js';

/**
 * For a read-only caller, that creating needs read_write: `; creating needs VIGIL_MODE=read_write`
 * inside parentheses, else a sentence of its own. Nothing for a caller who may write.
 */
export function writesNeed(ctx: ToolContext, inParentheses = false): string {
  if (ctx.principal.mode !== 'read_only') return '';
  return inParentheses
    ? '; creating needs VIGIL_MODE=read_write'
    : ' Creating needs VIGIL_MODE=read_write (or a read_write API key over HTTP).';
}

const INCIDENTS_OPEN =
  'Incidents open when an alert rule (create_alert) sees a check (create_check) or heartbeat (create_heartbeat) fail, when a monitoring tool posts to the Events API (/v2/enqueue) with a service’s integration key, or with trigger_incident on a service (create_service)';

const HINTS = {
  incidents: `No incidents. ${INCIDENTS_OPEN}`,
  open_incidents: `Nothing is open. ${INCIDENTS_OPEN}`,
  oncall:
    'Nobody is on call. Add users (create_user), a schedule that rotates them (create_schedule) and an escalation policy that pages it (create_escalation_policy)',
  policies:
    'No escalation policies. Add one that pages users or schedules (create_escalation_policy), then a service that uses it (create_service)',
  users: 'No users. Add them with create_user and group them in teams with create_team',
  services: 'No services. Add one with create_service; incidents open on services',
  checks: 'No checks. Watch a URL, host or DNS name with create_check',
} as const;

export type HintTopic = keyof typeof HINTS;

/** The hint for an empty answer about `topic`. */
export function emptyHint(ctx: ToolContext, topic: HintTopic): string {
  return `${HINTS[topic]}.${writesNeed(ctx)}`;
}

/** `{ hint }` for an empty, unfiltered answer; nothing otherwise. */
export function hintWhenEmpty(
  ctx: ToolContext,
  topic: HintTopic,
  items: readonly unknown[],
  filtered = false,
): { hint?: string } {
  return items.length === 0 && !filtered ? { hint: emptyHint(ctx, topic) } : {};
}
