/**
 * RSS 2.0 and Atom feeds of a page's incident history (`history.rss`, `history.atom`, as
 * Statuspage names them): the 50 most recent incidents and maintenance, each with its updates
 * as the entry's HTML content. Every user string goes through the escaping of markup.ts.
 */
import type { StatusIncident } from '../../core/status-pages.js';
import { html, type Markup } from './markup.js';
import type { Snapshot } from './model.js';
import { statusLabel } from './text.js';

const RECENT = 50;

/** The updates of an incident as HTML, oldest last as Statuspage shows them. */
function content(i: StatusIncident): string {
  return html`${i.incident_updates.map(
    (u) =>
      html`<p><small>${new Date(u.created_at).toUTCString()}</small><br><strong>${statusLabel(u.status)}</strong> - ${u.body}</p>`,
  )}`.text;
}

const recent = (s: Snapshot) => s.incidents.slice(0, RECENT);
/** An incident's address: its id in the feed; with the visitor's key (a private page) as its link. */
const address = (s: Snapshot, i: StatusIncident) => `${s.url}/incidents/${i.id}`;
const link = (s: Snapshot, i: StatusIncident) => `${address(s, i)}${s.query}`;
const xml = (m: Markup) => `<?xml version="1.0" encoding="UTF-8"?>\n${m.text}\n`;

export function rssFeed(s: Snapshot): string {
  const items = recent(s).map(
    (i) => html`
    <item>
      <title>${i.name}</title>
      <description>${content(i)}</description>
      <pubDate>${new Date(i.created_at).toUTCString()}</pubDate>
      <link>${link(s, i)}</link>
      <guid isPermaLink="true">${address(s, i)}</guid>
    </item>`,
  );
  return xml(html`<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>${s.page.name} Status - Incident History</title>
    <link>${s.url}${s.query}</link>
    <description>Statuspage</description>
    <atom:link href="${s.url}/history.rss${s.query}" rel="self" type="application/rss+xml"/>
    <lastBuildDate>${new Date(s.now).toUTCString()}</lastBuildDate>${items}
  </channel>
</rss>`);
}

export function atomFeed(s: Snapshot): string {
  const items = recent(s);
  const updated = items.reduce(
    (a, i) => (Date.parse(i.updated_at) > Date.parse(a) ? i.updated_at : a),
    s.page.updated_at,
  );
  const entries = items.map(
    (i) => html`
  <entry>
    <id>${address(s, i)}</id>
    <published>${new Date(i.created_at).toISOString()}</published>
    <updated>${new Date(i.updated_at).toISOString()}</updated>
    <link rel="alternate" type="text/html" href="${link(s, i)}"/>
    <title>${i.name}</title>
    <content type="html">${content(i)}</content>
  </entry>`,
  );
  return xml(html`<feed xml:lang="en-US" xmlns="http://www.w3.org/2005/Atom">
  <id>${s.url}/history</id>
  <link rel="alternate" type="text/html" href="${s.url}${s.query}"/>
  <link rel="self" type="application/atom+xml" href="${s.url}/history.atom${s.query}"/>
  <title>${s.page.name} Status - Incident History</title>
  <author><name>${s.page.name}</name></author>
  <updated>${new Date(updated).toISOString()}</updated>${entries}
</feed>`);
}
