/**
 * The sms channel: a text message through Twilio (`VIGIL_TWILIO_*`).
 */
import type { Channel } from './channel.js';
import { type TwilioSettings, twilioCreate } from './twilio.js';

/** Twilio's longest message body. */
const MAX_BODY = 1600;

/** A text message: the one-line page, with the responder link to acknowledge. */
export function smsChannel(settings: TwilioSettings): Channel {
  return {
    async send(target, message) {
      await twilioCreate(settings, 'Messages', target.address, { Body: message.text.slice(0, MAX_BODY) });
    },
  };
}
