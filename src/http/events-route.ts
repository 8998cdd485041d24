/**
 * `POST /v2/enqueue`: PagerDuty's Events API v2 on Vigil, so an integration moves by changing
 * its URL. The routing key is the credential, as on PagerDuty; answers use PagerDuty's bodies.
 * An event the store could not write is answered 503 with why, never 202.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
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
): Promise<void> {
  let text: string;
  try {
    text = await readBody(req, MAX_EVENT_BYTES);
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err;
    sendJson(res, 413, invalidEventBody([`Event is larger than ${MAX_EVENT_BYTES / 1024} KB`]));
    discardRest(req);
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return sendJson(res, 400, INVALID_JSON_BODY);
  }
  const parsed = parseAlertEvent(body);
  if (!parsed.ok) return sendJson(res, 400, invalidEventBody(parsed.errors));
  let outcome: Awaited<ReturnType<EventIngest>>;
  try {
    outcome = await ingest(parsed.event);
  } catch (err) {
    const fault = storageFault(err);
    if (!fault) throw err;
    // Not stored, so never a 202: senders retry a 5xx (PagerDuty's contract), and the event lands then.
    log.error({ err }, 'event not stored: the store refused the write');
    return sendJson(
      res,
      503,
      { status: 'unavailable', message: `Event not stored: ${fault}` },
      { 'retry-after': '5' },
    );
  }
  sendJson(res, outcome.status, outcome.body);
}
