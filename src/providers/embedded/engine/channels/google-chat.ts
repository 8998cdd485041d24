/**
 * The google_chat channel: a card (cardsV2) posted to a Google Chat space's incoming webhook
 * (`/v1/spaces/<space>/messages?key=…&token=…`).
 */
import type { Channel, Outgoing } from './channel.js';
import { deliver, type Explained, joined, textAt } from './http.js';

/** Google Chat webhooks: `text` for the notification, and a card with the facts and an Acknowledge button. */
export const googleChatChannel: Channel = {
  async send(target, message) {
    await deliver(target.address, JSON.stringify(googleChatMessage(message)), {
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      explain: googleError,
    });
  },
};

/**
 * The message: `text` (the notification; a title cannot mention everyone, `<users/all>`) and one
 * card with the facts and an Acknowledge button opening the responder page.
 */
export function googleChatMessage(m: Outgoing): object {
  return {
    text: m.title.replace(/<(?=users\/)/g, '<\u200b'),
    cardsV2: [
      {
        cardId: `vigil-${m.id}`,
        card: {
          header: { title: m.title, subtitle: `Vigil · ${m.urgency} urgency` },
          sections: [
            {
              widgets: [
                ...m.fields.map((f) => ({ decoratedText: { topLabel: f.name, text: f.value } })),
                ...(m.link
                  ? [
                      {
                        buttonList: {
                          buttons: [{ text: 'Acknowledge', onClick: { openLink: { url: m.link } } }],
                        },
                      },
                    ]
                  : []),
              ],
            },
          ],
        },
      },
    ],
  };
}

/** Google's error answer: `{"error": {"code", "message", "status"}}`. */
function googleError(body: unknown): Explained {
  return { message: joined(textAt(body, 'error', 'status'), textAt(body, 'error', 'message')) };
}
