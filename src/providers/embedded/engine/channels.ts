/**
 * Notification channels, one strategy per contact method kind. A channel sends one message to one
 * address and throws on failure; retrying is the engine's.
 */
import { createHmac } from 'node:crypto';
import type { Transporter } from 'nodemailer';

/** One message, ready for every kind of channel. */
export interface Outgoing {
  event: string;
  sent_at: string;
  /** The JSON body a webhook receives. */
  payload: object;
  /** One line, for chat. */
  text: string;
  /** Email: its subject and plain-text body. */
  subject: string;
  body: string;
}

export interface Channel {
  send(target: { address: string; secret: string | null }, message: Outgoing): Promise<void>;
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
    const body = JSON.stringify(message.payload);
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

/** Email over SMTP (`VIGIL_SMTP_URL`, through nodemailer). */
export function emailChannel(smtpUrl: string, from: string): Channel {
  // nodemailer loads on the first email, not at start-up (it costs ~50 ms of every cold start).
  let transport: Promise<Transporter> | undefined;
  return {
    async send(target, message) {
      transport ??= import('nodemailer').then((m) => m.createTransport(smtpUrl));
      await (await transport).sendMail({
        from,
        to: target.address,
        subject: message.subject,
        text: message.body,
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
