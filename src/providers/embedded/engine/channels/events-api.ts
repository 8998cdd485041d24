/**
 * PagerDuty's Events API v2, for alert rules with a routing key (not a kind people or alert
 * channels choose: the rule's own delivery).
 */
import { type Channel, PermanentDeliveryError } from './channel.js';
import { request } from './http.js';

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
