/**
 * The public status page and its incident pages, rendered on the server with the escaping
 * templates of markup.ts: readable without JavaScript, no outside assets, one inline stylesheet
 * and inline SVG for the uptime bars.
 */
import type { Component, StatusIncident } from '../../core/status-pages.js';
import { CSS } from './css.js';
import { html, type Markup, raw } from './markup.js';
import {
  isMaintenance,
  isUnderWay,
  openMaintenances,
  overallStatus,
  type Snapshot,
  unresolved,
} from './model.js';
import { SUBSCRIBE_CSS, subscribeForm } from './subscribe.js';
import { componentLabel, dayLabel, IMPACT_LABELS, statusLabel, when } from './text.js';
import { DAYS, overallUptime, percent, type UptimeDay, uptimeDays } from './uptime.js';

/** Days of history shown one by one, quiet or not. */
const EVERY_DAY = 7;
const DAY_MS = 86_400_000;

/** Only web addresses become links: never `javascript:` or `data:` from a page's settings. */
const safeUrl = (u: string | null) => (u && /^https?:\/\//i.test(u) ? u : undefined);

function layout(s: Snapshot, title: string, body: Markup): string {
  const feeds = s.page.allow_rss_atom_feeds;
  return `<!doctype html>\n${
    html`<html lang="${s.page.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
${s.page.hidden_from_search || s.page.viewers_must_be_team_members ? raw('<meta name="robots" content="noindex">') : ''}
${s.page.page_description ? html`<meta name="description" content="${s.page.page_description}">` : ''}
${
  feeds
    ? html`<link rel="alternate" type="application/rss+xml" title="${s.page.name} incident history" href="${s.prefix}/history.rss${s.query}">
<link rel="alternate" type="application/atom+xml" title="${s.page.name} incident history" href="${s.prefix}/history.atom${s.query}">`
    : ''
}
<style>${raw(s.subscribe ? CSS + SUBSCRIBE_CSS : CSS)}</style>
</head>
<body><div class="wrap">
<header><h1><a href="${s.prefix || '/'}${s.query}" style="color:inherit;text-decoration:none">${s.page.name}</a></h1>
${s.page.headline ? html`<p>${s.page.headline}</p>` : ''}</header>
${body}
<footer>
<span>${feeds ? html`Subscribe: <a href="${s.prefix}/history.rss${s.query}">RSS</a> · <a href="${s.prefix}/history.atom${s.query}">Atom</a> · ` : ''}<a href="${s.prefix}/api/v2/summary.json${s.query}">JSON</a>${safeUrl(s.page.support_url) ? html` · <a href="${safeUrl(s.page.support_url)}" rel="nofollow">Support</a>` : ''}</span>
<span>Powered by Vigil</span>
</footer>
</div></body>
</html>`.text
  }\n`;
}

function updates(s: Snapshot, i: StatusIncident): Markup {
  return html`${i.incident_updates.map(
    (
      u,
    ) => html`<div class="update"><strong>${statusLabel(u.status)}</strong>${u.body ? html` — ${u.body}` : ''}
<div class="meta">${when(u.created_at, s.page.time_zone)}</div></div>`,
  )}`;
}

function incidentCard(s: Snapshot, i: StatusIncident, link = true): Markup {
  const kind = isMaintenance(i) ? 'maintenance' : i.impact;
  const affected = s.components.filter((c) => c.id in i.components).map((c) => c.name);
  return html`<article class="card incident ${kind}">
<h3>${link ? html`<a href="${s.prefix}/incidents/${i.id}${s.query}">${i.name}</a>` : i.name}</h3>
${isMaintenance(i) ? html`<div class="muted">Scheduled ${when(i.scheduled_for as string, s.page.time_zone)} – ${when(i.scheduled_until as string, s.page.time_zone)}${isUnderWay(i) ? ' · in progress' : ''}</div>` : ''}
${affected.length > 0 ? html`<div class="muted">Affects ${affected.join(', ')}</div>` : ''}
${updates(s, i)}
</article>`;
}

function bars(days: UptimeDay[]): Markup {
  const w = 3;
  const gap = 2;
  const rects = days.map((d, n) => {
    const cls = d.uptime === null ? 'nodata' : (d.worst ?? 'operational');
    const figure =
      d.uptime === null
        ? 'No data'
        : `${percent(d.uptime)} uptime${d.incidents.length > 0 ? ` — ${d.incidents.map((i) => i.name).join('; ')}` : ''}`;
    // Up is the bars' default colour and y is 0 by default: 900 bars a page, so bytes count.
    const attrs = cls === 'operational' ? '' : html` class="${cls}"`;
    return html`<rect${attrs} x="${n * (w + gap)}" width="${w}" height="34" rx="1"><title>${dayLabel(d.day)}: ${figure}</title></rect>`;
  });
  return html`<svg class="bars" viewBox="0 0 ${DAYS * (w + gap) - gap} 34" preserveAspectRatio="none" role="img" aria-label="Uptime over the last ${DAYS} days">${rects}</svg>`;
}

function componentRow(s: Snapshot, c: Component): Markup {
  const days = c.showcase ? uptimeDays(s, c) : [];
  const total = overallUptime(days);
  return html`<div class="component" data-component="${c.id}">
<div class="row"><span class="name">${c.name}</span><span class="status s-${c.status}">${componentLabel(c.status)}</span></div>
${c.description ? html`<div class="desc">${c.description}</div>` : ''}
${
  c.showcase
    ? html`${bars(days)}<div class="legend"><span>${DAYS} days ago</span><span class="pct">${total === null ? '' : `${percent(total)} uptime`}</span><span>Today</span></div>`
    : ''
}
</div>`;
}

function components(s: Snapshot): Markup {
  const shown = (c: Component) => !c.only_show_if_degraded || c.status !== 'operational';
  const top = s.components.filter((c) => c.group_id === null && shown(c));
  if (top.length === 0) return html``;
  return html`<h2>Components</h2><section class="card components">${top.map((c) =>
    c.group
      ? html`<div class="group"><div class="group-name"><span>${c.name}</span><span class="status s-${c.status}">${componentLabel(c.status)}</span></div>
${s.components.filter((m) => m.group_id === c.id && shown(m)).map((m) => componentRow(s, m))}</div>`
      : componentRow(s, c),
  )}</section>`;
}

/** A day's incidents in the history: those that began that day (maintenance once completed). */
function historyByDay(s: Snapshot): Map<string, StatusIncident[]> {
  const out = new Map<string, StatusIncident[]>();
  for (const i of s.incidents) {
    if (isMaintenance(i) && i.status !== 'completed') continue;
    const day = (i.scheduled_for ?? i.created_at).slice(0, 10);
    const list = out.get(day);
    if (list) list.push(i);
    else out.set(day, [i]);
  }
  return out;
}

/**
 * The last 90 days of incidents by day, newest first. The last week shows every day, as
 * Statuspage does; before that, days with incidents are shown and each run of quiet days is one
 * line, so 90 days stay a short read.
 */
function history(s: Snapshot): Markup {
  const today = Math.floor(s.now / DAY_MS) * DAY_MS;
  const byDay = historyByDay(s);
  const rows: Markup[] = [];
  let quiet: string[] = [];
  const flush = () => {
    if (quiet.length === 0) return;
    const [newest, oldest] = [quiet[0] as string, quiet.at(-1) as string];
    const span = quiet.length === 1 ? dayLabel(newest) : `${dayLabel(oldest)} – ${dayLabel(newest)}`;
    rows.push(html`<div class="day quiet"><h3>${span}</h3><p class="muted">No incidents reported.</p></div>`);
    quiet = [];
  };
  for (let n = 0; n < DAYS; n++) {
    const day = new Date(today - n * DAY_MS).toISOString().slice(0, 10);
    const on = byDay.get(day) ?? [];
    if (on.length === 0 && n >= EVERY_DAY) {
      quiet.push(day);
      continue;
    }
    flush();
    rows.push(
      html`<div class="day"><h3>${dayLabel(day)}</h3>${
        on.length === 0
          ? html`<p class="muted">No incidents reported.</p>`
          : on.map(
              (i) =>
                html`<p><a href="${s.prefix}/incidents/${i.id}${s.query}">${i.name}</a> <span class="muted">· ${statusLabel(i.status)}${isMaintenance(i) ? '' : ` · ${IMPACT_LABELS[i.impact]}`}</span></p>`,
            )
      }</div>`,
    );
  }
  flush();
  return html`<h2>Past incidents</h2><section class="card history">${rows}</section>`;
}

/** The subscribe form, on a page that takes subscribers; components as the page shows them. */
const subscribe = (s: Snapshot) =>
  s.subscribe ? subscribeForm(s.prefix, s.subscribe, s.components) : html``;

export function statusPage(s: Snapshot): string {
  const status = overallStatus(s);
  const active = unresolved(s);
  const maintenance = openMaintenances(s);
  const underWay = maintenance.some(isUnderWay);
  const tone = status.indicator === 'none' ? (underWay ? 'maint' : 'ok') : status.indicator;
  const body = html`<div class="banner ${tone}" role="status">${status.description}</div>
${active.length > 0 ? html`<h2>Active incidents</h2>${active.map((i) => incidentCard(s, i))}` : ''}
${maintenance.length > 0 ? html`<h2>Scheduled maintenance</h2>${maintenance.map((i) => incidentCard(s, i))}` : ''}
${components(s)}
${subscribe(s)}
${history(s)}`;
  return layout(s, `${s.page.name} Status`, body);
}

export function incidentPage(s: Snapshot, i: StatusIncident): string {
  const body = html`<p><a href="${s.prefix || '/'}${s.query}">← Current status</a></p>
<h2>${isMaintenance(i) ? 'Maintenance' : `Incident · ${IMPACT_LABELS[i.impact]} impact`}</h2>
${incidentCard(s, i, false)}
${subscribe(s)}`;
  return layout(s, `${i.name} · ${s.page.name} Status`, body);
}

export function errorPage(title: string, message: string): string {
  return `<!doctype html>\n${
    html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${title}</title><style>${raw(CSS)}</style></head>
<body><div class="wrap"><h1>${title}</h1><p>${message}</p></div></body></html>`.text
  }\n`;
}

export const notFoundPage = (message: string) => errorPage('Not found', message);
