/**
 * `POST /v2/enqueue`: PagerDuty's Events API v2 on Vigil, so an integration moves by changing
 * its URL. The routing key is the credential, as on PagerDuty; answers use PagerDuty's bodies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { INVALID_JSON_BODY, invalidEventBody, MAX_EVENT_BYTES, parseAlertEvent } from '../core/events-v2.js';
import type { EventIngest } from '../providers/embedded/events.js';
import { BodyTooLargeError, discardRest, readBody, sendJson } from './guards.js';

export async function enqueue(req: IncomingMessage, res: ServerResponse, ingest: EventIngest): Promise<void> {
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
  const outcome = await ingest(parsed.event);
  sendJson(res, outcome.status, outcome.body);
}
