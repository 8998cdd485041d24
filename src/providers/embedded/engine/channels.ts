/**
 * Notification channels, one strategy per contact method kind. A channel sends one message to one
 * address and throws on failure; retrying is the engine's.
 */
import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Transporter } from 'nodemailer';
import { checkLiteral, guardedLookup } from '../checks/target-guard.js';

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

/**
 * POSTs JSON; a non-2xx answer is a failure. Cloud metadata addresses are refused (a webhook URL
 * is user input), judged on the address at connect time as checks are; redirects are not followed.
 */
function post(url: string, body: string, headers: Record<string, string>): Promise<void> {
  const target = new URL(url);
  checkLiteral(target.hostname, false);
  return new Promise((resolve, reject) => {
    const req = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'vigil', ...headers },
      lookup: guardedLookup(false) as never,
      timeout: TIMEOUT_MS,
    });
    req.on('timeout', () =>
      req.destroy(new Error(`No answer from ${target.host} within ${TIMEOUT_MS / 1000} s`)),
    );
    req.on('error', reject);
    req.on('response', (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) resolve();
      else reject(new Error(`HTTP ${status} from ${target.host}`));
    });
    req.end(body);
  });
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
