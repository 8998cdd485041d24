/**
 * PagerDuty's Events API v2, for alert rules with a routing key (not a kind people or alert
 * channels choose: the rule's own delivery).
 */
import type { Channel } from './channel.js';
import { deliver, type Explained, joined } from './http.js';

/**
 * PagerDuty's Events API v2: the message's payload is the event, the address its routing key.
 * 202 is success; 429, 5xx and no answer are retried (after the `Retry-After` PagerDuty gives);
 * any other refusal (400: the event is invalid, PagerDuty says why) would be refused again, so it
 * fails for good with PagerDuty's words. The URL is the operator's (PAGERDUTY_EVENTS_URL), so
 * private and loopback relays are fine; metadata addresses are still refused, as for webhooks:
 * no events endpoint lives there.
 */
export function eventsApiChannel(eventsUrl: string): Channel {
  return {
    async send(target, message) {
      const body = JSON.stringify({ routing_key: target.address, ...message.payload });
      await deliver(eventsUrl, body, { explain: eventsApiError, refused: 'event' });
    },
  };
}

/** PagerDuty's explanation in an error answer: its message, then its errors. */
function eventsApiError(body: unknown): Explained {
  const { message, errors } = (body ?? {}) as { message?: unknown; errors?: unknown };
  const listed = Array.isArray(errors) ? errors.filter((e): e is string => typeof e === 'string') : [];
  return {
    message: joined(typeof message === 'string' ? message : undefined, listed.join('; ') || undefined),
  };
}
