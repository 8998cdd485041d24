/**
 * The pushover channel: a push notification through Pushover's Messages API to a user or group
 * key, from the application token `VIGIL_PUSHOVER_TOKEN`.
 */
import type { Channel } from './channel.js';
import { factLines } from './format.js';
import { at, deliver, type Explained, FORM, form, textAt } from './http.js';

/** An emergency notification repeats every RETRY_S until acknowledged in Pushover, for EXPIRE_S. */
const RETRY_S = 60;
const EXPIRE_S = 3600;

/**
 * Pushover (`POST /1/messages.json`, form-encoded): high urgency is an emergency (priority 2,
 * repeating every minute for an hour until acknowledged in the app), anything else priority 0.
 * The responder page is the message's supplementary URL.
 */
export function pushoverChannel(settings: { apiUrl: string; token: string }): Channel {
  const endpoint = new URL('/1/messages.json', settings.apiUrl).toString();
  return {
    async send(target, m) {
      const emergency = m.urgency === 'high';
      const body = form({
        token: settings.token,
        user: target.address,
        title: m.title.slice(0, 250),
        message: factLines(m).slice(0, 1024),
        url: m.link,
        url_title: m.link && 'Acknowledge',
        priority: emergency ? 2 : 0,
        retry: emergency ? RETRY_S : undefined,
        expire: emergency ? EXPIRE_S : undefined,
        timestamp: Math.floor(Date.parse(m.sent_at) / 1000),
      });
      await deliver(endpoint, body, { headers: FORM, explain: pushoverError });
    },
  };
}

/** Pushover's error answer: `{"status": 0, "errors": [...], "<field>": "invalid"}`. */
function pushoverError(body: unknown): Explained {
  const errors = at(body, 'errors');
  const list = Array.isArray(errors) ? errors.filter((e) => typeof e === 'string') : [];
  return { message: list.join('; ') || textAt(body, 'message') };
}
