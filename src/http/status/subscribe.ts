/**
 * The subscriber side of a status page, rendered on the server with the page's escaping templates
 * and stylesheet, no JavaScript: the subscribe form shown on the page and its incident pages, and
 * the small pages a subscriber's links open (check your inbox, confirm, manage components,
 * unsubscribed, and why a link does not work).
 */
import type { Component, StatusPage } from '../../core/status-pages.js';
import { CSS } from './css.js';
import { html, type Markup, raw } from './markup.js';

/** Added to the page's stylesheet: a form that fits a thumb, light and dark. */
export const SUBSCRIBE_CSS = `
.subscribe form{display:grid;gap:10px}
.subscribe .field{display:flex;gap:8px;flex-wrap:wrap}
.subscribe input[type=email]{flex:1;min-width:200px;font:inherit;padding:9px 12px;border-radius:8px;border:1px solid var(--line);background:var(--card);color:var(--text)}
.subscribe button,.subscriber button{font:inherit;font-weight:600;padding:9px 18px;border-radius:8px;border:1px solid var(--link);background:var(--link);color:#fff;cursor:pointer}
.subscriber button.quiet{background:var(--card);color:var(--text);border-color:var(--line)}
.picks{display:grid;gap:4px;margin:8px 0}.picks label{display:flex;gap:8px;align-items:center}.picks .grp{font-weight:600;margin-top:6px}
.notice{border-radius:10px;padding:12px 14px;margin:16px 0;font-weight:600;background:var(--ok);color:#fff}
.notice.error{background:var(--critical)}
`;

/** The page's parts a subscriber page shows: its name and where its root is. */
export interface SubscriberView {
  page: Pick<StatusPage, 'name' | 'language'>;
  /** The page's root path (`/status/<slug>` or '' on its own domain). */
  prefix: string;
}

/** Components a person may choose: those shown on the page, members under their group. */
function picks(components: readonly Component[], chosen: ReadonlySet<string>): Markup {
  const top = components.filter((c) => c.group_id === null);
  const box = (c: Component) =>
    html`<label><input type="checkbox" name="component" value="${c.id}"${chosen.has(c.id) ? raw(' checked') : ''}> ${c.name}</label>`;
  return html`<div class="picks">${top.map((c) =>
    c.group
      ? html`<div class="grp">${box(c)}</div>${components.filter((m) => m.group_id === c.id).map(box)}`
      : box(c),
  )}</div>`;
}

/** What the page's form offers: email (with components), a webhook, or both. */
export interface SubscribeOffer {
  csrf: string;
  email: boolean;
  webhook: boolean;
}

/** The form on the status page and each incident page (a second one for a webhook). */
export function subscribeForm(
  prefix: string,
  offer: SubscribeOffer,
  components: readonly Component[],
): Markup {
  const email = html`<form method="post" action="${prefix}/subscribe">
<input type="hidden" name="csrf" value="${offer.csrf}">
<div class="field"><input type="email" name="email" required maxlength="254" autocomplete="email" placeholder="you@example.com" aria-label="Email address"><button type="submit">Subscribe</button></div>
${components.length > 0 ? html`<details><summary>Only some components (all by default)</summary>${picks(components, new Set())}</details>` : ''}
<div class="muted">We send a link to confirm first; every email has a one-click unsubscribe.</div>
</form>`;
  const webhook = html`<form method="post" action="${prefix}/subscribe">
<input type="hidden" name="csrf" value="${offer.csrf}">
<div class="field"><input type="url" name="webhook" required maxlength="2000" placeholder="https://example.com/hooks/status" aria-label="Webhook URL"><button type="submit">Subscribe the webhook</button></div>
<div class="muted">It receives a signed ping with its signing secret and a link to confirm; then signed JSON for every update (Standard Webhooks).</div>
</form>`;
  return html`<h2 id="subscribe">Get updates${offer.email ? ' by email' : ''}</h2><section class="card subscribe">
${offer.email ? email : webhook}
${offer.email && offer.webhook ? html`<details><summary>Or a webhook</summary>${webhook}</details>` : ''}
</section>`;
}

function layout(v: SubscriberView, title: string, body: Markup): string {
  return `<!doctype html>\n${
    html`<html lang="${v.page.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title} · ${v.page.name}</title>
<style>${raw(CSS + SUBSCRIBE_CSS)}</style>
</head>
<body><div class="wrap subscriber">
<header><h1><a href="${v.prefix || '/'}" style="color:inherit;text-decoration:none">${v.page.name}</a></h1></header>
<h2>${title}</h2>
${body}
<p><a href="${v.prefix || '/'}">← Current status</a></p>
</div></body>
</html>`.text
  }\n`;
}

/** A page saying one thing, maybe as a notice. */
export function messagePage(v: SubscriberView, title: string, sentence: string, error = false): string {
  return layout(
    v,
    title,
    html`<div class="card"><p${error ? raw(' class="muted"') : ''}>${sentence}</p></div>`,
  );
}

export const checkEndpointPage = (v: SubscriberView) =>
  messagePage(
    v,
    'Check your endpoint',
    'If that URL can subscribe, a signed ping is on its way to it, carrying its signing secret and a link to confirm. Nothing else is sent to it before the link is followed; the link works for 48 hours.',
  );

export const checkInboxPage = (v: SubscriberView) =>
  messagePage(
    v,
    'Check your inbox',
    'If that address can subscribe, an email is on its way with a link to confirm. Nothing is sent to it before the link is followed; the link works for 48 hours.',
  );

/** The confirm link's page: one button, since mail scanners open links without a person. */
export function confirmPage(v: SubscriberView, path: string, csrf: string, webhook: boolean): string {
  return layout(
    v,
    'Confirm your subscription',
    html`<div class="card"><p>Press the button to start receiving updates ${webhook ? 'at the webhook' : 'by email'}.</p>
<form method="post" action="${path}"><input type="hidden" name="csrf" value="${csrf}"><button type="submit">Confirm subscription</button></form></div>`,
  );
}

/** Someone's subscription: its (masked) address, its components, save and unsubscribe. */
export function managePage(
  v: SubscriberView,
  o: {
    contact: string;
    path: string;
    unsubscribePath: string;
    csrf: string;
    components: readonly Component[];
    chosen: readonly string[];
    /** Told of every component (none chosen). */
    all: boolean;
    notice?: string | undefined;
  },
): string {
  return layout(
    v,
    'Your subscription',
    html`${o.notice ? html`<div class="notice" role="status">${o.notice}</div>` : ''}
<div class="card"><p>Updates go to <strong>${mask(o.contact)}</strong>, for ${o.all ? 'every component' : o.chosen.length > 0 ? 'the components ticked below' : 'news naming no component (the components chosen were removed)'}.</p>
${
  o.components.length > 0
    ? html`<form method="post" action="${o.path}"><input type="hidden" name="csrf" value="${o.csrf}">
<p class="muted">Tick only the components you care about; none ticked means all of them.</p>
${picks(o.components, new Set(o.chosen))}<button type="submit">Save</button></form>`
    : ''
}</div>
<div class="card"><form method="post" action="${o.unsubscribePath}"><button type="submit" class="quiet">Unsubscribe</button></form></div>`,
  );
}

/** The unsubscribe link's page when opened in a browser: one button (mail clients POST directly). */
export function unsubscribePage(v: SubscriberView, path: string): string {
  return layout(
    v,
    'Unsubscribe',
    html`<div class="card"><p>Stop receiving updates from ${v.page.name}?</p>
<form method="post" action="${path}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form></div>`,
  );
}

/** `j•••@example.com`: enough to recognise one's own address, not to read a stranger's. */
export function mask(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '•••';
  return `${address[0]}•••${address.slice(at)}`;
}
