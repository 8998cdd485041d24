/**
 * The discord channel: an embed posted to a Discord webhook (`/api/webhooks/<id>/<token>`).
 */
import type { Channel, Outgoing } from './channel.js';
import { URGENCY_COLOR } from './format.js';
import { at, deliver, type Explained, textAt } from './http.js';

/**
 * Discord webhooks: one embed (title linking to the responder page, the facts as inline fields),
 * mentions disabled. `wait=true` makes Discord answer once the message is saved.
 */
export const discordChannel: Channel = {
  async send(target, message) {
    const url = new URL(target.address);
    url.searchParams.set('wait', 'true');
    await deliver(url.toString(), JSON.stringify(discordMessage(message)), { explain: discordError });
  },
};

export function discordMessage(m: Outgoing): object {
  return {
    embeds: [
      {
        title: m.title.slice(0, 256),
        description: m.link ? `[Acknowledge, resolve or snooze](${m.link})` : m.text.slice(0, 4096),
        ...(m.link && { url: m.link }),
        color: Number.parseInt(URGENCY_COLOR[m.urgency], 16),
        // Discord refuses an empty field name or value, and longer ones than these.
        fields: m.fields.slice(0, 25).map((f) => ({
          name: f.name.slice(0, 256) || '-',
          value: f.value.slice(0, 1024) || '-',
          inline: true,
        })),
        timestamp: m.sent_at,
        footer: { text: 'Vigil' },
      },
    ],
    allowed_mentions: { parse: [] },
  };
}

/**
 * Discord's error answer: `{"message", "code", "errors"?}`; a 429's `retry_after` is in seconds
 * (a float), as its `Retry-After` header.
 */
function discordError(body: unknown): Explained {
  const message = textAt(body, 'message');
  const code = at(body, 'code');
  const errors = at(body, 'errors');
  const retry = at(body, 'retry_after');
  const parts = [
    message,
    typeof code === 'number' && code !== 0 ? `(code ${code})` : undefined,
    errors ? JSON.stringify(errors).slice(0, 300) : undefined,
  ];
  return {
    message: parts.filter(Boolean).join(' ') || undefined,
    retryAfterMs: typeof retry === 'number' ? Math.ceil(retry * 1000) : undefined,
  };
}
