/**
 * Notification channels, one strategy per contact method kind. A channel sends one message to one
 * address and throws on failure; retrying is the engine's.
 */
import { createHmac } from 'node:crypto';

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

export const CHANNELS: Partial<Record<string, Channel>> = { webhook: webhookChannel, slack: slackChannel };
