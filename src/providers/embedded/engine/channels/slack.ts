/**
 * The slack channel: a Block Kit message to a Slack-compatible incoming webhook — the text, and
 * for a message about an incident, Acknowledge and Resolve buttons (handled at Vigil's
 * interactivity endpoint, src/http/chat/slack-route.ts) and a button opening the responder page.
 */
import type { ChatButtons } from '../../../../core/chat-action.js';
import type { Channel, Outgoing } from './channel.js';
import { post } from './http.js';

/** The `action_id`s of the message's buttons; the interactivity endpoint answers these. */
export const SLACK_ACTION_IDS = {
  acknowledge: 'vigil_acknowledge',
  resolve: 'vigil_resolve',
  open: 'vigil_open',
} as const;

/** Slack's limits: a section's text, a button's value and URL. */
const SECTION_MAX = 3000;
const VALUE_MAX = 2000;
const URL_MAX = 3000;

/** Slack's mrkdwn escapes: only these three characters are special in text. */
export const slackEscape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A message's text as Slack gives it back (escaped), as it was before `slackEscape`. */
export const slackUnescape = (text: string) =>
  text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** A button element of an actions block. */
export interface SlackButton {
  type: 'button';
  action_id: string;
  text: { type: 'plain_text'; text: string };
  value?: string;
  url?: string;
  style?: 'primary' | 'danger';
}

/**
 * The buttons for an incident: Acknowledge and Resolve carrying `value` (see core/chat-action.ts),
 * and Open for the responder page when there is one.
 */
export function incidentButtons(value: string | undefined, respondUrl: string | undefined): SlackButton[] {
  const buttons: SlackButton[] = [];
  if (value && value.length <= VALUE_MAX) {
    buttons.push(
      {
        type: 'button',
        action_id: SLACK_ACTION_IDS.acknowledge,
        text: { type: 'plain_text', text: 'Acknowledge' },
        value,
        style: 'primary',
      },
      {
        type: 'button',
        action_id: SLACK_ACTION_IDS.resolve,
        text: { type: 'plain_text', text: 'Resolve' },
        value,
        style: 'danger',
      },
    );
  }
  if (respondUrl && respondUrl.length <= URL_MAX) {
    buttons.push({
      type: 'button',
      action_id: SLACK_ACTION_IDS.open,
      text: { type: 'plain_text', text: 'Open' },
      url: respondUrl,
    });
  }
  return buttons;
}

/** Blocks: the text as a section, then a status line (context) and buttons when given. */
export function slackBlocks(text: string, buttons: SlackButton[], status?: string): object[] {
  const blocks: object[] = [
    { type: 'section', text: { type: 'mrkdwn', text: slackEscape(text).slice(0, SECTION_MAX) } },
  ];
  if (status) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(status) }] });
  if (buttons.length) blocks.push({ type: 'actions', block_id: 'vigil_incident', elements: buttons });
  return blocks;
}

/**
 * The JSON a Slack incoming webhook takes for `message`: `text` (mrkdwn too, so escaped: a title
 * cannot mention `<!channel>`; it is the notification's text) and, about an incident, its blocks.
 */
export function slackMessage(message: Outgoing, buttons: ChatButtons, sentAt: number): object {
  const text = slackEscape(message.text);
  const incident = message.incident;
  if (!incident) return { text };
  const value = buttons.slackValue({ incidentId: incident.id, userId: incident.userId }, sentAt);
  return { text, blocks: slackBlocks(message.text, incidentButtons(value, incident.respondUrl)) };
}

/** Slack incoming webhooks: `buttons` signs the values of Acknowledge and Resolve. */
export function slackChannel(buttons: ChatButtons): Channel {
  return {
    async send(target, message) {
      const body = slackMessage(message, buttons, Date.parse(message.sent_at) || Date.now());
      await post(target.address, JSON.stringify(body), {});
    },
  };
}
