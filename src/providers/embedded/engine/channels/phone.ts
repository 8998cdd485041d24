/**
 * The phone channel: a voice call through Twilio (`VIGIL_TWILIO_*`) that reads the incident out
 * and says how to acknowledge.
 */
import type { Channel } from './channel.js';
import { type TwilioSettings, twilioCreate } from './twilio.js';

/** A call whose TwiML says the message twice, a pause between, so a half-woken listener hears it. */
export function phoneChannel(settings: TwilioSettings): Channel {
  return {
    async send(target, message) {
      await twilioCreate(settings, 'Calls', target.address, { Twiml: twiml(message.speech) });
    },
  };
}

/** `<Response>` saying `speech` (XML-escaped; cut to fit Twilio's 4,000-character TwiML) twice. */
export function twiml(speech: string): string {
  const said = `<Say>${speech.slice(0, 1500).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}</Say>`;
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${said}<Pause length="1"/>${said}</Response>`;
}
