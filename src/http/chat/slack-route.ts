/**
 * `POST /slack/interactivity`: where a Slack app sends the clicks on Vigil's message buttons
 * (its "Interactivity Request URL"). Slack signs each request: `X-Slack-Signature` is `v0=` and the
 * hex HMAC-SHA256, under the app's signing secret (VIGIL_SLACK_SIGNING_SECRET), of
 * `v0:{X-Slack-Request-Timestamp}:{raw body}`. A wrong or missing signature, or a timestamp more
 * than five minutes from now (a replay), is refused with 401 and nothing is done.
 *
 * Who acts: a page to a person carries, in each button's value, a token naming the incident and
 * that person (core/chat-action.ts), so the click acts as them — as the responder link in the same
 * message would. A message to an alert channel names nobody: the click acts as the Vigil user
 * with the clicker's email — the payload's, where a Slack-compatible server sends one, else
 * Slack's `users.info` under the app's bot token (slack-users.ts) — and otherwise only the
 * clicker hears, privately, that Vigil cannot tell who they are and how to act instead. Either way the message is then replaced (the payload's
 * `response_url`, `replace_original`) with the same text, who acknowledged or resolved, and the
 * buttons still useful.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChatAction } from '../../core/chat-action.js';
import type { User } from '../../core/directory.js';
import { request } from '../../providers/embedded/engine/channels/http.js';
import {
  incidentButtons,
  SLACK_ACTION_IDS,
  type SlackButton,
  slackBlocks,
  slackEscape,
  slackUnescape,
} from '../../providers/embedded/engine/channels/slack.js';
import { type Acted, actAs, type ChatDeps, doneBy, pagedUser, readClick, refuse } from './act.js';

export const SLACK_PATH = '/slack/interactivity';

/** Slack's own bound on a request's age (its documentation's replay protection). */
export const SLACK_MAX_AGE_S = 5 * 60;

/** Why a request's headers are not Slack's of the last five minutes (undefined when they may be). */
export function slackHeaderProblem(
  timestamp: string | undefined,
  signature: string | undefined,
  nowMs: number,
): string | undefined {
  if (!timestamp || !signature)
    return 'Missing X-Slack-Signature or X-Slack-Request-Timestamp: this request is not from Slack.';
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowMs / 1000 - Number(timestamp)) > SLACK_MAX_AGE_S)
    return 'X-Slack-Request-Timestamp is more than five minutes away from now: refused as a possible replay.';
  return undefined;
}

/**
 * Why a request's signature does not hold (undefined when it does): Slack's scheme, compared in
 * constant time, the timestamp within five minutes of `nowMs` either way.
 */
export function slackSignatureProblem(
  secret: string,
  timestamp: string | undefined,
  signature: string | undefined,
  rawBody: string,
  nowMs: number,
): string | undefined {
  const stale = slackHeaderProblem(timestamp, signature, nowMs);
  if (stale) return stale;
  const given = /^v0=([0-9a-f]{64})$/.exec(signature ?? '')?.[1];
  const expected = createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest();
  if (!given || !timingSafeEqual(Buffer.from(given, 'hex'), expected))
    return 'X-Slack-Signature does not match this request under the signing secret (VIGIL_SLACK_SIGNING_SECRET).';
  return undefined;
}

/** The parts of a `block_actions` payload Vigil reads. */
interface BlockActions {
  type: 'block_actions';
  user: { id?: string; username?: string; name?: string; email?: string };
  response_url: string;
  actions: { action_id: string; value?: string }[];
  message?: { text?: string; blocks?: unknown[] };
}

/** The payload, or why it is not one Vigil handles. */
function parsePayload(raw: string): BlockActions | string {
  const payload = new URLSearchParams(raw).get('payload');
  if (payload === null) return 'Expected a form body with a `payload` field (Slack interactivity).';
  let p: Partial<BlockActions> & { type?: unknown };
  try {
    p = JSON.parse(payload) as typeof p;
  } catch {
    return 'The `payload` field is not valid JSON.';
  }
  if (typeof p !== 'object' || p === null) return 'The `payload` field is not a JSON object.';
  if (p.type !== 'block_actions')
    return `Vigil handles block_actions payloads (button clicks) only, not ${JSON.stringify(p.type ?? null)}.`;
  const action = Array.isArray(p.actions) ? p.actions[0] : undefined;
  if (typeof action?.action_id !== 'string') return 'The payload names no action (actions[0].action_id).';
  if (typeof p.response_url !== 'string' || !/^https?:\/\//.test(p.response_url))
    return 'The payload has no response_url.';
  if (typeof p.user !== 'object' || p.user === null) return 'The payload names no user.';
  return p as BlockActions;
}

const ACTION_OF: Record<string, ChatAction> = {
  [SLACK_ACTION_IDS.acknowledge]: 'acknowledge',
  [SLACK_ACTION_IDS.resolve]: 'resolve',
};

export async function serveSlackInteractivity(
  req: IncomingMessage,
  res: ServerResponse,
  deps: ChatDeps,
): Promise<void> {
  const now = deps.now ?? Date.now;
  const secret = deps.slackSigningSecret;
  const timestamp = one(req.headers['x-slack-request-timestamp']);
  const signature = one(req.headers['x-slack-signature']);
  // What can be judged before the body is read, is.
  const raw = await readClick(
    req,
    res,
    deps.maxBodyBytes,
    secret
      ? { refusal: slackHeaderProblem(timestamp, signature, now()) }
      : {
          notSetUp:
            'Slack interactivity is not set up on this server: set VIGIL_SLACK_SIGNING_SECRET to the Slack app’s signing secret.',
        },
  );
  if (raw === undefined || !secret) return;
  const problem = slackSignatureProblem(secret, timestamp, signature, raw, now());
  if (problem) return refuse(res, 401, 'UNAUTHORIZED', problem);

  const payload = parsePayload(raw);
  if (typeof payload === 'string') return refuse(res, 400, 'VALIDATION_ERROR', payload);
  const clicked = payload.actions[0] as BlockActions['actions'][number];
  // The Open button links to the responder page; Slack still tells the app of the click.
  if (clicked.action_id === SLACK_ACTION_IDS.open) return ok(res);
  const action = ACTION_OF[clicked.action_id];
  if (!action)
    return refuse(
      res,
      400,
      'VALIDATION_ERROR',
      `Unknown action_id ${JSON.stringify(clicked.action_id)}; Vigil's buttons are ${Object.values(SLACK_ACTION_IDS).join(', ')}.`,
    );
  const button = deps.buttons.openSlackValue(typeof clicked.value === 'string' ? clicked.value : '');
  if (!button.ok && button.reason === 'invalid')
    return refuse(res, 403, 'FORBIDDEN', 'This button’s value is not one Vigil signed; nothing was done.');
  if (!button.ok) {
    ok(res);
    return whisper(
      deps,
      payload.response_url,
      'This button has expired (buttons work for seven days). Open the newest message about this incident, or ask your agent.',
    );
  }
  const user = await whoActs(deps, button.userId, payload.user);
  if (typeof user === 'string') {
    ok(res);
    return whisper(deps, payload.response_url, user);
  }
  const acted = await actAs(deps, req, 'Slack', action, button.incidentId, user);
  ok(res);
  if (!acted.ok) return whisper(deps, payload.response_url, `Nothing was done: ${acted.message}`);
  return replace(deps, payload, action, acted, user, clicked.value as string);
}

const one = (v: string | string[] | undefined) => (typeof v === 'string' ? v : undefined);

/** Slack wants a 200 within three seconds; its message is updated through response_url instead. */
function ok(res: ServerResponse) {
  res.writeHead(200, { 'content-length': '0' }).end();
}

/** The Vigil user a click acts as, or what to tell the clicker when there is none. */
async function whoActs(
  deps: ChatDeps,
  paged: string | undefined,
  slackUser: BlockActions['user'],
): Promise<User | string> {
  if (paged) return pagedUser(deps, paged);
  const email =
    typeof slackUser.email === 'string'
      ? slackUser.email
      : typeof slackUser.id === 'string'
        ? await deps.slackUserEmail?.(slackUser.id)
        : undefined;
  const user = email ? await deps.directory?.findUserByEmail(email) : undefined;
  return (
    user ??
    'This message went to a channel, and Vigil cannot tell which of its users you are. Acknowledge from the page Vigil sent you (its link or buttons), or ask your agent.'
  );
}

/** Posts to the message's response_url; a failure is logged (the click itself was answered). */
async function respond(deps: ChatDeps, url: string, body: object): Promise<void> {
  try {
    // Guarded as every outgoing URL is (channels/http.ts): metadata addresses refused, no redirects.
    const { status } = await request(url, JSON.stringify(body), {});
    if (status < 200 || status >= 300)
      deps.log.warn({ status, host: new URL(url).host }, 'Slack response_url refused the update');
  } catch (err) {
    deps.log.warn({ err: (err as Error).message }, 'Slack response_url not reached');
  }
}

/** A message only the clicker sees. */
const whisper = (deps: ChatDeps, url: string, text: string) =>
  respond(deps, url, { response_type: 'ephemeral', replace_original: false, text });

/** The message again, saying who acted, with the buttons that still make sense. */
function replace(
  deps: ChatDeps,
  payload: BlockActions,
  action: ChatAction,
  acted: Extract<Acted, { ok: true }>,
  user: User,
  value: string,
) {
  const i = acted.incident;
  const text =
    typeof payload.message?.text === 'string' && payload.message.text
      ? slackUnescape(payload.message.text)
      : `[#${i.incident_number}] ${i.title} (${i.service.summary}, ${i.urgency} urgency)`;
  const open = (payload.message?.blocks ?? [])
    .flatMap((b) => ((b as { elements?: unknown }).elements as SlackButton[] | undefined) ?? [])
    .find((e) => e?.action_id === SLACK_ACTION_IDS.open && typeof e.url === 'string');
  const status = doneBy(action, user, 'Slack');
  const left = incidentButtons(i.status === 'resolved' ? undefined : value, open?.url).filter(
    (b) => b.action_id !== SLACK_ACTION_IDS.acknowledge || i.status === 'triggered',
  );
  return respond(deps, payload.response_url, {
    replace_original: true,
    text: slackEscape(`${text}\n${status}`),
    blocks: slackBlocks(text, left, status),
  });
}
