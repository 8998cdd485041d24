/**
 * The slack channel: a `text` message to a Slack-compatible incoming webhook.
 */
import type { Channel } from './channel.js';
import { post } from './http.js';

/** Slack-compatible incoming webhooks (Slack, Mattermost, Rocket.Chat): a `text` message. */
export const slackChannel: Channel = {
  async send(target, message) {
    await post(target.address, JSON.stringify({ text: message.text }), {});
  },
};
