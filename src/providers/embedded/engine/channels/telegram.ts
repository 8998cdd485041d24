/**
 * The telegram channel: the Bot API's `sendMessage` to a chat id, with an inline keyboard —
 * Acknowledge and Resolve callback buttons (handled at Vigil's bot webhook,
 * src/http/chat/telegram-route.ts) and a URL button opening the responder page. The bot's token is
 * VIGIL_TELEGRAM_BOT_TOKEN; the API base VIGIL_TELEGRAM_API_URL (tests point it at a fake).
 */
import type { ButtonTarget, ChatButtons } from '../../../../core/chat-action.js';
import type { Channel, Outgoing } from './channel.js';
import { at, deliver, type Explained, textAt } from './http.js';

export interface TelegramSettings {
  botToken: string;
  /** The Bot API's base, default https://api.telegram.org. */
  apiUrl: string;
}

/** The Bot API's limit on a message's text, in characters. */
export const TELEGRAM_TEXT_MAX = 4096;

/** One inline keyboard button: a callback (its data comes back to the webhook) or a link. */
export type InlineButton = { text: string; callback_data: string } | { text: string; url: string };

/**
 * Calls the Bot API method `method` with `params` (JSON) and answers its `result`. Telegram's
 * error answers are `{ok: false, error_code, description, parameters: {retry_after}}`: a 4xx fails
 * for good with the description, a 429 is retried after `retry_after` seconds, 5xx with backoff
 * (channels/http.ts). The token is in the path only, never in an error message.
 */
export function telegramApi(settings: TelegramSettings) {
  const base = settings.apiUrl.replace(/\/+$/, '');
  return async (method: string, params: object): Promise<unknown> => {
    const text = await deliver(`${base}/bot${settings.botToken}/${method}`, JSON.stringify(params), {
      explain: telegramError,
    });
    let answer: { ok?: unknown; result?: unknown; description?: unknown };
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch {
      throw new Error(`Telegram answered ${method} with something other than JSON`);
    }
    if (answer.ok !== true)
      throw new Error(
        `Telegram refused ${method}${typeof answer.description === 'string' ? `: ${answer.description}` : ''}`,
      );
    return answer.result;
  };
}

function telegramError(body: unknown): Explained {
  const wait = at(body, 'parameters', 'retry_after');
  return {
    message: textAt(body, 'description'),
    retryAfterMs: typeof wait === 'number' && wait >= 0 ? wait * 1000 : undefined,
  };
}

/**
 * Telegram refuses URL buttons to addresses it cannot open (localhost, loopback): the link stays
 * in the text then.
 */
function openable(url: string | undefined): url is string {
  if (!url) return false;
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return !(host === 'localhost' || host === '::1' || host.startsWith('127.'));
  } catch {
    return false;
  }
}

/** The inline keyboard for a message about `target` sent to `chat`; undefined when it has none. */
export function incidentKeyboard(
  buttons: ChatButtons,
  target: ButtonTarget,
  chat: string,
  respondUrl: string | undefined,
  sentAt: number,
): InlineButton[][] | undefined {
  const rows: InlineButton[][] = [];
  const ack = buttons.telegramData('acknowledge', target, chat, sentAt);
  const resolve = buttons.telegramData('resolve', target, chat, sentAt);
  if (ack && resolve)
    rows.push([
      { text: 'Acknowledge', callback_data: ack },
      { text: 'Resolve', callback_data: resolve },
    ]);
  if (openable(respondUrl)) rows.push([{ text: 'Open', url: respondUrl }]);
  return rows.length ? rows : undefined;
}

/** The `sendMessage` parameters for `message` to the chat `chat`. */
export function telegramMessage(
  message: Outgoing,
  chat: string,
  buttons: ChatButtons,
  sentAt: number,
): object {
  const incident = message.incident;
  const keyboard =
    incident &&
    incidentKeyboard(
      buttons,
      { incidentId: incident.id, userId: incident.userId },
      chat,
      incident.respondUrl,
      sentAt,
    );
  return {
    chat_id: chat,
    text: message.text.slice(0, TELEGRAM_TEXT_MAX),
    link_preview_options: { is_disabled: true },
    ...(keyboard && { reply_markup: { inline_keyboard: keyboard } }),
  };
}

/** Telegram through one bot: the address is a chat id (or a channel's @username). */
export function telegramChannel(settings: TelegramSettings, buttons: ChatButtons): Channel {
  const call = telegramApi(settings);
  return {
    async send(target, message) {
      const sentAt = Date.parse(message.sent_at) || Date.now();
      await call('sendMessage', telegramMessage(message, target.address, buttons, sentAt));
    },
  };
}
