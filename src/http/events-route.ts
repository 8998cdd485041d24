/**
 * `POST /v2/enqueue`: PagerDuty's Events API v2 on Vigil, so an integration moves by changing
 * its URL. The routing key is the credential, as on PagerDuty; answers use PagerDuty's bodies.
 * An event the store could not write is answered 503 with why, never 202. Each request is
 * counted in the audit trail per service, hour and outcome, not logged one by one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditOutcome, AuditPort } from '../core/audit.js';
import { INVALID_JSON_BODY, invalidEventBody, MAX_EVENT_BYTES, parseAlertEvent } from '../core/events-v2.js';
import type { Logger } from '../core/log.js';
import type { EventIngest } from '../providers/embedded/events.js';
import { storageFault } from '../providers/embedded/store/sql-errors.js';
import { BodyTooLargeError, discardRest, readBody, sendJson } from './guards.js';

export async function enqueue(
  req: IncomingMessage,
  res: ServerResponse,
  ingest: EventIngest,
  log: Logger,
  audit?: AuditPort,
): Promise<void> {
  const count = (outcome: AuditOutcome, routingKey?: string) =>
    audit?.count({ route: '/v2/enqueue', routingKey, outcome });
  let text: string;
  try {
    text = await readBody(req, MAX_EVENT_BYTES);
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err;
    sendJson(res, 413, invalidEventBody([`Event is larger than ${MAX_EVENT_BYTES / 1024} KB`]));
    discardRest(req);
    count('TOO_LARGE');
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    count('INVALID_EVENT');
    return sendJson(res, 400, INVALID_JSON_BODY);
  }
  const parsed = parseAlertEvent(body);
  if (!parsed.ok) {
    count('INVALID_EVENT');
    return sendJson(res, 400, invalidEventBody(parsed.errors));
  }
  const routingKey = parsed.event.routing_key;
  let outcome: Awaited<ReturnType<EventIngest>>;
  try {
    outcome = await ingest(parsed.event);
  } catch (err) {
    const fault = storageFault(err);
    if (!fault) throw err;
    // Not stored, so never a 202: senders retry a 5xx (PagerDuty's contract), and the event lands then.
    log.error({ err }, 'event not stored: the store refused the write');
    count('UNAVAILABLE', routingKey);
    return sendJson(
      res,
      503,
      { status: 'unavailable', message: `Event not stored: ${fault}` },
      { 'retry-after': '5' },
    );
  }
  count(outcome.status !== 202 ? 'INVALID_EVENT' : outcome.body.suppressed ? 'suppressed' : 'ok', routingKey);
  sendJson(res, outcome.status, outcome.body);
}
