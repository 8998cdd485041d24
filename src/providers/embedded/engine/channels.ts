/**
 * Notification channels, one strategy per contact method kind. A channel sends one message to one
 * address and throws on failure; retrying is the engine's.
 */
import { createHmac } from 'node:crypto';
import type { Transporter } from 'nodemailer';

export interface Notification {
  event: string;
  incident: {
    id: string;
    incident_number: number;
    title: string;
    status: string;
    urgency: string;
    service: { id: string; summary: string };
  };
  level: number;
  user: { id: string };
  sent_at: string;
  /** What to do about it, for people. */
  text: string;
  /** Where to look: the alert's client_url, when it sent one. */
  link?: string;
}

export interface Channel {
  send(target: { address: string; secret: string | null }, message: Notification): Promise<void>;
}

const TIMEOUT_MS = 10_000;

async function post(url: string, body: string, headers: Record<string, string>): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'vigil', ...headers },
    body,
    signal: AbortSignal.timeout(TIMEOUT_MS),
    redirect: 'error',
  });
  await res.body?.cancel();
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${new URL(url).host}`);
}

/** Signs `timestamp.body` with HMAC-SHA256, so a receiver can check origin and freshness. */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export const webhookChannel: Channel = {
  async send(target, message) {
    const body = JSON.stringify(message);
    const timestamp = String(Math.floor(Date.parse(message.sent_at) / 1000));
    const headers: Record<string, string> = {
      'x-vigil-event': message.event,
      'x-vigil-timestamp': timestamp,
    };
    if (target.secret) headers['x-vigil-signature'] = signature(target.secret, timestamp, body);
    await post(target.address, body, headers);
  },
};

/** Slack-compatible incoming webhooks (Slack, Mattermost, Rocket.Chat): a `text` message. */
export const slackChannel: Channel = {
  async send(target, message) {
    await post(target.address, JSON.stringify({ text: message.text }), {});
  },
};

/** Email over SMTP (`VIGIL_SMTP_URL`, through nodemailer): subject, what happened, what to do. */
export function emailChannel(smtpUrl: string, from: string): Channel {
  // nodemailer loads on the first email, not at start-up (it costs ~50 ms of every cold start).
  let transport: Promise<Transporter> | undefined;
  return {
    async send(target, message) {
      transport ??= import('nodemailer').then((m) => m.createTransport(smtpUrl));
      const { incident } = message;
      await (await transport).sendMail({
        from,
        to: target.address,
        subject: `[Vigil] #${incident.incident_number} ${incident.title}`,
        text: [
          `${incident.title}`,
          '',
          `Service: ${incident.service.summary}`,
          `Urgency: ${incident.urgency}`,
          `Status: ${incident.status}`,
          `Escalation level: ${message.level}`,
          ...(message.link ? [`Link: ${message.link}`] : []),
          '',
          'To acknowledge, ask your agent, or call the MCP tool:',
          `  acknowledge_incident {"incident_id": "${incident.id}"}`,
          '',
          `(${message.event} at ${message.sent_at})`,
        ].join('\n'),
      });
    },
  };
}

/** The channels this server can deliver through. */
export function channels(smtp: { url?: string | undefined; from: string }): Partial<Record<string, Channel>> {
  return {
    webhook: webhookChannel,
    slack: slackChannel,
    ...(smtp.url && { email: emailChannel(smtp.url, smtp.from) }),
  };
}
