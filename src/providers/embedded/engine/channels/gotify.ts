/**
 * The gotify channel: a message to a Gotify server (`POST /message`), with its application token
 * from the address (`?token=`) or the method's secret.
 */
import { type Channel, PermanentDeliveryError } from './channel.js';
import { factLines } from './format.js';
import { deliver, type Explained, joined, textAt } from './http.js';

/**
 * Gotify: the token goes in the `X-Gotify-Key` header (never in the URL sent, which proxies
 * log); high urgency is priority 8 (Gotify's "high" range), else 4. The responder page opens
 * when the notification is tapped (`client::notification.click`).
 */
export const gotifyChannel: Channel = {
  async send(target, m) {
    const url = new URL(target.address);
    const token = url.searchParams.get('token') ?? target.secret;
    if (!token) throw new PermanentDeliveryError(`No Gotify app token for ${url.host}`);
    url.searchParams.delete('token');
    if (!url.pathname.endsWith('/message')) url.pathname = `${url.pathname.replace(/\/+$/, '')}/message`;
    const body = {
      title: m.title,
      message: factLines(m),
      priority: m.urgency === 'high' ? 8 : 4,
      extras: {
        'client::display': { contentType: 'text/plain' },
        ...(m.link && { 'client::notification': { click: { url: m.link } } }),
      },
    };
    await deliver(url.toString(), JSON.stringify(body), {
      headers: { 'x-gotify-key': token },
      explain: gotifyError,
    });
  },
};

/** Gotify's error answer: `{"error", "errorCode", "errorDescription"}`. */
function gotifyError(body: unknown): Explained {
  return { message: joined(textAt(body, 'error'), textAt(body, 'errorDescription')) };
}
