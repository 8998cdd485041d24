/**
 * Alert rules with a PagerDuty routing key: the Events API v2 events their alerts send instead
 * of opening an incident here. A trigger when the alert fires, a resolve with the same dedup key
 * when it resolves; both are queued as alert deliveries (store/events-api-deliveries.ts) in the
 * transaction that changes the alert, and sent by the engine like every other notification.
 */
import { EVENT_SEVERITY } from '../../../core/alerts.js';
import { type AlertPayload, MAX_SUMMARY_LENGTH } from '../../../core/events-v2.js';
import type { CheckSource, EventsApiEvent, HeartbeatSource } from '../store/events-api-deliveries.js';
import type { AlertRulesTable } from '../store/schema.js';

/** An event as queued: everything PagerDuty takes but the routing key (the delivery's address). */
export interface QueuedEvent extends EventsApiEvent {
  payload?: AlertPayload;
  client: 'Vigil';
  client_url?: string;
}

export interface EventsOptions {
  /** A link back to this server in PagerDuty (VIGIL_PUBLIC_URL), when one is configured. */
  clientUrl?: string | undefined;
}

/** Custom details past this size lose the raw result's metadata (PagerDuty takes 512 KB in all). */
const MAX_DETAILS_CHARS = 64 * 1024;

/**
 * One dedup key per rule and source: every firing of the rule on that check or heartbeat joins
 * the same PagerDuty alert while it is open (the rule's next firing after a resolve opens a new one).
 */
export function dedupKeyOf(rule: Pick<AlertRulesTable, 'id' | 'check_id' | 'heartbeat_id'>): string {
  return rule.check_id
    ? `vigil-alert:${rule.id}:check:${rule.check_id}`
    : `vigil-alert:${rule.id}:heartbeat:${rule.heartbeat_id}`;
}

/** The trigger for an alert that just fired, with what is known of its source right now. */
export function triggerEvent(
  source: CheckSource | HeartbeatSource,
  rule: AlertRulesTable,
  alert: { id: string; description: string; firedAt: number; metadata: Record<string, unknown> },
  opts: EventsOptions,
): QueuedEvent {
  const about =
    source.kind === 'check'
      ? checkFacts(source, rule.check_id as string)
      : heartbeatFacts(source, rule.heartbeat_id as string);
  const details: Record<string, unknown> = {
    alert_id: alert.id,
    rule: { id: rule.id, name: rule.name, condition: rule.condition, severity: rule.severity },
    ...about.details,
    evaluation: alert.metadata,
  };
  if (JSON.stringify(details).length > MAX_DETAILS_CHARS) {
    const result = details.last_result as Record<string, unknown> | undefined;
    if (result) delete result.check_metadata;
  }
  return {
    event_action: 'trigger',
    dedup_key: dedupKeyOf(rule),
    payload: {
      summary: [...alert.description].slice(0, MAX_SUMMARY_LENGTH).join(''),
      source: about.source,
      severity: EVENT_SEVERITY[rule.severity],
      timestamp: new Date(alert.firedAt).toISOString(),
      component: about.component,
      ...(about.group && { group: about.group }),
      class: rule.condition,
      custom_details: details,
    },
    ...client(opts),
  };
}

export function resolveEvent(dedupKey: string, opts: EventsOptions): QueuedEvent {
  return { event_action: 'resolve', dedup_key: dedupKey, ...client(opts) };
}

function client(opts: EventsOptions): Pick<QueuedEvent, 'client' | 'client_url'> {
  return { client: 'Vigil', ...(opts.clientUrl && { client_url: opts.clientUrl }) };
}

interface Facts {
  source: string;
  component: string;
  group?: string | undefined;
  details: Record<string, unknown>;
}

/** A check's facts: its target (the event's source), group, state and the latest result. */
function checkFacts({ check, result }: CheckSource, checkId: string): Facts {
  const name = check?.name ?? checkId;
  return {
    source: sourceOf(check?.url ?? null, check?.host ?? null) ?? name,
    component: name,
    group: check?.group_name ?? undefined,
    details: {
      check: check && {
        id: check.id,
        name: check.name,
        type: check.type,
        ...(check.url && { url: check.url }),
        ...(check.host && { host: check.host }),
        ...(check.port !== null && { port: check.port }),
        status: check.status,
      },
      last_result: result && {
        status: result.status,
        response_time: result.response_time,
        error_message: result.error_message,
        checked_at: new Date(Number(result.created_at)).toISOString(),
        check_metadata: JSON.parse(result.metadata),
      },
    },
  };
}

/** A heartbeat's facts: what it expects and when it last heard. */
function heartbeatFacts({ heartbeat: hb }: HeartbeatSource, heartbeatId: string): Facts {
  const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
  const name = hb?.name ?? heartbeatId;
  return {
    source: `heartbeat ${name}`,
    component: name,
    details: {
      heartbeat: hb && {
        id: hb.id,
        name: hb.name,
        status: hb.status,
        ...(hb.cron ? { cron: hb.cron, time_zone: hb.time_zone } : { period_seconds: hb.period_seconds }),
        grace_seconds: hb.grace_seconds,
        last_ping_at: iso(hb.last_ping_at),
        next_expected_at: iso(hb.next_expected_at),
      },
    },
  };
}

/** Where a check points, as PagerDuty's `source` wants it: a host name. */
function sourceOf(url: string | null, host: string | null): string | undefined {
  if (url) {
    try {
      return new URL(url).host;
    } catch {
      // a URL with {{SECRET}} placeholders in its host: fall back below
    }
  }
  return host ?? undefined;
}
