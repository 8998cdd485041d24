/**
 * The webhook channel: signed JSON, as Standard Webhooks describes it.
 */
import { createHmac } from 'node:crypto';
import type { Channel } from './channel.js';
import { post } from './http.js';

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
