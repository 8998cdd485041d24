/**
 * What a delivery says, for every kind of channel: a page to a person about an incident, an
 * alert notification, an on-call handoff notice, or an Events API event whose body was built
 * when it was queued.
 */
import type { DueDelivery } from '../store/deliveries-repo.js';
import { HANDOFF_EVENT, type HandoffNotice } from '../store/handoff-notices.js';
import type { Outgoing } from './channels/index.js';

/** The address of the responder page for an incident and the person paged (see core/responder-token.ts). */
export type ResponderLink = (incidentId: string, userId: string) => string;

/**
 * The message of a claimed delivery; undefined when what it is about no longer exists. A page to
 * a person carries `link`'s address for them, where one tap acknowledges.
 */
export function messageOf(d: DueDelivery, sentAt: string, link?: ResponderLink): Outgoing | undefined {
  if (d.event === HANDOFF_EVENT && d.body !== null) return handoffMessage(d, JSON.parse(d.body), sentAt);
  if (d.body !== null) return eventMessage(d, d.body, sentAt);
  if (d.incident) return incidentMessage(d, d.incident, sentAt, link);
  if (d.alert) return alertMessage(d, d.alert, sentAt);
  return undefined;
}

function incidentMessage(
  d: DueDelivery,
  i: NonNullable<DueDelivery['incident']>,
  sentAt: string,
  link: ResponderLink | undefined,
): Outgoing {
  const incidentId = d.incident_id as string;
  const level = (d.level ?? 0) + 1;
  const respond = link && d.user_id ? link(incidentId, d.user_id) : undefined;
  const text = `[#${i.number}] ${i.title} (${i.service_name}, ${i.urgency} urgency) — ${
    respond
      ? `acknowledge: ${respond}`
      : `acknowledge with acknowledge_incident {"incident_id": "${incidentId}"}`
  }`;
  return {
    id: d.id,
    event: d.event,
    sent_at: sentAt,
    text,
    payload: {
      event: d.event,
      incident: {
        id: incidentId,
        incident_number: i.number,
        title: i.title,
        status: i.status,
        urgency: i.urgency,
        service: { id: i.service_id, summary: i.service_name },
      },
      level,
      user: { id: d.user_id },
      sent_at: sentAt,
      ...(i.client_url && { link: i.client_url }),
      ...(respond && { respond_url: respond }),
      text,
    },
    subject: `[Vigil] #${i.number} ${i.title}`,
    title: `[#${i.number}] ${i.title}`,
    urgency: i.urgency === 'low' ? 'low' : 'high',
    fields: [
      { name: 'Service', value: i.service_name },
      { name: 'Urgency', value: i.urgency },
      { name: 'Status', value: i.status },
      { name: 'Escalation level', value: String(level) },
    ],
    ...(respond && { link: respond }),
    incident: { id: incidentId, userId: d.user_id ?? undefined, respondUrl: respond },
    speech: [
      `This is Vigil, paging you about incident ${i.number}: ${i.title}.`,
      `Service ${i.service_name}, ${i.urgency} urgency, ${i.status}.`,
      respond
        ? 'To acknowledge, open the link in the text message or email we sent you, or ask your agent to acknowledge it.'
        : `To acknowledge, ask your agent to acknowledge incident ${i.number}.`,
    ].join(' '),
    body: [
      i.title,
      '',
      `Service: ${i.service_name}`,
      `Urgency: ${i.urgency}`,
      `Status: ${i.status}`,
      `Escalation level: ${level}`,
      ...(i.client_url ? [`Link: ${i.client_url}`] : []),
      '',
      ...(respond ? ['Acknowledge, resolve, escalate or snooze (one tap):', `  ${respond}`, ''] : []),
      'To acknowledge, ask your agent, or call the MCP tool:',
      `  acknowledge_incident {"incident_id": "${incidentId}"}`,
      '',
      `(${d.event} at ${sentAt})`,
    ].join('\n'),
  };
}

function alertMessage(d: DueDelivery, a: NonNullable<DueDelivery['alert']>, sentAt: string): Outgoing {
  const fired = d.event === 'alert_fired';
  const headline = `[${a.severity}] ${fired ? 'Alert' : 'Resolved'}: ${a.description}`;
  return {
    id: d.id,
    event: d.event,
    sent_at: sentAt,
    text: headline,
    payload: {
      event: d.event,
      alert: {
        id: d.alert_id,
        rule_id: a.rule_id,
        rule_name: a.rule_name,
        severity: a.severity,
        description: a.description,
        fired_at: new Date(a.fired_at).toISOString(),
        check_id: a.check_id,
        heartbeat_id: a.heartbeat_id,
        incident_id: a.incident_id,
      },
      sent_at: sentAt,
      text: headline,
    },
    subject: `[Vigil] ${headline}`,
    title: headline,
    urgency: a.severity === 'high' || a.severity === 'critical' ? 'high' : 'low',
    fields: [
      { name: 'Rule', value: a.rule_name },
      { name: 'Severity', value: a.severity },
      ...(a.check_id ? [{ name: 'Check', value: a.check_id }] : []),
      ...(a.heartbeat_id ? [{ name: 'Heartbeat', value: a.heartbeat_id }] : []),
      ...(a.incident_id ? [{ name: 'Incident', value: a.incident_id }] : []),
    ],
    // Buttons act on the alert's incident; an alert channel's message names no person.
    ...(a.incident_id && fired && { incident: { id: a.incident_id } }),
    speech: `This is Vigil. ${fired ? 'Alert' : 'Resolved'}, ${a.severity} severity: ${a.description}. Rule ${a.rule_name}.`,
    body: [
      headline,
      '',
      `Rule: ${a.rule_name}`,
      ...(a.check_id ? [`Check: ${a.check_id}`] : []),
      ...(a.heartbeat_id ? [`Heartbeat: ${a.heartbeat_id}`] : []),
      ...(a.incident_id
        ? [`Incident: ${a.incident_id} (get_incidents {"incident_id": "${a.incident_id}"})`]
        : []),
      '',
      `(${d.event} at ${sentAt})`,
    ].join('\n'),
  };
}

/** An on-call handoff notice (store/handoff-notices.ts): its text was written when it was queued. */
function handoffMessage(d: DueDelivery, n: HandoffNotice, sentAt: string): Outgoing {
  const policies = n.escalation_policies.map((p) => p.name).join(', ');
  return {
    id: d.id,
    event: d.event,
    sent_at: sentAt,
    payload: { event: d.event, ...n, sent_at: sentAt },
    text: n.text,
    subject: `[Vigil] ${n.text}`,
    body: [
      n.text,
      '',
      `Schedule: ${n.schedule.name}`,
      ...(policies ? [`Escalation policies: ${policies}`] : []),
      '',
      'To see who else is on call, ask your agent, or call the MCP tool:',
      `  get_oncalls {"current_user_context": false, "schedule_ids": ["${n.schedule.id}"]}`,
      '',
      `(${d.event} at ${sentAt})`,
    ].join('\n'),
    title: n.edge === 'oncall' ? `On call: ${n.schedule.name}` : `Off call: ${n.schedule.name}`,
    urgency: 'low',
    fields: [
      { name: 'Schedule', value: n.schedule.name },
      ...(policies ? [{ name: 'Escalation policies', value: policies }] : []),
    ],
    speech: `This is Vigil. ${n.text}`,
  };
}

/** An Events API v2 event: only its payload is sent (the events channel adds the routing key). */
function eventMessage(d: DueDelivery, body: string, sentAt: string): Outgoing {
  return {
    id: d.id,
    event: d.event,
    sent_at: sentAt,
    payload: JSON.parse(body),
    text: body,
    subject: d.event,
    body,
    title: d.event,
    urgency: 'high',
    fields: [],
    speech: d.event,
  };
}
