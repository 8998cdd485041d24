/**
 * What the chat endpoints share once a click is proven to come from Slack or Telegram and its
 * button is proven to be Vigil's: acting on the incident as a Vigil user ("via Slack", "via
 * Telegram" in its log and in the audit trail), and the one line saying who did what.
 */
import type { IncomingMessage } from 'node:http';
import type { AuditPort } from '../../core/audit.js';
import type { ChatAction, ChatButtons } from '../../core/chat-action.js';
import type { DirectoryPort, User } from '../../core/directory.js';
import { VigilError } from '../../core/errors.js';
import type { Actor, Incident, IncidentsPort } from '../../core/incidents.js';
import type { Logger } from '../../core/log.js';

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
  /** The bot's webhook secret and its API; without both `/telegram/webhook` refuses. */
  telegram?:
    | { webhookSecret: string; call: (method: string, params: object) => Promise<unknown> }
    | undefined;
  now?: () => number;
}

export type Via = 'Slack' | 'Telegram';

export type Acted = { ok: true; incident: Incident } | { ok: false; message: string };

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
  const audit = (outcome: string) =>
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
