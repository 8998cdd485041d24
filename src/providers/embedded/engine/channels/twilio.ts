/**
 * Twilio's REST API for the sms and phone channels: a form-encoded POST to a resource of the
 * account (`/2010-04-01/Accounts/{AccountSid}/Messages.json`, `…/Calls.json`) with basic auth.
 */
import { e164 } from '../../../../core/channels.js';
import { PermanentDeliveryError } from './channel.js';
import { at, deliver, type Explained, FORM, form, textAt } from './http.js';

export interface TwilioSettings {
  apiUrl: string;
  accountSid: string;
  authToken: string;
  /** The Twilio number messages and calls come from (E.164). */
  from: string;
}

/** Creates a Messages or Calls resource to `to` with `fields`; Twilio's refusals carry its message and code. */
export async function twilioCreate(
  settings: TwilioSettings,
  resource: 'Messages' | 'Calls',
  to: string,
  fields: Record<string, string>,
): Promise<void> {
  const number = e164(to);
  if (!number) throw new PermanentDeliveryError(`${to} is not an E.164 phone number`);
  const url = new URL(
    `/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/${resource}.json`,
    settings.apiUrl,
  );
  const auth = Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64');
  await deliver(url.toString(), form({ To: number, From: settings.from, ...fields }), {
    headers: { ...FORM, authorization: `Basic ${auth}` },
    explain: twilioError,
  });
}

/** Twilio's error answer: `{"code", "message", "more_info", "status"}`. */
function twilioError(body: unknown): Explained {
  const message = textAt(body, 'message');
  const code = at(body, 'code');
  return { message: message && (typeof code === 'number' ? `${message} (Twilio error ${code})` : message) };
}
