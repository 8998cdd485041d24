/**
 * The microsoft_teams channel: an Adaptive Card posted to a Teams Workflows webhook (the "When a
 * Teams webhook request is received" flow), as the `message` with one card attachment it expects.
 */
import type { Channel, Outgoing } from './channel.js';
import { deliver, type Explained, joined, textAt } from './http.js';

/** Teams Workflows webhooks: the message as an Adaptive Card, with a button to the responder page. */
export const microsoftTeamsChannel: Channel = {
  async send(target, message) {
    await deliver(target.address, JSON.stringify(teamsMessage(message)), { explain: teamsError });
  },
};

/** The Workflows webhook body: `type: message` and the card as an `application/vnd.microsoft.card.adaptive` attachment. */
export function teamsMessage(m: Outgoing): object {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            {
              type: 'TextBlock',
              text: m.title,
              weight: 'Bolder',
              size: 'Medium',
              wrap: true,
              color: m.urgency === 'high' ? 'Attention' : 'Warning',
            },
            { type: 'FactSet', facts: m.fields.map((f) => ({ title: f.name, value: f.value })) },
          ],
          ...(m.link && { actions: [{ type: 'Action.OpenUrl', title: 'Acknowledge', url: m.link }] }),
        },
      },
    ],
  };
}

/** Power Automate's error answer: `{"error": {"code", "message"}}`. */
function teamsError(body: unknown): Explained {
  return { message: joined(textAt(body, 'error', 'code'), textAt(body, 'error', 'message')) };
}
