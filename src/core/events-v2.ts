/**
 * PagerDuty Events API v2 (`POST /v2/enqueue`, alert events only): parse and validate a request
 * body the way PagerDuty does, and build its exact response bodies, so that anything that can
 * page PagerDuty (Alertmanager, Grafana, curl) can alert Vigil by changing only the URL.
 * Pure: the HTTP layer reads the body (enforcing MAX_EVENT_BYTES), stores the event and answers.
 */
import { randomBytes } from 'node:crypto';

export const EVENT_ACTIONS = ['trigger', 'acknowledge', 'resolve'] as const;
export type EventAction = (typeof EVENT_ACTIONS)[number];
export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Where PagerDuty takes Events API v2 events: its US host, and its EU host for EU accounts. */
export const EVENTS_API_URL = 'https://events.pagerduty.com/v2/enqueue';
export const EVENTS_API_EU_URL = 'https://events.eu.pagerduty.com/v2/enqueue';

/** PagerDuty's limit on the whole request body; enforced in bytes by the HTTP layer. */
export const MAX_EVENT_BYTES = 512 * 1024;
export const ROUTING_KEY_LENGTH = 32;
export const MAX_DEDUP_KEY_LENGTH = 255;
/** Longer summaries are truncated, not rejected, as PagerDuty does. */
export const MAX_SUMMARY_LENGTH = 1024;

export interface AlertPayload {
  summary: string;
  source: string;
  severity: Severity;
  timestamp?: string;
  component?: string;
  group?: string;
  class?: string;
  custom_details?: unknown;
}

/** A validated event. Optional strings that were absent, null or blank are left out. */
export interface AlertEvent {
  routing_key: string;
  event_action: EventAction;
  dedup_key?: string;
  /** Present only for `trigger`: PagerDuty ignores the payload of acknowledge and resolve. */
  payload?: AlertPayload;
  client?: string;
  client_url?: string;
  links: { href: string; text?: string }[];
  images: { src: string; href?: string; alt?: string }[];
}

export type ParseResult = { ok: true; event: AlertEvent } | { ok: false; errors: string[] };

export interface ProcessedBody {
  status: 'success';
  message: 'Event processed';
  dedup_key: string;
}

export interface InvalidEventBody {
  status: 'invalid event';
  message: 'Event object is invalid';
  errors: readonly string[];
}

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const isBlank = (v: unknown): boolean =>
  v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
const oneOf = (values: readonly string[]) => `must be one of: ${values.join(', ')}`;

// ISO 8601 date-time as senders write it (RFC 3339 and relatives); Date.parse then rejects
// impossible values such as month 13.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Reads string fields of one object, pushing PagerDuty-style errors under `prefix`. A blank
 * optional field reads as absent: senders such as Alertmanager send `""` for unset templates.
 */
function fields(obj: JsonObject, prefix: string, errors: string[]) {
  const read = (key: string, required: boolean): string | undefined => {
    const value = obj[key];
    if (isBlank(value)) {
      if (required) errors.push(`'${prefix}${key}' is missing or blank`);
      return undefined;
    }
    if (typeof value === 'string') return value;
    errors.push(`'${prefix}${key}' is invalid (must be a string)`);
    return undefined;
  };
  return { required: (key: string) => read(key, true), optional: (key: string) => read(key, false) };
}

/** An optional array of objects (`links`, `images`); null or absent is an empty list. */
function list<T>(value: unknown, path: string, errors: string[], item: (o: JsonObject, p: string) => T): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    errors.push(`'${path}' is invalid (must be an array)`);
    return [];
  }
  return value.flatMap((entry, i) => {
    if (isObject(entry)) return [item(entry, `${path}[${i}].`)];
    errors.push(`'${path}[${i}]' is invalid (must be a JSON object)`);
    return [];
  });
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function parsePayload(value: unknown, errors: string[]): AlertPayload | undefined {
  if (value === undefined || value === null) errors.push("'payload' is missing (required for trigger)");
  else if (!isObject(value)) errors.push("'payload' is invalid (must be a JSON object)");
  if (!isObject(value)) return undefined;
  const f = fields(value, 'payload.', errors);
  const [summary, source, severity] = [f.required('summary'), f.required('source'), f.required('severity')];
  if (severity !== undefined && !(SEVERITIES as readonly string[]).includes(severity)) {
    errors.push(`'payload.severity' is invalid (${oneOf(SEVERITIES)})`);
  }
  const timestamp = f.optional('timestamp');
  if (timestamp !== undefined && !(ISO_DATE_TIME.test(timestamp) && !Number.isNaN(Date.parse(timestamp)))) {
    errors.push("'payload.timestamp' is invalid (must be an ISO 8601 date-time)");
  }
  const [component, group, klass] = ['component', 'group', 'class'].map((key) => f.optional(key));
  if (summary === undefined || source === undefined || severity === undefined) return undefined;
  return withoutUndefined({
    // Cut by code points, not UTF-16 units, so that a surrogate pair is never split in half.
    summary:
      summary.length > MAX_SUMMARY_LENGTH ? [...summary].slice(0, MAX_SUMMARY_LENGTH).join('') : summary,
    source,
    severity: severity as Severity,
    timestamp,
    component,
    group,
    class: klass,
    // Kept as sent, whatever JSON it is (null included): the sender's data, not ours to reshape.
    custom_details: 'custom_details' in value ? value.custom_details : undefined,
  });
}

/** Validates a JSON-parsed body; reports every problem, not just the first. */
export function parseAlertEvent(body: unknown): ParseResult {
  if (!isObject(body)) return { ok: false, errors: ['Event object is not a JSON object'] };
  const errors: string[] = [];
  const f = fields(body, '', errors);

  const routingKey = f.required('routing_key');
  // PagerDuty's own wording for these two (seen in its 400 answers).
  if (routingKey !== undefined && routingKey.length !== ROUTING_KEY_LENGTH) {
    errors.push(`Length of 'routing_key' is incorrect (should be ${ROUTING_KEY_LENGTH} characters)`);
  }
  if (routingKey !== undefined && !/^[A-Za-z0-9]*$/.test(routingKey)) {
    errors.push("'routing_key' cannot contain non-alphanumeric characters.");
  }

  const action = (EVENT_ACTIONS as readonly unknown[]).includes(body.event_action)
    ? (body.event_action as EventAction)
    : undefined;
  if (action === undefined) {
    const problem = isBlank(body.event_action) ? 'missing or blank' : 'invalid';
    errors.push(`'event_action' is ${problem} (${oneOf(EVENT_ACTIONS)})`);
  }

  const dedupKey = f.optional('dedup_key');
  if (dedupKey !== undefined && dedupKey.length > MAX_DEDUP_KEY_LENGTH) {
    errors.push(`'dedup_key' is invalid (must be at most ${MAX_DEDUP_KEY_LENGTH} characters)`);
  }
  // Only absence is reported here: a non-string dedup_key has been reported as invalid above.
  if ((action === 'acknowledge' || action === 'resolve') && isBlank(body.dedup_key)) {
    errors.push("'dedup_key' is missing or blank (required for acknowledge and resolve)");
  }

  // PagerDuty ignores the payload of acknowledge and resolve (Alertmanager sends one anyway),
  // and with an unknown action there is no rule to check it against.
  const payload = action === 'trigger' ? parsePayload(body.payload, errors) : undefined;
  const client = f.optional('client');
  const clientUrl = f.optional('client_url');
  // `?? ''` only fills a type hole: a missing href or src has pushed an error, so no event escapes.
  const links = list(body.links, 'links', errors, (o, p) => {
    const l = fields(o, p, errors);
    return withoutUndefined({ href: l.required('href') ?? '', text: l.optional('text') });
  });
  const images = list(body.images, 'images', errors, (o, p) => {
    const i = fields(o, p, errors);
    return withoutUndefined({
      src: i.required('src') ?? '',
      href: i.optional('href'),
      alt: i.optional('alt'),
    });
  });

  if (errors.length > 0 || routingKey === undefined || action === undefined) return { ok: false, errors };
  const event = withoutUndefined({
    routing_key: routingKey,
    event_action: action,
    dedup_key: dedupKey,
    payload,
    client,
    client_url: clientUrl,
  });
  return { ok: true, event: { ...event, links, images } };
}

/** A dedup key for a trigger sent without one (PagerDuty generates 32 hex characters too). */
export function newDedupKey(): string {
  return randomBytes(16).toString('hex');
}

/** PagerDuty's 202 body. */
export function processedBody(dedupKey: string): ProcessedBody {
  return { status: 'success', message: 'Event processed', dedup_key: dedupKey };
}

/** PagerDuty's 400 body for an event that failed validation. */
export function invalidEventBody(errors: readonly string[]): InvalidEventBody {
  return { status: 'invalid event', message: 'Event object is invalid', errors: [...errors] };
}

/** The 400 body for a request whose body is not JSON at all. */
export const INVALID_JSON_BODY: InvalidEventBody = Object.freeze({
  status: 'invalid event',
  message: 'Event object is invalid',
  errors: Object.freeze(['Request body is not valid JSON']),
});

/**
 * Incidents carry PagerDuty's two urgencies where senders speak in four severities. critical
 * and error mean something is broken now, so they page at once (high); warning and info can wait
 * for working hours (low). This is the split PagerDuty's own "use alert severity" urgency
 * setting makes, so alerts moved over from PagerDuty page the same way.
 */
export function normaliseSeverityToUrgency(severity: Severity): 'high' | 'low' {
  return severity === 'critical' || severity === 'error' ? 'high' : 'low';
}
