/**
 * The rocket_chat channel: a Slack-compatible message posted to a Rocket.Chat incoming webhook
 * (`/hooks/<id>/<token>`).
 */
import { type Channel, PermanentDeliveryError } from './channel.js';
import { at, deliver, type Explained, textAt } from './http.js';
import { slackCompatibleMessage } from './mattermost.js';

/**
 * Rocket.Chat incoming webhooks: the same body as Mattermost's, bold as Rocket.Chat writes it
 * (`*title*`). Rocket.Chat answers
 * `{"success": true}`; `success: false` is a refusal even on a 200.
 */
export const rocketChatChannel: Channel = {
  async send(target, message) {
    const text = await deliver(target.address, JSON.stringify(slackCompatibleMessage(message, '*')), {
      explain: rocketChatError,
    });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return;
    }
    if (at(body, 'success') === false) {
      throw new PermanentDeliveryError(
        `${new URL(target.address).host} refused the message: ${rocketChatError(body).message ?? text}`,
      );
    }
  },
};

/**
 * Rocket.Chat's error answer: `{"success": false, "error"}`; its rate limiter says the wait in
 * that text ("You must wait 10 seconds before trying this endpoint again").
 */
function rocketChatError(body: unknown): Explained {
  const message = textAt(body, 'error') ?? textAt(body, 'message');
  const wait = message && /must wait (\d+(?:\.\d+)?) seconds/.exec(message);
  return { message, retryAfterMs: wait ? Number(wait[1]) * 1000 : undefined };
}
