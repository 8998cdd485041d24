/**
 * The subscriber routes under a status page's root: `POST /subscribe` (the page's form: double
 * opt-in, the same answer for a new and a known address), and the pages a subscriber's signed
 * links open — `/confirm/<token>`, `/manage/<token>`, `/unsubscribe/<token>`. A GET never changes
 * anything (mail scanners open links); the forms post back with a form token drawn for that
 * path and from no other site (Origin). `POST /unsubscribe/<token>` is RFC 8058's one-click
 * unsubscribe: the link's token is the credential, so it takes no form token. Subscribe requests
 * are limited per client address and per email address (counted in the store, so the limits hold
 * across nodes: see SUBSCRIBE_LIMITS). A private page takes no subscriptions.
 */
import { lookup } from 'node:dns/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import type { StatusPage, StatusPagesPort } from '../../core/status-pages.js';
import {
  contactProblem,
  type StatusSubscriptionsPort,
  SubscribeLimitError,
  type SubscriberTokens,
} from '../../core/status-subscriptions.js';
import { refusal } from '../../providers/embedded/checks/target-guard.js';
import { discardRest } from '../guards.js';
import { readForm, sameOrigin, sendLinkPage as send } from '../link-forms.js';
import {
  checkEndpointPage,
  checkInboxPage,
  confirmPage,
  managePage,
  messagePage,
  type SubscriberView,
  unsubscribePage,
} from './subscribe.js';

export interface SubscriberDeps {
  port: StatusSubscriptionsPort;
  tokens: SubscriberTokens;
  /** Where the server is reached from outside: a POST's Origin may be it (or the page's domain). */
  publicUrl: string;
  now?: () => number;
  /** Whether this server sends email (VIGIL_SMTP_URL); without it pages take no email subscribers. Default true. */
  sendsEmail?: boolean | undefined;
  /** Why a webhook URL from the public page may not be subscribed; default: https to public addresses only. */
  checkWebhook?: ((url: string) => Promise<string | undefined>) | undefined;
}

export const SUBSCRIBER_ROUTE =
  /^\/(?:subscribe|(confirm|manage|unsubscribe)\/([A-Za-z0-9_-]{1,2000}\.[A-Za-z0-9_-]{1,100}))$/;

/** A form of an address and up to a few hundred component ids; anything larger is not from the page. */
const FORM_LIMIT = 16 * 1024;
const NOT_PUBLIC = 'an https:// URL on a public address';

/**
 * Whether a URL from the public page is fit to receive signed POSTs: https, on a name that
 * resolves only to public addresses (a stranger's form must not make this server post into its
 * own network). Checked when it subscribes.
 */
async function publicWebhook(url: string): Promise<string | undefined> {
  const target = new URL(url);
  if (target.protocol !== 'https:') return NOT_PUBLIC;
  const host = target.hostname.replace(/^\[|\]$/g, '');
  try {
    const addresses = isIP(host) ? [{ address: host }] : await lookup(host, { all: true });
    if (addresses.length === 0 || addresses.some((a) => refusal(a.address, true))) return NOT_PUBLIC;
  } catch {
    return `${NOT_PUBLIC} (${host} does not resolve)`;
  }
  return undefined;
}

/** A port's refusal as a sentence for a person (without the tools' parameter name). */
const sentence = (err: NotFoundError | ValidationError) => err.message.replace(/ \(parameter `\w+`\)/, '');

/** What a subscriber page answers a refusal with: a status, a title and a sentence. */
type Refuse = (status: number, title: string, sentence: string, extra?: Record<string, string>) => void;

/** One request to a subscriber route, and how it is refused. */
interface Asked {
  req: IncomingMessage;
  res: ServerResponse;
  deps: SubscriberDeps;
  page: StatusPage;
  view: SubscriberView;
  refuse: Refuse;
}

/**
 * Answers a subscriber route of `page`; `rest` matched SUBSCRIBER_ROUTE. `prefix` is the page's
 * root path as the request reached it.
 */
export async function serveSubscriber(
  req: IncomingMessage,
  res: ServerResponse,
  deps: SubscriberDeps,
  pages: StatusPagesPort,
  page: StatusPage,
  rest: string,
  prefix: string,
): Promise<void> {
  const view: SubscriberView = { page, prefix };
  const post = req.method === 'POST';
  const refuse: Refuse = (status, title, sentence, extra) => {
    if (post && !req.readableEnded) discardRest(req);
    send(req, res, status, messagePage(view, title, sentence, true), extra);
  };
  if (!post && req.method !== 'GET' && req.method !== 'HEAD')
    return refuse(405, 'Not here', 'Use GET or POST.', { allow: 'GET, HEAD, POST' });
  const m = SUBSCRIBER_ROUTE.exec(rest) as RegExpExecArray;
  const kind = m[1] as 'confirm' | 'manage' | 'unsubscribe' | undefined;
  // RFC 8058's one-click POST comes from a mail client, not a page: its link is its credential.
  if (post && kind !== 'unsubscribe' && !sameOrigin(req, deps.publicUrl))
    return refuse(403, 'Refused', 'This form was sent from another site, so nothing was done.');
  if (kind === undefined) {
    if (!post)
      return refuse(405, 'Not here', 'Subscribe with the form on the status page.', { allow: 'POST' });
    return subscribeRequest({ req, res, deps, page, view, refuse });
  }
  return linkRequest({ req, res, deps, page, view, refuse }, pages, kind, m[2] as string);
}

/**
 * The posted form when it came from a page this server drew for `path` in the last twelve hours;
 * otherwise the request is refused (saying `nothing` was done) and the answer is undefined.
 */
async function postedForm(
  { req, deps, refuse }: Asked,
  path: string,
  nothing: string,
): Promise<URLSearchParams | undefined> {
  const form = await readForm(req, FORM_LIMIT);
  if (!form) {
    refuse(413, 'Refused', `That form was too large to come from this page; ${nothing}.`);
    return undefined;
  }
  if (!deps.tokens.checkForm(path, form.get('csrf') ?? '')) {
    refuse(
      403,
      'Please try again',
      `This form was not drawn by this page, or was left open for more than twelve hours; ${nothing}. Reload the page and try again.`,
    );
    return undefined;
  }
  return form;
}

/** `POST /subscribe`: the page's form, for an email address (with components) or a webhook URL. */
async function subscribeRequest(asked: Asked): Promise<void> {
  const { req, res, deps, page, view, refuse } = asked;
  if (page.viewers_must_be_team_members)
    return refuse(
      403,
      'No public subscriptions',
      'This status page is private: it takes no public subscriptions.',
    );
  if (!page.allow_email_subscribers && !page.allow_webhook_subscribers)
    return refuse(403, 'No subscriptions here', 'This status page does not take subscriptions.');
  const form = await postedForm(asked, `${page.id}|subscribe`, 'nothing was stored');
  if (!form) return;
  const channel = form.has('webhook') && !form.has('email') ? 'webhook' : 'email';
  const contact = (form.get(channel) ?? '').trim();
  const taken =
    channel === 'webhook'
      ? page.allow_webhook_subscribers
      : page.allow_email_subscribers && deps.sendsEmail !== false;
  if (!taken)
    return refuse(403, 'No subscriptions here', `This status page does not take ${channel} subscriptions.`);
  if (channel === 'email' && contactProblem('email', contact))
    return refuse(
      400,
      'Not an email address',
      'Give an email address such as you@example.com; nothing was stored.',
    );
  if (channel === 'webhook') {
    const problem =
      contactProblem('webhook', contact) ?? (await (deps.checkWebhook ?? publicWebhook)(contact));
    if (problem) return refuse(400, 'Not a webhook URL', `Give ${problem}; nothing was stored.`);
  }
  try {
    await deps.port.subscribe(page.id, {
      channel,
      contact,
      components: channel === 'email' ? form.getAll('component') : [],
      client: req.socket.remoteAddress ?? 'unknown',
    });
  } catch (err) {
    if (err instanceof SubscribeLimitError)
      return refuse(
        429,
        'Too many requests',
        err.by === 'contact'
          ? `That ${channel === 'webhook' ? 'URL' : 'address'} was given several times just now: try again in ten minutes.`
          : 'Too many subscribe requests from your address: try again in ten minutes.',
        { 'retry-after': String(Math.ceil(err.retryAfterMs / 1000)) },
      );
    if (err instanceof NotFoundError || err instanceof ValidationError)
      return refuse(400, 'Please try again', `${sentence(err)} Nothing was stored.`);
    throw err;
  }
  return send(req, res, 200, channel === 'webhook' ? checkEndpointPage(view) : checkInboxPage(view));
}

/** A subscriber's signed link: `/confirm/<token>`, `/manage/<token>` or `/unsubscribe/<token>`. */
async function linkRequest(
  asked: Asked,
  pages: StatusPagesPort,
  kind: 'confirm' | 'manage' | 'unsubscribe',
  token: string,
): Promise<void> {
  const { req, res, deps, page, view, refuse } = asked;
  const { prefix } = view;
  const path = `${prefix}/${kind}/${token}`;
  const post = req.method === 'POST';
  const opened = deps.tokens.open(token);
  if (!opened.ok || (opened.purpose === 'confirm') !== (kind === 'confirm'))
    return opened.ok || opened.reason === 'invalid'
      ? refuse(
          400,
          'This link is not valid',
          'It may have been cut short on the way: open it from the email again, whole.',
        )
      : refuse(
          410,
          'This link has expired',
          kind === 'confirm'
            ? 'Confirmation links work for 48 hours: subscribe again from the status page.'
            : 'Subscribe again from the status page.',
        );
  const subscription = await deps.port.byRef(opened.ref);
  if (!subscription || subscription.status_page.id !== page.id) {
    // A repeated one-click unsubscribe is answered as the first was.
    if (kind === 'unsubscribe' && post) {
      discardRest(req);
      return send(
        req,
        res,
        200,
        messagePage(view, 'Unsubscribed', 'This address receives no updates from this page.'),
      );
    }
    return refuse(
      410,
      'No such subscription',
      'This subscription no longer exists: it was unsubscribed, or never confirmed within seven days. Subscribe again from the status page.',
    );
  }
  const manageToken = () => deps.tokens.issue(opened.ref, 'manage', deps.now?.() ?? Date.now());

  if (kind === 'unsubscribe') {
    if (!post) return send(req, res, 200, unsubscribePage(view, path));
    discardRest(req);
    await deps.port.unsubscribe(opened.ref);
    return send(
      req,
      res,
      200,
      messagePage(view, 'Unsubscribed', `This address receives no more updates from ${page.name}.`),
    );
  }

  if (kind === 'confirm') {
    if (!post) {
      if (subscription.status !== 'pending')
        return send(req, res, 303, '', { location: `${prefix}/manage/${manageToken()}?done=already` });
      return send(
        req,
        res,
        200,
        confirmPage(view, path, deps.tokens.formToken(path), subscription.channel === 'webhook'),
      );
    }
    if (!(await postedForm(asked, path, 'nothing was done'))) return;
    const confirmed = await deps.port.confirm(opened.ref);
    return send(req, res, 303, '', {
      location: `${prefix}/manage/${manageToken()}?done=${confirmed ? 'confirmed' : 'already'}`,
    });
  }

  if (post) {
    const form = await postedForm(asked, path, 'nothing was changed');
    if (!form) return;
    try {
      await deps.port.setComponents(opened.ref, form.getAll('component'));
    } catch (err) {
      if (err instanceof NotFoundError || err instanceof ValidationError)
        return refuse(400, 'Please try again', `${sentence(err)} Nothing was changed.`);
      throw err;
    }
    return send(req, res, 303, '', { location: `${path}?done=saved` });
  }
  const done = new URL(req.url ?? '/', 'http://localhost').searchParams.get('done');
  const components = (await pages.listComponents(page.id, { limit: 1000, offset: 0 })).items;
  return send(
    req,
    res,
    200,
    managePage(view, {
      contact: subscription.contact,
      path,
      unsubscribePath: `${prefix}/unsubscribe/${token}`,
      csrf: deps.tokens.formToken(path),
      components,
      chosen: subscription.components,
      all: subscription.all_components,
      notice: done ? NOTICES[done] : undefined,
    }),
  );
}

/** What the manage page says after a redirect to it (`?done=`). */
const NOTICES: Record<string, string> = {
  confirmed: 'Subscribed. Updates will come to this address.',
  already: 'This subscription was confirmed already.',
  saved: 'Saved.',
};
