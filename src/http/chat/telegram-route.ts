/**
 * `POST /telegram/webhook`: the Telegram bot's webhook (set with `setWebhook` and a
 * `secret_token`). Telegram sends that secret in `X-Telegram-Bot-Api-Secret-Token` with every
 * update; a request without it, or with another (compared in constant time), is refused with 401
 * and nothing is done.
 *
 * A `callback_query` (a tap on Acknowledge or Resolve) carries the button's `callback_data`, signed
 * for its incident, its person and the chat the message went to (core/chat-action.ts). A page to a
 * person acts as them. A message to an alert channel (a group) names nobody: the tap acts as the
 * Vigil user with a telegram contact method whose chat id is the tapper's Telegram user id (their
 * private chat with the bot has that id), so adding that contact method links the accounts;
 * otherwise the tapper is told so. Then the tap is answered (`answerCallbackQuery`) and the
 * message edited (`editMessageText`) to say who acknowledged or resolved, keeping the buttons
 * still useful. Other updates (messages to the bot) are accepted and ignored.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ChatAction, telegramDataAction } from '../../core/chat-action.js';
import type { User } from '../../core/directory.js';
import { type InlineButton, TELEGRAM_TEXT_MAX } from '../../providers/embedded/engine/channels/telegram.js';
import { sendJson } from '../guards.js';
import { actAs, type ChatDeps, doneBy, pagedUser, readClick, refuse } from './act.js';

export const TELEGRAM_PATH = '/telegram/webhook';

interface CallbackQuery {
  id: string;
  from: { id: number; first_name?: string; username?: string };
  message: {
    message_id: number;
    chat: { id: number; username?: string };
    text?: string;
    reply_markup?: { inline_keyboard?: InlineButton[][] };
  };
  data: string;
}

/** True when `given` is `secret`, compared in constant time (over digests, so lengths do not show). */
export function sameSecret(given: string | undefined, secret: string): boolean {
  if (given === undefined) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(secret));
}

/** The callback query of an update; undefined for other updates; a string saying what is wrong. */
function callbackOf(raw: string): CallbackQuery | undefined | string {
  let update: { update_id?: unknown; callback_query?: Partial<CallbackQuery> };
  try {
    update = JSON.parse(raw) as typeof update;
  } catch {
    return 'The body is not valid JSON (a Telegram Update).';
  }
  if (typeof update !== 'object' || update === null || typeof update.update_id !== 'number')
    return 'Expected a Telegram Update: an object with a numeric update_id.';
  const q = update.callback_query;
  if (q === undefined) return undefined;
  if (
    typeof q !== 'object' ||
    q === null ||
    typeof q.id !== 'string' ||
    typeof q.data !== 'string' ||
    typeof q.from?.id !== 'number' ||
    typeof q.message?.message_id !== 'number' ||
    typeof q.message.chat?.id !== 'number'
  )
    return 'callback_query needs id, data, from.id, message.message_id and message.chat.id.';
  return q as CallbackQuery;
}

export async function serveTelegramWebhook(
  req: IncomingMessage,
  res: ServerResponse,
  deps: ChatDeps,
): Promise<void> {
  const telegram = deps.telegram;
  const given = req.headers['x-telegram-bot-api-secret-token'];
  const raw = await readClick(
    req,
    res,
    deps.maxBodyBytes,
    telegram
      ? {
          refusal: sameSecret(typeof given === 'string' ? given : undefined, telegram.webhookSecret)
            ? undefined
            : 'X-Telegram-Bot-Api-Secret-Token is missing or is not the webhook secret (VIGIL_TELEGRAM_WEBHOOK_SECRET).',
        }
      : {
          notSetUp:
            'The Telegram bot webhook is not set up on this server: set VIGIL_TELEGRAM_BOT_TOKEN and VIGIL_TELEGRAM_WEBHOOK_SECRET.',
        },
  );
  if (raw === undefined || !telegram) return;
  const query = callbackOf(raw);
  if (typeof query === 'string') return refuse(res, 400, 'VALIDATION_ERROR', query);
  // Telegram redelivers an update until it gets a 2xx: every well-formed one gets it, and the
  // tapper hears the outcome through answerCallbackQuery.
  sendJson(res, 200, {});
  if (!query) return;
  try {
    await handleTap(deps, req, telegram.call, query);
  } catch (err) {
    deps.log.warn({ err: (err as Error).message }, 'Telegram callback not answered');
  }
}

async function handleTap(
  deps: ChatDeps,
  req: IncomingMessage,
  call: (method: string, params: object) => Promise<unknown>,
  q: CallbackQuery,
): Promise<void> {
  const answer = (text: string, alert = true) =>
    call('answerCallbackQuery', { callback_query_id: q.id, text: text.slice(0, 200), show_alert: alert });
  const chat = q.message.chat;
  const button = deps.buttons.openTelegramData(q.data, [
    String(chat.id),
    ...(chat.username ? [`@${chat.username}`] : []),
  ]);
  if (!button.ok) {
    await answer(
      button.reason === 'expired'
        ? 'This button has expired (buttons work for seven days). Open the newest message about this incident.'
        : 'This button is not one Vigil made for this chat; nothing was done.',
    );
    return;
  }
  const user = await whoActs(deps, button.userId, q.from.id);
  if (typeof user === 'string') {
    await answer(user);
    return;
  }
  const action = button.action as ChatAction;
  const acted = await actAs(deps, req, 'Telegram', action, button.incidentId, user);
  if (!acted.ok) {
    await answer(`Nothing was done: ${acted.message}`);
    return;
  }
  const said = doneBy(action, user, 'Telegram');
  await answer(said, false);
  const i = acted.incident;
  const text =
    q.message.text || `[#${i.incident_number}] ${i.title} (${i.service.summary}, ${i.urgency} urgency)`;
  const keyboard = (q.message.reply_markup?.inline_keyboard ?? [])
    .map((row) =>
      row.filter((b) => {
        if (!('callback_data' in b)) return true;
        // After an acknowledgement Resolve still helps; after a resolution no button does.
        return i.status !== 'resolved' && telegramDataAction(b.callback_data) !== 'acknowledge';
      }),
    )
    .filter((row) => row.length > 0);
  await call('editMessageText', {
    chat_id: chat.id,
    message_id: q.message.message_id,
    text: `${text.slice(0, TELEGRAM_TEXT_MAX - said.length - 2)}\n\n${said}`,
    link_preview_options: { is_disabled: true },
    reply_markup: { inline_keyboard: keyboard },
  });
}

/** The Vigil user a tap acts as, or what to tell the tapper when there is none. */
async function whoActs(
  deps: ChatDeps,
  paged: string | undefined,
  telegramUserId: number,
): Promise<User | string> {
  if (paged) return pagedUser(deps, paged);
  const linked = await userWithChat(deps, String(telegramUserId));
  return (
    linked ??
    `Vigil does not know your Telegram account. Add a telegram contact method with chat id ${telegramUserId} to your Vigil user, or acknowledge from your own page.`
  );
}

/** The user with a telegram contact method at `chatId`. */
async function userWithChat(deps: ChatDeps, chatId: string): Promise<User | undefined> {
  return deps.directory?.findUserByContact?.('telegram', chatId);
}
