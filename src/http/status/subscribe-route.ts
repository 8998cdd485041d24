/**
 * The subscriber routes under a status page's root: `POST /subscribe` (the page's form: double
 * opt-in, the same answer for a new and a known address), and the pages a subscriber's signed
 * links open — `/confirm/<token>`, `/manage/<token>`, `/unsubscribe/<token>`. A GET never changes
 * anything (mail scanners open links); the forms post back with a form token drawn for that
 * path and from no other site (Origin). `POST /unsubscribe/<token>` is RFC 8058's one-click
 * unsubscribe: the link's token is the credential, so it takes no form token. Subscribe requests
 * are limited per client address and per email address. A private page takes no subscriptions.
 */
import { lookup } from 'node:dns/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import type { StatusPage, StatusPagesPort } from '../../core/status-pages.js';
import {
  contactProblem,
  type StatusSubscriptionsPort,
  type SubscriberTokens,
} from '../../core/status-subscriptions.js';
import { refusal } from '../../providers/embedded/checks/target-guard.js';
import { BodyTooLargeError, discardRest, readBody } from '../guards.js';
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
const WINDOW_MS = 10 * 60_000;
/** Subscribe requests that send a confirmation, in WINDOW_MS, per client address and per email address or URL. */
const PER_CLIENT = 10;
const PER_CONTACT = 3;

const HEADERS = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'private, no-store',
  // Same-origin, not no-referrer: under no-referrer browsers send `Origin: null` with the form.
  'referrer-policy': 'same-origin',
  'x-robots-tag': 'noindex',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
};

/** Sliding-window counts per key, in this process (a few nodes each allow their share). */
class Limiter {
  private readonly hits = new Map<string, number[]>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}
  /** False when `key` is at its limit. */
  allows(key: string, now: number): boolean {
    const recent = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    this.hits.set(key, recent);
    return recent.length < this.max;
  }
  /** Counts a request of `key`. */
  take(key: string, now: number): void {
    if (this.hits.size > 50_000) this.hits.clear();
    this.hits.set(key, [...(this.hits.get(key) ?? []), now]);
  }
}

const byClient = new Limiter(PER_CLIENT, WINDOW_MS);
const byContact = new Limiter(PER_CONTACT, WINDOW_MS);

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: string,
  extra: Record<string, string> = {},
) {
  res.writeHead(status, {
    ...HEADERS,
    'content-type': 'text/html; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    ...extra,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

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

/** False when the request's Origin names another site than this server or the page's domain. */
function sameOrigin(req: IncomingMessage, publicUrl: string): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') return true;
  try {
    const host = new URL(origin).host;
    return host === req.headers.host || host === new URL(publicUrl).host;
  } catch {
    return false;
  }
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  try {
    return new URLSearchParams(await readBody(req, FORM_LIMIT));
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err;
    discardRest(req);
    return undefined;
  }
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
  const now = deps.now?.() ?? Date.now();
  const view: SubscriberView = { page, prefix };
  const post = req.method === 'POST';
  const refuse = (status: number, title: string, sentence: string, extra?: Record<string, string>) => {
    if (post && !req.readableEnded) discardRest(req);
    send(req, res, status, messagePage(view, title, sentence, true), extra);
  };
  if (!post && req.method !== 'GET' && req.method !== 'HEAD')
    return refuse(405, 'Not here', 'Use GET or POST.', { allow: 'GET, HEAD, POST' });
  const m = SUBSCRIBER_ROUTE.exec(rest) as RegExpExecArray;
  const kind = m[1] as 'confirm' | 'manage' | 'unsubscribe' | undefined;
  const path = `${prefix}${rest}`;
  const unsubscribeOneClick = kind === 'unsubscribe' && post;
  if (post && !unsubscribeOneClick && !sameOrigin(req, deps.publicUrl))
    return refuse(403, 'Refused', 'This form was sent from another site, so nothing was done.');

  if (kind === undefined) {
    if (!post)
      return refuse(405, 'Not here', 'Subscribe with the form on the status page.', { allow: 'POST' });
    if (page.viewers_must_be_team_members)
      return refuse(
        403,
        'No public subscriptions',
        'This status page is private: it takes no public subscriptions.',
      );
    if (!page.allow_email_subscribers && !page.allow_webhook_subscribers)
      return refuse(403, 'No subscriptions here', 'This status page does not take subscriptions.');
    const form = await readForm(req);
    if (!form)
      return refuse(413, 'Refused', 'That form was too large to come from this page; nothing was stored.');
    if (!deps.tokens.checkForm(`${page.id}|subscribe`, form.get('csrf') ?? ''))
      return refuse(
        403,
        'Please try again',
        'This form was not drawn by this page, or was left open for more than twelve hours; nothing was stored. Reload the page and subscribe again.',
      );
    const webhook = form.has('webhook') && !form.has('email');
    const contact = (form.get(webhook ? 'webhook' : 'email') ?? '').trim();
    if (
      webhook ? !page.allow_webhook_subscribers : !page.allow_email_subscribers || deps.sendsEmail === false
    )
      return refuse(
        403,
        'No subscriptions here',
        `This status page does not take ${webhook ? 'webhook' : 'email'} subscriptions.`,
      );
    if (!webhook && contactProblem('email', contact))
      return refuse(
        400,
        'Not an email address',
        'Give an email address such as you@example.com; nothing was stored.',
      );
    if (webhook) {
      const problem =
        contactProblem('webhook', contact) ?? (await (deps.checkWebhook ?? publicWebhook)(contact));
      if (problem) return refuse(400, 'Not a webhook URL', `Give ${problem}; nothing was stored.`);
    }
    const contactKey = `${page.id}|${contact.toLowerCase()}`;
    const client = req.socket.remoteAddress ?? 'unknown';
    if (!byContact.allows(contactKey, now))
      return refuse(
        429,
        'Too many requests',
        `That ${webhook ? 'URL' : 'address'} was given several times just now: try again in ten minutes.`,
        { 'retry-after': String(WINDOW_MS / 1000) },
      );
    if (!byClient.allows(client, now))
      return refuse(
        429,
        'Too many requests',
        'Too many subscribe requests from your address: try again in ten minutes.',
        { 'retry-after': String(WINDOW_MS / 1000) },
      );
    try {
      await deps.port.subscribe(
        page.id,
        contact,
        webhook ? [] : form.getAll('component'),
        webhook ? 'webhook' : 'email',
      );
    } catch (err) {
      if (err instanceof NotFoundError || err instanceof ValidationError)
        return refuse(
          400,
          'Please try again',
          `${err.message.replace(/ \(parameter `\w+`\)/, '')} Nothing was stored.`,
        );
      throw err;
    }
    // Counted once a confirmation is on its way: refused forms send nothing and cost nothing.
    byContact.take(contactKey, now);
    byClient.take(client, now);
    return send(req, res, 200, webhook ? checkEndpointPage(view) : checkInboxPage(view));
  }

  const opened = deps.tokens.open(m[2] as string);
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
    if (unsubscribeOneClick) {
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
  const manageToken = () => deps.tokens.issue(opened.ref, 'manage', now);

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
      return send(req, res, 200, confirmPage(view, path, deps.tokens.formToken(path)));
    }
    const form = await readForm(req);
    if (!form)
      return refuse(413, 'Refused', 'That form was too large to come from this page; nothing was done.');
    if (!deps.tokens.checkForm(path, form.get('csrf') ?? ''))
      return refuse(
        403,
        'Please try again',
        'This form was not drawn by this page; nothing was done. Open the link again.',
      );
    const confirmed = await deps.port.confirm(opened.ref);
    return send(req, res, 303, '', {
      location: `${prefix}/manage/${manageToken()}?done=${confirmed ? 'confirmed' : 'already'}`,
    });
  }

  // manage
  const components = (await pages.listComponents(page.id, { limit: 1000, offset: 0 })).items;
  const render = (status: number, notice?: string) =>
    send(
      req,
      res,
      status,
      managePage(view, {
        contact: subscription.contact,
        path,
        unsubscribePath: `${prefix}/unsubscribe/${m[2]}`,
        csrf: deps.tokens.formToken(path),
        components,
        chosen: subscription.components,
        all: subscription.all_components,
        notice,
      }),
    );
  if (!post) {
    const done = new URL(req.url ?? '/', 'http://localhost').searchParams.get('done');
    const notice =
      done === 'confirmed'
        ? 'Subscribed. Updates will come to this address.'
        : done === 'already'
          ? 'This subscription was confirmed already.'
          : done === 'saved'
            ? 'Saved.'
            : undefined;
    return render(200, notice);
  }
  const form = await readForm(req);
  if (!form)
    return refuse(413, 'Refused', 'That form was too large to come from this page; nothing was changed.');
  if (!deps.tokens.checkForm(path, form.get('csrf') ?? ''))
    return refuse(
      403,
      'Please try again',
      'This form was not drawn by this page; nothing was changed. Open the link again.',
    );
  try {
    await deps.port.setComponents(opened.ref, form.getAll('component'));
  } catch (err) {
    if (err instanceof NotFoundError || err instanceof ValidationError)
      return refuse(
        400,
        'Please try again',
        `${err.message.replace(/ \(parameter `\w+`\)/, '')} Nothing was changed.`,
      );
    throw err;
  }
  return send(req, res, 303, '', { location: `${path}?done=saved` });
}
