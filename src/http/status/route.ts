/**
 * Status pages: `/status/<subdomain-or-id>` and everything under it (the HTML page, a page per
 * incident, RSS and Atom feeds, Statuspage's `api/v2/*.json`), and a page on its own domain at
 * `/` when the Host header names it. Host and Origin are not checked here as they are for MCP:
 * these answers are read-only and the same for every caller. A public page needs no
 * authentication; a private one (`viewers_must_be_team_members`) needs what /mcp accepts — an
 * API key or JWT in Authorization, or in `?key=` (for browsers and feed readers) only a key
 * limited to reading status pages, which the page then swaps for a short-lived viewer token on
 * its links (`?view=`; a browser is redirected there) — checked before any cached rendering is
 * looked at, and is never stored by shared caches or indexed.
 * No page may be framed by another site (clickjacking) unless VIGIL_STATUS_FRAME_ANCESTORS names it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NotFoundError } from '../../core/errors.js';
import type { StatusPage, StatusPagesPort } from '../../core/status-pages.js';
import { discardRest } from '../guards.js';
import { atomFeed, rssFeed } from './feeds.js';
import { errorPage, incidentPage, notFoundPage, statusPage } from './html.js';
import { statuspageJson } from './json.js';
import { loadSnapshot } from './model.js';
import { SUBSCRIBER_ROUTE, type SubscriberDeps, serveSubscriber } from './subscribe-route.js';
import type { ViewerTokens } from './viewer-token.js';

export const STATUS_PATH = /^\/status\/([^/]{1,200})(\/.*)?$/;

export interface StatusDeps {
  pages: StatusPagesPort;
  /** Where clients reach this server (VIGIL_PUBLIC_URL), for absolute links in feeds and JSON. */
  publicUrl: string;
  now?: () => number;
  /**
   * Whether a request may see a private page, by the credential in its Authorization header or
   * else `key` (from `?key=`). Without it, private pages answer 401 to everyone.
   */
  authorize?: (req: IncomingMessage, key: string | undefined) => Promise<Access>;
  /** Signs and checks the viewer tokens a private page opened with `?key=` carries on its links. */
  viewer?: ViewerTokens | undefined;
  /** Who may frame the pages (VIGIL_STATUS_FRAME_ANCESTORS, CSP sources); default `'none'`. */
  frameAncestors?: readonly string[] | undefined;
  /** Subscribers (the form, double opt-in, their links); without it a page offers no subscription. */
  subscriptions?: Omit<SubscriberDeps, 'publicUrl'> | undefined;
}

const EXPIRED_VIEW =
  'This viewing link has expired or is not for this page: open the page again with its key (?key=) or an Authorization header.';

export type Access = { ok: true } | { ok: false; status: 401 | 403; message: string; challenge?: string };

const INCIDENT_PATH = /^\/incidents\/([A-Za-z0-9_-]{1,64})$/;
const API_PATH = /^\/api\/v2\/([a-z/-]+\.json)$/;

const COMMON = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'public, max-age=30',
};
/** The page is self-contained: inline styles, no scripts, no outside requests; its one form posts to itself. */
const HTML_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'self'";

/**
 * The headers of an HTML answer: its CSP with `frame-ancestors`, and X-Frame-Options to match for
 * browsers without CSP 2. X-Frame-Options cannot name origins, so with a list it is left out
 * (browsers that know frame-ancestors ignore it anyway).
 */
function htmlHeaders(frameAncestors: readonly string[] = ["'none'"]): Record<string, string> {
  const sources = frameAncestors.join(' ');
  const xfo = sources === "'none'" ? 'DENY' : sources === "'self'" ? 'SAMEORIGIN' : undefined;
  return {
    'content-security-policy': `${HTML_CSP}; frame-ancestors ${sources}`,
    ...(xfo && { 'x-frame-options': xfo }),
  };
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  extra: Record<string, string> = {},
) {
  res.writeHead(status, {
    ...COMMON,
    'content-type': type,
    'content-length': String(Buffer.byteLength(body)),
    ...extra,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** JSON with `<`, `>` and `&` as escapes, so no sniffing client ever reads markup in it. */
function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown) {
  send(req, res, status, 'application/json; charset=utf-8', jsonText(body), {
    'access-control-allow-origin': '*',
  });
}

function jsonText(body: unknown): string {
  return JSON.stringify(body).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A private page's answers: kept by no shared cache, indexed by no search engine, referred nowhere. */
const PRIVATE: Record<string, string> = {
  'cache-control': 'private, no-store',
  'x-robots-tag': 'noindex',
  'referrer-policy': 'no-referrer',
};

/** 401 or 403 for a private page, as HTML for the page routes and JSON for the rest. */
function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  rest: string,
  denied: Exclude<Access, { ok: true }>,
  html: Record<string, string>,
) {
  const extra = { ...PRIVATE, ...(denied.challenge && { 'www-authenticate': denied.challenge }) };
  if (rest === '' || rest === '/' || INCIDENT_PATH.test(rest))
    return send(
      req,
      res,
      denied.status,
      'text/html; charset=utf-8',
      errorPage(denied.status === 401 ? 'Private status page' : 'Not allowed', denied.message),
      { ...html, ...extra },
    );
  return send(
    req,
    res,
    denied.status,
    'application/json; charset=utf-8',
    jsonText({
      error: { code: denied.status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', message: denied.message },
    }),
    extra,
  );
}

/** The routes a browser shows: the page and its incident pages (the rest are feeds and JSON). */
const isPage = (rest: string) => rest === '' || rest === '/' || INCIDENT_PATH.test(rest);

/** 303 to `location` on this host, kept by no cache (it carries a viewer token). */
function seeOther(res: ServerResponse, location: string) {
  res.writeHead(303, { location, ...PRIVATE, 'content-length': '0' }).end();
}

function notFoundAnswer(
  req: IncomingMessage,
  res: ServerResponse,
  rest: string,
  message: string,
  html: Record<string, string>,
) {
  if (rest === '' || rest === '/' || INCIDENT_PATH.test(rest))
    return send(req, res, 404, 'text/html; charset=utf-8', notFoundPage(message), html);
  return sendJson(req, res, 404, { error: { code: 'NOT_FOUND', message } });
}

const RENDER_TTL_MS = 1000;
const renders = new Map<string, { until: number; value: Promise<unknown> }>();

/** Drops every rendering: a page, component or incident changed. */
export function clearStatusCache(): void {
  renders.clear();
}

/** A rendering shared by the requests of the next second (the page is the same for everyone). */
function cached<T>(key: string, render: () => Promise<T>): Promise<T> {
  const now = Date.now();
  const hit = renders.get(key);
  if (hit && hit.until > now) return hit.value as Promise<T>;
  if (renders.size > 1000) renders.clear();
  const value = render();
  renders.set(key, { until: now + RENDER_TTL_MS, value });
  value.catch(() => renders.delete(key));
  return value;
}

/** The page a request's Host names by its `domain`, when one does. */
export async function pageForHost(deps: StatusDeps, host: string | undefined) {
  const name = host?.trim().toLowerCase().replace(/:\d+$/, '');
  if (!name || name.startsWith('[')) return undefined;
  return deps.pages.getPageByDomain(name);
}

/**
 * Answers a status-page request. `ref` is the subdomain or id in the path, or undefined with
 * `onDomain` when the page was found by Host; `rest` is the path after the page's root.
 */
export async function serveStatus(
  req: IncomingMessage,
  res: ServerResponse,
  deps: StatusDeps,
  target: { ref: string; rest: string } | { page: StatusPage; rest: string },
): Promise<void> {
  const { rest } = target;
  const subscriber = deps.subscriptions && SUBSCRIBER_ROUTE.test(rest) ? deps.subscriptions : undefined;
  if (!subscriber && req.method !== 'GET' && req.method !== 'HEAD') {
    discardRest(req);
    return send(req, res, 405, 'text/plain; charset=utf-8', 'Use GET or HEAD.\n', { allow: 'GET, HEAD' });
  }
  const headers = htmlHeaders(deps.frameAncestors);
  const notFound = (message: string) => notFoundAnswer(req, res, rest, message, headers);
  let page: StatusPage | undefined;
  let prefix = '';
  let url: string;
  if ('page' in target) {
    page = target.page;
    url = `${new URL(deps.publicUrl).protocol}//${page.domain}`;
  } else {
    page = await cached(`page|${target.ref}`, () => deps.pages.getPage(target.ref));
    if (!page) return notFound(`No status page '${target.ref}'.`);
    prefix = `/status/${encodeURIComponent(target.ref)}`;
    url = `${deps.publicUrl.replace(/\/+$/, '')}/status/${encodeURIComponent(page.subdomain ?? page.id)}`;
  }
  // A subscriber's own links work on a private page too (their token is the credential); its
  // subscribe form is refused there.
  if (subscriber)
    return serveSubscriber(
      req,
      res,
      { ...subscriber, publicUrl: deps.publicUrl },
      deps.pages,
      page,
      rest,
      prefix,
    );
  // A private page: the credential first, before any rendering (cached or not) is looked at.
  let query = '';
  const isPrivate = page.viewers_must_be_team_members;
  if (isPrivate) {
    const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const fromUrl = !req.headers.authorization;
    const view = fromUrl ? params.get('view') || undefined : undefined;
    const key = fromUrl && !view ? params.get('key') || undefined : undefined;
    if (view) {
      if (!deps.viewer?.verify(view, page.id))
        return refuse(req, res, rest, { ok: false, status: 401, message: EXPIRED_VIEW }, headers);
      query = `?view=${encodeURIComponent(view)}`;
    } else {
      const access: Access = deps.authorize
        ? await deps.authorize(req, key)
        : { ok: false, status: 401, message: 'This status page is private.' };
      if (!access.ok) return refuse(req, res, rest, access, headers);
      if (key && deps.viewer) {
        // The page's links carry a short-lived viewer token, never the key; a browser is sent to
        // the token's address at once, so the key leaves its address bar and history too.
        query = `?view=${encodeURIComponent(deps.viewer.issue(page.id))}`;
        if (isPage(rest)) return seeOther(res, `${`${prefix}${rest}` || '/'}${query}`);
      }
    }
  }
  const shown = page;
  const form =
    deps.subscriptions && !isPrivate
      ? {
          csrf: deps.subscriptions.tokens.formToken(`${page.id}|subscribe`),
          // Email only where this server can send it (VIGIL_SMTP_URL).
          email: page.allow_email_subscribers && deps.subscriptions.sendsEmail !== false,
          webhook: page.allow_webhook_subscribers,
        }
      : undefined;
  const offer = form && (form.email || form.webhook) ? form : undefined;
  const snapshot = () =>
    loadSnapshot(deps.pages, shown, {
      now: deps.now?.() ?? Date.now(),
      url,
      prefix,
      query,
      subscribe: offer,
    });
  // Every visitor gets the same answer: one rendering serves them all for a second. The links of
  // a private page may carry its visitor's key, so the key is part of what names the rendering.
  const key = `${page.id}|${page.updated_at}|${url}|${prefix}|${query}|${rest}`;
  const noindex: Record<string, string> = isPrivate
    ? PRIVATE
    : page.hidden_from_search
      ? { 'x-robots-tag': 'noindex' }
      : {};

  const api = API_PATH.exec(rest);
  if (api) {
    const body = await cached(key, async () => {
      const json = statuspageJson(await snapshot(), api[1] as string);
      return json && Buffer.from(jsonText(json));
    });
    if (!body) return notFound(`No endpoint api/v2/${api[1]}.`);
    return send(
      req,
      res,
      200,
      'application/json; charset=utf-8',
      body,
      isPrivate ? PRIVATE : { 'access-control-allow-origin': '*' },
    );
  }
  if (rest === '/history.rss' || rest === '/history.atom') {
    if (!page.allow_rss_atom_feeds) return notFound('This page has no feeds.');
    const rss = rest.endsWith('.rss');
    const body = await cached(key, async () =>
      Buffer.from(rss ? rssFeed(await snapshot()) : atomFeed(await snapshot())),
    );
    const type = rss ? 'application/rss+xml' : 'application/atom+xml';
    return send(req, res, 200, `${type}; charset=utf-8`, body, noindex);
  }
  const html = (body: string | Buffer) =>
    send(req, res, 200, 'text/html; charset=utf-8', body, { ...headers, ...noindex });
  // Kept encoded: a page is about 100 KB, and encoding it again for each visitor costs more than the rest.
  if (rest === '' || rest === '/') {
    return html(await cached(key, async () => Buffer.from(statusPage(await snapshot()))));
  }
  const incident = INCIDENT_PATH.exec(rest);
  if (incident) {
    const found = await deps.pages.getIncident(page.id, incident[1] as string).catch((err: unknown) => {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    });
    if (!found) return notFound(`No incident '${incident[1]}' on this page.`);
    return html(incidentPage(await snapshot(), found));
  }
  return notFound(`No route ${rest} on a status page.`);
}
