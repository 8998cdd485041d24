/**
 * Notification channels, one strategy per contact method kind. A channel sends one message to one
 * address and throws on failure; retrying is the engine's.
 */
import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Transporter } from 'nodemailer';
import { checkLiteral, guardedLookup } from '../checks/target-guard.js';
import { EVENTS_API_KIND } from '../store/schema.js';

/** One message, ready for every kind of channel. */
export interface Outgoing {
  /** The delivery's id: the same on every attempt and every node, so a receiver drops repeats by it. */
  id: string;
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

/** A failure that retrying cannot mend (the receiver refused the message itself): recorded at once. */
export class PermanentDeliveryError extends Error {}

/** How much of an answer's body is read, for its error message. */
const MAX_ANSWER_BYTES = 16 * 1024;

/**
 * POSTs JSON and answers the status and the start of the body. Cloud metadata addresses are
 * refused (a webhook URL is user input), judged on the address at connect time as checks are;
 * redirects are not followed.
 */
function request(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
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
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (text.length < MAX_ANSWER_BYTES) text += chunk;
      });
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.end(body);
  });
}

/** POSTs JSON; a non-2xx answer is a failure. */
async function post(url: string, body: string, headers: Record<string, string>): Promise<void> {
  const { status } = await request(url, body, headers);
  if (status < 200 || status >= 300) throw new Error(`HTTP ${status} from ${new URL(url).host}`);
}

/**
 * The Standard Webhooks signature of a message: `v1,` and the base64 HMAC-SHA256 of
 * `id.timestamp.body`, keyed with the secret's bytes (base64 after its `whsec_` prefix), so the
 * ordinary Standard Webhooks libraries verify it.
 */
export function signature(secret: string, id: string, timestamp: string, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** Webhooks as Standard Webhooks describes them: `webhook-id`, `webhook-timestamp`, `webhook-signature`. */
export const webhookChannel: Channel = {
  async send(target, message) {
    const body = JSON.stringify(message.payload);
    // This attempt's own time, by the wall clock: receivers refuse a stale one (replay protection).
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      'webhook-id': message.id,
      'webhook-timestamp': timestamp,
      'x-vigil-event': message.event,
    };
    if (target.secret) headers['webhook-signature'] = signature(target.secret, message.id, timestamp, body);
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

/**
 * PagerDuty's Events API v2: the message's payload is the event, the address its routing key.
 * 202 is success; 429, 5xx and no answer are retried; any other refusal (400: the event is
 * invalid, PagerDuty says why) would be refused again, so it fails for good with PagerDuty's words.
 * The URL is the operator's (PAGERDUTY_EVENTS_URL), so private and loopback relays are fine;
 * metadata addresses are still refused, as for webhooks: no events endpoint lives there.
 */
export function eventsApiChannel(eventsUrl: string): Channel {
  const host = new URL(eventsUrl).host;
  return {
    async send(target, message) {
      const body = JSON.stringify({ routing_key: target.address, ...message.payload });
      const { status, text } = await request(eventsUrl, body, {});
      if (status >= 200 && status < 300) return;
      const why = eventsApiMessage(text);
      if (status === 408 || status === 429 || status >= 500) {
        throw new Error(`HTTP ${status} from ${host}${why ? `: ${why}` : ''}`);
      }
      throw new PermanentDeliveryError(`${host} refused the event (HTTP ${status})${why ? `: ${why}` : ''}`);
    },
  };
}

/** PagerDuty's explanation in an error answer: its message and errors, else the text itself. */
function eventsApiMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown; errors?: unknown };
    const errors = Array.isArray(body.errors) ? body.errors.filter((e) => typeof e === 'string') : [];
    const parts = [
      typeof body.message === 'string' ? body.message : undefined,
      errors.join('; ') || undefined,
    ];
    const said = parts.filter(Boolean).join(': ');
    if (said) return said;
  } catch {
    // not JSON: the text as it is
  }
  return text.trim().slice(0, 300);
}

/** The channels this server can deliver through. */
export function channels(
  smtp: { url?: string | undefined; from: string },
  eventsUrl: string,
): Partial<Record<string, Channel>> {
  return {
    webhook: webhookChannel,
    slack: slackChannel,
    ...(smtp.url && { email: emailChannel(smtp.url, smtp.from) }),
    [EVENTS_API_KIND]: eventsApiChannel(eventsUrl),
  };
}
