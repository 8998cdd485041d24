/**
 * The mattermost channel: a Slack-compatible message (text and one attachment) posted to a
 * Mattermost incoming webhook (`/hooks/<id>`).
 */
import type { Channel, Outgoing } from './channel.js';
import { URGENCY_COLOR } from './format.js';
import { deliver, type Explained, joined, textAt } from './http.js';

/** Mattermost incoming webhooks: Slack's `text` and `attachments`, which Mattermost renders. */
export const mattermostChannel: Channel = {
  async send(target, message) {
    await deliver(target.address, JSON.stringify(slackCompatibleMessage(message)), {
      explain: mattermostError,
    });
  },
};

/**
 * The Slack-compatible body Mattermost and Rocket.Chat both take: `text` (Markdown, the title in
 * `bold`, which is `**` in Mattermost and `*` in Rocket.Chat; the acknowledge link as a link) and a legacy attachment with the facts as short fields. What an
 * incident's or alert's sender wrote cannot mention a whole channel (`@channel`, `@all`, `@here`).
 */
export function slackCompatibleMessage(m: Outgoing, bold: '**' | '*' = '**'): object {
  const title = `${bold}${noMassMention(m.title)}${bold}`;
  return {
    text: m.link ? `${title} — [Acknowledge](${m.link})` : title,
    attachments: [
      {
        fallback: noMassMention(m.text),
        color: `#${URGENCY_COLOR[m.urgency]}`,
        title: noMassMention(m.title),
        ...(m.link && { title_link: m.link }),
        fields: m.fields.map((f) => ({ title: f.name, value: noMassMention(f.value), short: true })),
      },
    ],
  };
}

/** `text` with a zero-width space after the `@` of each channel-wide mention, so none notifies. */
const noMassMention = (text: string) => text.replace(/@(?=(channel|all|here)\b)/gi, '@\u200b');

/** Mattermost's error answer: `{"id", "message", "detailed_error", "status_code"}`. */
function mattermostError(body: unknown): Explained {
  return { message: joined(textAt(body, 'message'), textAt(body, 'detailed_error')) };
}
