/**
 * `/r/<token>`: the responder page a page's link opens (see core/responder-token.ts). A GET only
 * shows the incident — mail scanners and link previews fetch links, so opening one changes
 * nothing. The buttons POST a form that must carry the form token this server drew for the link,
 * for the incident the link names, and come from no other site (Origin); the action is taken as
 * the user the link names, "via link", then the page is shown again (Post/Redirect/Get).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditOutcome, AuditPort } from '../../core/audit.js';
import type { DirectoryPort } from '../../core/directory.js';
import { ConflictError, ValidationError, VigilError } from '../../core/errors.js';
import type { Actor, Incident, IncidentsPort, LogEntry } from '../../core/incidents.js';
import type { Logger } from '../../core/log.js';
import type { ResponderTokens } from '../../core/responder-token.js';
import { discardRest } from '../guards.js';
import { LINK_PAGE_HEADERS, readForm, sameOrigin, sendLinkPage } from '../link-forms.js';
import { when } from '../status/text.js';
import { ACTIONS, type Action, problemPage, responderPage, SNOOZE_MINUTES } from './page.js';

export const RESPONDER_PATH = /^\/r\/([A-Za-z0-9_-]{1,2000}\.[A-Za-z0-9_-]{1,100})$/;

export interface ResponderDeps {
  incidents: IncidentsPort;
  directory?: DirectoryPort | undefined;
  tokens: ResponderTokens;
  /** Where the server is reached from outside: a POST's Origin may be it. */
  publicUrl: string;
  log: Logger;
  now?: () => number;
  /** Where each action is recorded (the link's user, the incident, the outcome). */
  audit?: AuditPort | undefined;
}

/** A form of a few fields; anything larger is not from this page. */
const FORM_LIMIT = 4096;

const DONE: Record<Action, string> = {
  acknowledge: 'Acknowledged. Escalation has stopped.',
  resolve: 'Resolved.',
  escalate: 'Escalated: the next level is being paged.',
  snooze: 'Snoozed.',
};

const refuse = (req: IncomingMessage, res: ServerResponse, status: number, title: string, sentence: string) =>
  sendLinkPage(req, res, status, problemPage(title, sentence));

export async function serveResponder(
  req: IncomingMessage,
  res: ServerResponse,
  deps: ResponderDeps,
  token: string,
  url: URL,
): Promise<void> {
  const now = deps.now ?? Date.now;
  const post = req.method === 'POST';
  if (!post && req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD, POST');
    return refuse(req, res, 405, 'Not here', 'This page is opened with GET; its buttons post.');
  }
  if (post && !sameOrigin(req, deps.publicUrl)) {
    discardRest(req);
    return refuse(req, res, 403, 'Refused', 'This form was sent from another site, so nothing was done.');
  }
  const link = deps.tokens.verify(token);
  if (!link.ok) {
    if (post) discardRest(req);
    return link.reason === 'expired'
      ? refuse(
          req,
          res,
          410,
          'This link has expired',
          'Links in pages work for seven days. Open the newest message about this incident, or ask your agent.',
        )
      : refuse(
          req,
          res,
          403,
          'This link is not valid',
          'It may have been cut short or changed on the way. Open the link from the message again, whole, or ask your agent.',
        );
  }
  const [incident, user] = await Promise.all([
    deps.incidents.get(link.incidentId),
    deps.directory?.getUser(link.userId),
  ]);
  if (!incident || incident.id !== link.incidentId) {
    if (post) discardRest(req);
    return refuse(req, res, 404, 'No such incident', 'The incident this link was made for no longer exists.');
  }
  if (!user) {
    if (post) discardRest(req);
    return refuse(
      req,
      res,
      403,
      'This link is not valid',
      'It was made for someone who is no longer a Vigil user, so it cannot act as them.',
    );
  }
  const view = { user: { id: user.id, name: user.name, time_zone: user.time_zone } };
  const render = async (status: number, current: Incident, notice?: { ok: boolean; text: string }) => {
    const [timeline, alerts] = await Promise.all([
      latestEntries(deps.incidents, current.id, 30),
      deps.incidents.alerts?.(current.id, 1),
    ]);
    sendLinkPage(
      req,
      res,
      status,
      responderPage({
        incident: current,
        ...view,
        alert: alerts?.[0],
        timeline,
        path: `/r/${token}`,
        form: deps.tokens.formToken(token),
        notice,
        now: now(),
      }),
    );
  };

  if (!post) {
    const done = url.searchParams.get('done');
    const notice = ACTIONS.includes(done as Action)
      ? {
          ok: true,
          text:
            done === 'snooze' && incident.snoozed_until
              ? `Snoozed until ${when(incident.snoozed_until, user.time_zone ?? 'UTC')}.`
              : DONE[done as Action],
        }
      : undefined;
    return render(200, incident, notice);
  }

  const form = await readForm(req, FORM_LIMIT);
  if (!form)
    return refuse(
      req,
      res,
      413,
      'Refused',
      'That form was too large to come from this page; nothing was done.',
    );
  if (!deps.tokens.checkForm(token, form.get('csrf') ?? ''))
    return refuse(
      req,
      res,
      403,
      'Please try again',
      'This form was not drawn by this page, or was left open for more than twelve hours; nothing was done. Open the link again and tap once more.',
    );
  if (form.get('incident') !== link.incidentId)
    return refuse(req, res, 403, 'Refused', 'This link is for another incident; nothing was done.');
  const action = form.get('action') as Action;
  if (!ACTIONS.includes(action))
    return render(400, incident, { ok: false, text: 'Choose one of the buttons.' });

  const by: Actor = { type: 'user', id: user.id, via: 'link' };
  const audit = (outcome: AuditOutcome) =>
    deps.audit
      ?.record({
        actor: { kind: 'link', label: `link:${user.email}`, user: user.id },
        address: req.socket.remoteAddress,
        entryPoint: 'http',
        tool: `/r ${action}`,
        objectIds: [incident.id],
        summary: action === 'snooze' ? `${action}: minutes` : action,
        outcome,
      })
      .catch((err) => deps.log.error({ err }, 'responder action not recorded in the audit trail'));
  try {
    await act(deps.incidents, incident, action, form, by);
  } catch (err) {
    if (!(err instanceof VigilError)) throw err;
    await audit(err.code);
    const current = (await deps.incidents.get(incident.id)) ?? incident;
    return render(409, current, { ok: false, text: err.message });
  }
  await audit('ok');
  deps.log.info({ incident: incident.id, user: user.id, action }, 'responder page action');
  res.writeHead(303, { ...LINK_PAGE_HEADERS, location: `/r/${token}?done=${action}`, 'content-length': '0' });
  res.end();
}

async function act(
  incidents: IncidentsPort,
  incident: Incident,
  action: Action,
  form: URLSearchParams,
  by: Actor,
) {
  switch (action) {
    case 'acknowledge':
      return incidents.acknowledge(incident.id, by);
    case 'resolve':
      return incidents.resolve(incident.id, by);
    case 'escalate': {
      const level = await nextLevel(incidents, incident.id);
      return incidents.escalate(incident.id, level, by).catch((err: unknown) => {
        // Past the policy's last level: said for a person, not as the tool's parameter error.
        if (err instanceof ValidationError && err.details?.parameter === 'escalation_level')
          throw new ConflictError(
            `Level ${level - 1} is the escalation policy's last: there is nobody further to escalate to.`,
          );
        throw err;
      });
    }
    case 'snooze': {
      const minutes = Number(form.get('minutes'));
      const length = (SNOOZE_MINUTES as readonly number[]).includes(minutes) ? minutes : 60;
      // Snoozing is for an acknowledged incident: one tap on a triggered one does both.
      if (incident.status === 'triggered') await incidents.acknowledge(incident.id, by);
      return incidents.snooze(incident.id, length * 60, by);
    }
  }
}

/** The last `keep` entries of an incident's timeline (which the port reads oldest first). */
async function latestEntries(incidents: IncidentsPort, id: string, keep: number): Promise<LogEntry[]> {
  let tail: LogEntry[] = [];
  for (let offset = 0; ; ) {
    const page = await incidents.timeline(id, 500, offset);
    tail = [...tail, ...page.items].slice(-keep);
    if (!page.more || page.items.length === 0) return tail;
    offset += page.items.length;
  }
}

/** The level after the one paged last (1-based), as the timeline's assignments and escalations say. */
async function nextLevel(incidents: IncidentsPort, id: string): Promise<number> {
  const items = await latestEntries(incidents, id, 1000);
  for (let n = items.length - 1; n >= 0; n--) {
    const level = items[n]?.details?.level;
    if (typeof level === 'number') return level + 1;
    // A reassignment leaves the policy: its next level is its first.
    if (items[n]?.type === 'reassign_log_entry') return 1;
  }
  return 2;
}
