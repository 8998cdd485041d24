/**
 * The email channel: the subject and plain-text body over SMTP.
 */
import type { Transporter } from 'nodemailer';
import type { Channel } from './channel.js';

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
