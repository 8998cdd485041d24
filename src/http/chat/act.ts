/**
 * What the chat endpoints share: reading a click only once its headers may be the chat
 * service's, and once it is proven to be and its button Vigil's, acting on the incident as a
 * Vigil user ("via Slack", "via Telegram" in its log and in the audit trail), and the one line
 * saying who did what.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditOutcome, AuditPort } from '../../core/audit.js';
import type { ChatAction, ChatButtons } from '../../core/chat-action.js';
import type { DirectoryPort, User } from '../../core/directory.js';
import { VigilError } from '../../core/errors.js';
import type { Actor, Incident, IncidentsPort } from '../../core/incidents.js';
import type { Logger } from '../../core/log.js';
import { BodyTooLargeError, discardRest, readBody, sendJson } from '../guards.js';
import type { SlackUserEmail } from './slack-users.js';

export interface ChatDeps {
  incidents: IncidentsPort;
  directory?: DirectoryPort | undefined;
  buttons: ChatButtons;
  log: Logger;
  audit?: AuditPort | undefined;
  /** The server's body limit (VIGIL_MAX_BODY_BYTES): a larger click is refused unread. */
  maxBodyBytes: number;
  /** Slack's signing secret (VIGIL_SLACK_SIGNING_SECRET); without it `/slack/interactivity` refuses. */
  slackSigningSecret?: string | undefined;
  /** Who a Slack user is (their email), from Slack's Web API; without it only a payload's email says. */
  slackUserEmail?: SlackUserEmail | undefined;
  /** The bot's webhook secret and its API; without both `/telegram/webhook` refuses. */
  telegram?:
    | { webhookSecret: string; call: (method: string, params: object) => Promise<unknown> }
    | undefined;
  now?: () => number;
}

export type Via = 'Slack' | 'Telegram';

export type Acted = { ok: true; incident: Incident } | { ok: false; message: string };

export const refuse = (res: ServerResponse, status: number, code: string, message: string) =>
  sendJson(res, status, { error: { code, message } });

/**
 * The steps before a click is read: POST only; 404 saying what to set when the endpoint is not
 * set up (`notSetUp`); 401 with `refusal` when the headers already show the request is not the
 * chat service's; 413 over the body limit. Answers the raw body, or undefined once it has answered.
 */
export async function readClick(
  req: IncomingMessage,
  res: ServerResponse,
  maxBodyBytes: number,
  gate: { notSetUp: string } | { refusal: string | undefined },
): Promise<string | undefined> {
  const answer = (status: number, code: string, message: string, headers?: Record<string, string>) => {
    discardRest(req);
    sendJson(res, status, { error: { code, message } }, headers);
    return undefined;
  };
  if (req.method !== 'POST') return answer(405, 'VALIDATION_ERROR', 'Use POST.', { allow: 'POST' });
  if ('notSetUp' in gate) return answer(404, 'NOT_FOUND', gate.notSetUp);
  if (gate.refusal) return answer(401, 'UNAUTHORIZED', gate.refusal);
  try {
    return await readBody(req, maxBodyBytes);
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err;
    return answer(413, 'VALIDATION_ERROR', `Request body over ${maxBodyBytes} bytes (VIGIL_MAX_BODY_BYTES).`);
  }
}

/** The person a page was sent to, whom its button acts as; or what to tell the clicker when they are gone. */
export async function pagedUser(deps: ChatDeps, userId: string): Promise<User | string> {
  const user = await deps.directory?.getUser(userId);
  return user ?? 'This message was sent to someone who is no longer a Vigil user, so it cannot act as them.';
}

const PAST: Record<ChatAction, string> = { acknowledge: 'Acknowledged', resolve: 'Resolved' };

/** "Acknowledged by Ann via Slack". */
export const doneBy = (action: ChatAction, user: User, via: Via) =>
  `${PAST[action]} by ${user.name} via ${via}`;

/**
 * Takes `action` on the incident `incidentId` as `user`, recorded in its log and the audit trail.
 * A refusal the incident gives (already resolved) is answered, not thrown.
 */
export async function actAs(
  deps: ChatDeps,
  req: IncomingMessage,
  via: Via,
  action: ChatAction,
  incidentId: string,
  user: User,
): Promise<Acted> {
  const incident = await deps.incidents.get(incidentId);
  // get() also takes an incident number: the button named an id, and only that incident is acted on.
  if (!incident || incident.id !== incidentId)
    return { ok: false, message: 'The incident this button was made for no longer exists.' };
  const route = via === 'Slack' ? '/slack/interactivity' : '/telegram/webhook';
  const audit = (outcome: AuditOutcome) =>
    deps.audit
      ?.record({
        actor: { kind: 'link', label: `${via.toLowerCase()}:${user.email}`, user: user.id },
        address: req.socket.remoteAddress,
        entryPoint: 'http',
        tool: `${route} ${action}`,
        objectIds: [incident.id],
        summary: action,
        outcome,
      })
      .catch((err) => deps.log.error({ err }, 'chat action not recorded in the audit trail'));
  const by: Actor = { type: 'user', id: user.id, via };
  try {
    const changed =
      action === 'acknowledge'
        ? await deps.incidents.acknowledge(incident.id, by)
        : await deps.incidents.resolve(incident.id, by);
    await audit('ok');
    deps.log.info({ incident: incident.id, user: user.id, action, via }, 'chat button action');
    return { ok: true, incident: changed };
  } catch (err) {
    if (!(err instanceof VigilError)) throw err;
    await audit(err.code);
    return { ok: false, message: err.message };
  }
}
