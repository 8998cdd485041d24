/**
 * The responder page a page's link opens: the incident at a glance and a form of buttons
 * (acknowledge, resolve, escalate, snooze), rendered on the server with the status pages'
 * escaping templates and stylesheet: no JavaScript, no outside assets, a phone first, light and
 * dark. Also the plain pages that say why a link does not open.
 */
import type { Incident, IncidentAlert, LogEntry } from '../../core/incidents.js';
import { CSS } from '../status/css.js';
import { html, type Markup, raw } from '../status/markup.js';
import { when } from '../status/text.js';

/** What the buttons do; the form's `action` field names one. */
export const ACTIONS = ['acknowledge', 'resolve', 'escalate', 'snooze'] as const;
export type Action = (typeof ACTIONS)[number];
/** Snooze lengths offered, in minutes. */
export const SNOOZE_MINUTES = [30, 60, 240] as const;

export interface ResponderView {
  incident: Incident;
  user: { id: string; name: string; time_zone?: string | undefined };
  alert?: IncidentAlert | undefined;
  /** The latest entries, oldest first; shown newest first. */
  timeline: readonly LogEntry[];
  /** The page's own path (`/r/<token>`), where its form posts. */
  path: string;
  /** The form token (CSRF) this render carries. */
  form: string;
  notice?: { ok: boolean; text: string } | undefined;
  now: number;
}

/** Added to the status pages' stylesheet: buttons a thumb can hit, a badge per status. */
const RESPONDER_CSS = `
.wrap{max-width:640px}
.badge{display:inline-block;padding:2px 10px;border-radius:999px;font-size:.8rem;font-weight:600;color:#fff;background:var(--critical)}
.badge.acknowledged{background:var(--minor);color:#1f1600}.badge.resolved{background:var(--ok)}
.facts{display:grid;grid-template-columns:auto 1fr;gap:2px 12px;margin:0}.facts dt{color:var(--muted)}.facts dd{margin:0}
.notice{border-radius:10px;padding:12px 14px;margin:16px 0;font-weight:600;background:var(--ok);color:#fff}
.notice.error{background:var(--critical)}
.actions{display:grid;grid-template-columns:1fr 1fr;gap:10px;margin:16px 0}
button{font:inherit;font-weight:600;min-height:48px;border-radius:10px;border:1px solid var(--line);background:var(--card);color:var(--text);cursor:pointer;width:100%}
button.primary{background:var(--link);border-color:var(--link);color:#fff}
.snooze{grid-column:1/-1;display:flex;gap:10px}.snooze select{font:inherit;min-height:48px;border-radius:10px;border:1px solid var(--line);background:var(--card);color:var(--text);padding:0 8px;flex:1}
.snooze button{flex:1}
.timeline{list-style:none;padding:0;margin:0}.timeline li{padding:6px 0;border-top:1px solid var(--line)}.timeline li:first-child{border-top:0}
pre{white-space:pre-wrap;margin:0;font-size:.85rem}
`;

function layout(title: string, body: Markup): string {
  return `<!doctype html>\n${
    html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<style>${raw(CSS + RESPONDER_CSS)}</style>
</head>
<body><main class="wrap">${body}</main></body>
</html>`.text
  }\n`;
}

/** "3 min", "2 h 5 min", "4 days". */
export function age(fromIso: string, now: number): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(fromIso)) / 60_000));
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  return `${Math.floor(minutes / 1440)} days`;
}

const snoozeLabel = (m: number) => (m < 60 ? `${m} minutes` : m === 60 ? '1 hour' : `${m / 60} hours`);

/** An alert's fields as the sender gave them; nested values as JSON, long ones cut. */
function alertFacts(a: IncidentAlert): [string, string][] {
  const { summary, source, severity, component, group, class: klass, custom_details } = a.body;
  const facts: [string, unknown][] = [
    ['Summary', summary],
    ['Severity', severity],
    ['Source', source],
    ['Component', component],
    ['Group', group],
    ['Class', klass],
  ];
  if (custom_details && typeof custom_details === 'object' && !Array.isArray(custom_details))
    facts.push(...Object.entries(custom_details as Record<string, unknown>).slice(0, 20));
  else if (custom_details !== undefined && custom_details !== null) facts.push(['Details', custom_details]);
  return facts
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => {
      const text = typeof v === 'string' ? v : JSON.stringify(v);
      return [k, text.length > 500 ? `${text.slice(0, 500)}…` : text];
    });
}

export function responderPage(v: ResponderView): string {
  const i = v.incident;
  const zone = v.user.time_zone ?? 'UTC';
  const open = i.status !== 'resolved';
  const others = i.assignments.map((a) =>
    a.assignee.id === v.user.id ? `${a.assignee.summary} (you)` : a.assignee.summary,
  );
  const acked = i.acknowledgements.map((a) => `${a.acknowledger.summary} at ${when(a.at, zone)}`);
  const button = (action: Action, label: string, primary = false) =>
    html`<button type="submit" name="action" value="${action}"${primary ? raw(' class="primary"') : ''}>${label}</button>`;
  const form = open
    ? html`<form method="post" action="${v.path}" class="actions">
<input type="hidden" name="csrf" value="${v.form}">
<input type="hidden" name="incident" value="${i.id}">
${i.status === 'triggered' ? button('acknowledge', 'Acknowledge', true) : ''}
${button('resolve', 'Resolve', i.status === 'acknowledged')}
${i.escalation_policy ? button('escalate', 'Escalate to the next level') : ''}
<div class="snooze"><select id="minutes" name="minutes" aria-label="Snooze for">${SNOOZE_MINUTES.map((m) => html`<option value="${m}"${m === 60 ? raw(' selected') : ''}>${snoozeLabel(m)}</option>`)}</select>
${button('snooze', 'Snooze')}</div>
</form>`
    : html`<p class="card">This incident is resolved${i.resolved_at ? html` (${when(i.resolved_at, zone)})` : ''}: there is nothing left to do here.</p>`;
  const recent = [...v.timeline].reverse();
  return layout(
    `#${i.incident_number} ${i.title}`,
    html`<header>
<p class="muted">Vigil incident #${i.incident_number} · for ${v.user.name}</p>
<h1>${i.title}</h1>
<p><span class="badge ${i.status}">${i.status}</span></p>
</header>
${v.notice ? html`<p class="notice${v.notice.ok ? '' : ' error'}" role="status">${v.notice.text}</p>` : ''}
${form}
<section class="card"><dl class="facts">
<dt>Service</dt><dd>${i.service.summary}</dd>
<dt>Urgency</dt><dd>${i.urgency}</dd>
<dt>Opened</dt><dd>${age(i.created_at, v.now)} ago (${when(i.created_at, zone)})</dd>
${i.snoozed_until ? html`<dt>Snoozed until</dt><dd>${when(i.snoozed_until, zone)}</dd>` : ''}
<dt>Paged</dt><dd>${others.length ? others.join(', ') : 'nobody now'}</dd>
${acked.length ? html`<dt>Acknowledged</dt><dd>${acked.join(', ')}</dd>` : ''}
</dl></section>
${i.description && i.description !== i.title ? html`<section class="card"><pre>${i.description}</pre></section>` : ''}
${
  v.alert
    ? html`<h2>Latest alert <span class="muted">${when(v.alert.created_at, zone)}</span></h2>
<section class="card"><dl class="facts">${alertFacts(v.alert).map(([k, t]) => html`<dt>${k}</dt><dd>${t}</dd>`)}</dl></section>`
    : ''
}
<h2>Timeline</h2>
<section class="card"><ol class="timeline">${recent.map(
      (e) =>
        html`<li><span class="muted">${when(e.created_at, zone)}</span> ${e.summary}${e.agent ? html` <span class="muted">— ${e.agent.summary}</span>` : ''}</li>`,
    )}</ol></section>`,
  );
}

/** A page saying, in a sentence, why the link does not open (expired, altered, gone). */
export function problemPage(title: string, sentence: string): string {
  return layout(
    title,
    html`<header><h1>${title}</h1></header>
<section class="card"><p>${sentence}</p></section>`,
  );
}
