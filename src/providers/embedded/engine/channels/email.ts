/**
 * The email channel: the subject and plain-text body over SMTP, with an HTML part, the sender's
 * display name and extra headers when the message carries them (status-page subscribers' mail).
 * A mail server that refuses the address itself (a 5xx to RCPT TO) fails the delivery for good as
 * an AddressRejectedError, which suspends a subscriber.
 */
import type { Transporter } from 'nodemailer';
import { type Channel, PermanentDeliveryError } from './channel.js';

/** The mail server refused the recipient's address (5xx): retrying will not change its mind. */
export class AddressRejectedError extends PermanentDeliveryError {}

/** Connections kept open to the mail server: a burst of subscriber mail shares them. */
const POOL = { pool: true, maxConnections: 20, maxMessages: Number.POSITIVE_INFINITY };
/** The pool closes after this long without mail, so no idle connection outlives its use. */
const IDLE_MS = 1000;

/** The address in a `Name <address>` sender, or the whole when it has no brackets. */
const addressOf = (from: string) => /<([^>]+)>\s*$/.exec(from)?.[1] ?? from.trim();

/** Email over SMTP (`VIGIL_SMTP_URL`, through nodemailer). */
export function emailChannel(smtpUrl: string, from: string): Channel {
  // nodemailer loads on the first email, not at start-up (it costs ~50 ms of every cold start).
  let transport: Promise<Transporter> | undefined;
  let sending = 0;
  let idle: NodeJS.Timeout | undefined;
  const done = () => {
    if (--sending > 0) return;
    clearTimeout(idle);
    idle = setTimeout(() => {
      const closing = transport;
      transport = undefined;
      void closing?.then((t) => t.close());
    }, IDLE_MS);
    idle.unref();
  };
  return {
    async send(target, message) {
      clearTimeout(idle);
      sending++;
      transport ??= import('nodemailer').then((m) => m.createTransport({ url: smtpUrl, ...POOL } as never));
      const extra = message.email;
      try {
        await (await transport).sendMail({
          from: extra?.fromName ? { name: extra.fromName, address: addressOf(from) } : from,
          to: target.address,
          subject: message.subject,
          text: message.body,
          ...(extra?.html && { html: extra.html }),
          ...(extra && { headers: extra.headers }),
        });
      } catch (err) {
        const e = err as { responseCode?: number; code?: string; message?: string };
        const code = e.responseCode ?? 0;
        if (code >= 500 && code < 600) {
          const why = `${code} from the mail server: ${String(e.message).slice(0, 300)}`;
          if (e.code === 'EENVELOPE') throw new AddressRejectedError(`${target.address} refused (${why})`);
          throw new PermanentDeliveryError(why);
        }
        throw err;
      } finally {
        done();
      }
    },
  };
}
