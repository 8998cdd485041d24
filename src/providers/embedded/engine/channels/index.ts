/**
 * The senders this server delivers through, one per channel kind (see core/channels.ts for what
 * else a kind is). A kind without a sender here is kept and recorded `unsupported`.
 */
import type { ChannelKindName } from '../../../../core/channels.js';
import type { ChatButtons } from '../../../../core/chat-action.js';
import type { Config } from '../../../../core/config.js';
import { EVENTS_API_KIND } from '../../store/schema.js';
import type { Channel } from './channel.js';
import { discordChannel } from './discord.js';
import { emailChannel } from './email.js';
import { eventsApiChannel } from './events-api.js';
import { googleChatChannel } from './google-chat.js';
import { gotifyChannel } from './gotify.js';
import { matrixChannel } from './matrix.js';
import { mattermostChannel } from './mattermost.js';
import { microsoftTeamsChannel } from './microsoft-teams.js';
import { ntfyChannel } from './ntfy.js';
import { phoneChannel } from './phone.js';
import { pushoverChannel } from './pushover.js';
import { rocketChatChannel } from './rocket-chat.js';
import { slackChannel } from './slack.js';
import { smsChannel } from './sms.js';
import { type TelegramSettings, telegramChannel } from './telegram.js';
import { webhookChannel } from './webhook.js';

export type { Channel, Outgoing } from './channel.js';
export { PermanentDeliveryError, RetryableDeliveryError } from './channel.js';

export function channels(
  smtp: { url?: string | undefined; from: string },
  eventsUrl: string,
  /** What signs chat buttons (Slack, Telegram), and the Telegram bot when one is set. */
  chat: { buttons: ChatButtons; telegram?: TelegramSettings | undefined },
  /** Twilio, Pushover and Matrix, where their settings are complete (VIGIL_TWILIO_*, …). */
  services: Config['notify'] = {},
): Partial<Record<ChannelKindName | typeof EVENTS_API_KIND, Channel>> {
  return {
    webhook: webhookChannel,
    slack: slackChannel(chat.buttons),
    ...(chat.telegram && { telegram: telegramChannel(chat.telegram, chat.buttons) }),
    ...(smtp.url && { email: emailChannel(smtp.url, smtp.from) }),
    microsoft_teams: microsoftTeamsChannel,
    discord: discordChannel,
    google_chat: googleChatChannel,
    mattermost: mattermostChannel,
    rocket_chat: rocketChatChannel,
    ntfy: ntfyChannel,
    gotify: gotifyChannel,
    ...(services.pushover && { pushover: pushoverChannel(services.pushover) }),
    ...(services.matrix && { matrix: matrixChannel(services.matrix) }),
    ...(services.twilio && { sms: smsChannel(services.twilio), phone: phoneChannel(services.twilio) }),
    [EVENTS_API_KIND]: eventsApiChannel(eventsUrl),
  };
}
