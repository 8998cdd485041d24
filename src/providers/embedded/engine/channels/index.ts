/**
 * The senders this server delivers through, one per channel kind (see core/channels.ts for what
 * else a kind is). A kind without a sender here is kept and recorded `unsupported`.
 */
import type { ChannelKindName } from '../../../../core/channels.js';
import { EVENTS_API_KIND } from '../../store/schema.js';
import type { Channel } from './channel.js';
import { emailChannel } from './email.js';
import { eventsApiChannel } from './events-api.js';
import { slackChannel } from './slack.js';
import { webhookChannel } from './webhook.js';

export type { Channel, Outgoing } from './channel.js';
export { PermanentDeliveryError } from './channel.js';

export function channels(
  smtp: { url?: string | undefined; from: string },
  eventsUrl: string,
): Partial<Record<ChannelKindName | typeof EVENTS_API_KIND, Channel>> {
  return {
    webhook: webhookChannel,
    slack: slackChannel,
    ...(smtp.url && { email: emailChannel(smtp.url, smtp.from) }),
    [EVENTS_API_KIND]: eventsApiChannel(eventsUrl),
  };
}
