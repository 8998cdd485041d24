/**
 * The phone channel: a voice call through Twilio (`VIGIL_TWILIO_*`) that reads the incident out
 * and says how to acknowledge.
 */
import type { Channel } from './channel.js';
import { escapeMarkup } from './format.js';
import { type TwilioSettings, twilioCreate } from './twilio.js';

/** A call whose TwiML says the message twice, a pause between, so a half-woken listener hears it. */
export function phoneChannel(settings: TwilioSettings): Channel {
  return {
    async send(target, message) {
      await twilioCreate(settings, 'Calls', target.address, { Twiml: twiml(message.speech) });
    },
  };
}

/** What each of the call's two `<Say>`s may hold, escaped: Twilio takes 4,000 characters of TwiML. */
const SAY_MAX = 1900;

/** `<Response>` saying `speech` twice, XML-escaped and cut (never inside a reference) to fit. */
export function twiml(speech: string): string {
  let text = '';
  for (const c of speech) {
    const escaped = escapeMarkup(c);
    if (text.length + escaped.length > SAY_MAX) break;
    text += escaped;
  }
  const said = `<Say>${text}</Say>`;
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${said}<Pause length="1"/>${said}</Response>`;
}
