/**
 * What a status-page subscriber receives: news of an incident or maintenance (by email in HTML
 * and plain text from the page's name, with RFC 8058 one-click unsubscribe headers and links to
 * manage or leave (one-click only on https, as RFC 8058 requires); by webhook as signed JSON; by chat as one line), and the emails about the
 * subscription itself (confirm it; it exists already). Every link is on the page's own address.
 */
import type { SubscriberRef } from '../../../core/status-subscriptions.js';
import type { DueDelivery } from '../store/deliveries-repo.js';
import type { SubscriberNotice } from '../store/status-subscriber-news.js';
import type { EmailParts } from './channels/channel.js';
import type { Outgoing } from './channels/index.js';

/** Where a subscriber's links go, made when its message is sent. */
export interface SubscriberLinks {
  /** The page's public address (its own domain when it has one), without a trailing slash. */
  page(page: SubscriberNotice['page']): string;
  /** A signed link token for the subscriber. */
  token(ref: SubscriberRef, purpose: 'confirm' | 'manage', now: number): string;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
/** One line: no line breaks or control characters reach a subject or a display name. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point.
const oneLine = (s: string) => s.replace(/[\u0000-\u001F\u007F]+/g, ' ').trim();
const label = (status: string) => {
  const s = status.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
};
const utc = (iso: string) => `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function headline(event: string, n: SubscriberNotice): string {
  const i = n.incident;
  const name = i?.name ?? '';
  switch (event) {
    case 'subscription_confirmation':
      return `Confirm your subscription to ${n.page.name}`;
    case 'subscription_exists':
      return `Your subscription to ${n.page.name}`;
    case 'incident_created':
      return `Incident: ${name}`;
    case 'incident_resolved':
      return `Resolved: ${name}`;
    case 'maintenance_scheduled':
      return `Scheduled maintenance: ${name}`;
    case 'maintenance_reminder':
      return `Reminder: maintenance ${name} starts ${utc(i?.scheduled_for ?? new Date(0).toISOString())}`;
    case 'maintenance_started':
      return `Maintenance in progress: ${name}`;
    case 'maintenance_completed':
      return `Maintenance completed: ${name}`;
    default:
      return `${label(n.update?.status ?? i?.status ?? 'update')}: ${name}`;
  }
}

/** The message for a claimed subscriber delivery. */
export function subscriberMessage(
  d: DueDelivery,
  n: SubscriberNotice,
  sentAt: string,
  links: SubscriberLinks,
  now: number,
): Outgoing {
  const base = links.page(n.page);
  const ref = { id: n.subscriber.id, key: n.subscriber.link_key };
  const manageToken = links.token(ref, 'manage', now);
  const manage = `${base}/manage/${manageToken}`;
  const unsubscribe = `${base}/unsubscribe/${manageToken}`;
  const title = oneLine(headline(d.event, n));
  const subject = `[${oneLine(n.page.name)}] ${title}`;
  const fromName = oneLine(n.page.name);
  if (d.event === 'subscription_confirmation' || d.event === 'subscription_exists') {
    const confirm = `${base}/confirm/${links.token(ref, 'confirm', now)}`;
    const confirming = d.event === 'subscription_confirmation';
    const lines = confirming
      ? [
          `Someone, probably you, asked to be told by email of incidents and maintenance on ${n.page.name}.`,
          '',
          'To confirm, open this link within 48 hours and press Confirm:',
          confirm,
          '',
          'If it was not you, ignore this message: nothing will be sent to this address, and it is forgotten in seven days.',
        ]
      : [
          `This address already receives updates from ${n.page.name}. Someone asked to subscribe it again, so nothing changed.`,
          '',
          'To choose components or unsubscribe:',
          manage,
        ];
    const link = confirming ? confirm : manage;
    const html = page(
      n.page.name,
      title,
      `<p>${esc(lines[0] as string)}</p><p><a href="${esc(link)}" style="display:inline-block;padding:10px 18px;border-radius:8px;background:#2457c5;color:#fff;text-decoration:none;font-weight:600">${confirming ? 'Confirm subscription' : 'Manage subscription'}</a></p>${confirming ? `<p style="color:#636b7a;font-size:13px">${esc(lines.at(-1) as string)}</p>` : ''}`,
    );
    return message(d, sentAt, {
      subject,
      title,
      text: title,
      body: lines.join('\n'),
      // A webhook added from the page learns its signing secret here: only its owner reads this.
      payload: {
        event: d.event,
        page: { id: n.page.id, name: n.page.name, url: base },
        ...(confirming ? { confirm_url: confirm } : { manage_url: manage }),
        ...(confirming && d.kind === 'webhook' && d.secret && { signing_secret: d.secret }),
        sent_at: sentAt,
      },
      email: { html, fromName, headers: {} },
    });
  }
  const i = n.incident as NonNullable<SubscriberNotice['incident']>;
  const incidentUrl = `${base}/incidents/${i.id}`;
  const body = n.update?.body ?? '';
  const status = n.update?.status ?? i.status;
  const when = n.update?.created_at ?? sentAt;
  const maintenance = i.scheduled_for !== null;
  const window =
    maintenance && i.scheduled_until
      ? `Scheduled: ${utc(i.scheduled_for as string)} – ${utc(i.scheduled_until)}`
      : undefined;
  const affected = n.components.map((c) => `${c.name}: ${label(c.status)}`);
  const text = [
    title,
    '',
    ...(body ? [body, ''] : []),
    ...(window ? [window] : []),
    `Status: ${label(status)} (${utc(when)})`,
    ...(affected.length ? ['', 'Affected components:', ...affected.map((a) => `  - ${a}`)] : []),
    '',
    `Details: ${incidentUrl}`,
    '',
    '--',
    `You receive this because you subscribed to ${n.page.name} (${base}).`,
    `Choose components: ${manage}`,
    `Unsubscribe: ${unsubscribe}`,
  ].join('\n');
  const html = page(
    n.page.name,
    title,
    `${body ? `<p style="white-space:pre-wrap">${esc(body)}</p>` : ''}${window ? `<p>${esc(window)}</p>` : ''}<p><strong>${esc(label(status))}</strong> <span style="color:#636b7a">${esc(utc(when))}</span></p>${
      affected.length
        ? `<p style="margin-bottom:4px">Affected components:</p><ul style="margin-top:0">${affected.map((a) => `<li>${esc(a)}</li>`).join('')}</ul>`
        : ''
    }<p><a href="${esc(incidentUrl)}">View on ${esc(n.page.name)}</a></p>`,
    `You receive this because you subscribed to <a href="${esc(base)}">${esc(n.page.name)}</a>. <a href="${esc(manage)}">Choose components</a> · <a href="${esc(unsubscribe)}">Unsubscribe</a>`,
  );
  const payload = {
    event: d.event,
    page: { id: n.page.id, name: n.page.name, url: base },
    incident: {
      id: i.id,
      name: i.name,
      status: i.status,
      impact: i.impact,
      url: incidentUrl,
      scheduled_for: i.scheduled_for,
      scheduled_until: i.scheduled_until,
      components: n.components,
    },
    incident_update: n.update ?? null,
    unsubscribe_url: unsubscribe,
    sent_at: sentAt,
  };
  return message(d, sentAt, {
    subject,
    title,
    text: `[${n.page.name}] ${title}${body ? ` — ${body}` : ''} ${incidentUrl}`,
    body: text,
    payload,
    // No `link`: chat channels make it an Acknowledge button, which is for responders, not subscribers.
    fields: [
      { name: 'Status', value: label(status) },
      ...(affected.length ? [{ name: 'Components', value: affected.join(', ') }] : []),
      ...(body ? [{ name: 'Update', value: body }] : []),
      { name: 'Details', value: incidentUrl },
    ],
    email: {
      html,
      fromName,
      // RFC 8058: the mail client unsubscribes with one POST to this address, no page in between.
      // One-click needs an https address; on plain http only RFC 2369's link is offered.
      headers: {
        'List-Unsubscribe': `<${unsubscribe}>`,
        ...(unsubscribe.startsWith('https://') && { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }),
      },
    },
  });
}

function message(
  d: DueDelivery,
  sentAt: string,
  m: {
    subject: string;
    title: string;
    text: string;
    body: string;
    payload: object;
    email: EmailParts;
    fields?: { name: string; value: string }[];
  },
): Outgoing & { email: EmailParts } {
  return {
    id: d.id,
    event: d.event,
    sent_at: sentAt,
    payload: m.payload,
    text: m.text,
    subject: m.subject,
    body: m.body,
    // For cards and embeds (Teams, Discord); news for customers interrupts nobody.
    title: m.title,
    urgency: 'low',
    fields: m.fields ?? [],
    speech: m.title,
    email: m.email,
  };
}

function page(name: string, title: string, main: string, footer = ''): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title></head><body style="margin:0;background:#f6f7f9;color:#1f2430;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif"><div style="max-width:600px;margin:0 auto;padding:24px 16px"><div style="font-weight:700;font-size:18px;margin-bottom:12px">${esc(name)}</div><div style="background:#fff;border:1px solid #e3e6eb;border-radius:10px;padding:16px 18px"><h1 style="font-size:17px;margin:0 0 10px">${esc(title)}</h1>${main}</div>${footer ? `<p style="color:#636b7a;font-size:13px;margin-top:16px">${footer}</p>` : ''}</div></body></html>`;
}
