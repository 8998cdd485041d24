/**
 * What the Acknowledge and Resolve buttons of a chat message carry, so the endpoint a click comes
 * back to (src/http/chat/) knows which incident, and which Vigil user acts, without storage:
 *
 * - a Slack button's `value` (up to 2,000 characters) is a signed token naming the incident and,
 *   for a page to a person, that person, with an expiry (signed-token.ts, a purpose of its own);
 * - a Telegram button's `callback_data` holds 64 bytes at most, so it carries the action, the
 *   incident, the person and an expiry hour in plain, and a short MAC over them and the chat the
 *   message was sent to: a button copied to another chat, or naming another incident, fails it.
 *
 * Both are signed under the server's secret key (as responder links are), so every node sharing it
 * accepts them. A button without a person (a message to an alert channel) names nobody: the
 * endpoint must then find who clicked, or refuse.
 */
import { timingSafeEqual } from 'node:crypto';
import { TokenSigner } from './signed-token.js';

/** How long a button acts after its message was sent (as a responder link). */
export const CHAT_BUTTON_TTL_MS = 7 * 86_400_000;
/** Telegram's limit on `callback_data`, in bytes. */
export const TELEGRAM_CALLBACK_LIMIT = 64;
const HOUR_MS = 3_600_000;
/** 128 bits of MAC: 22 base64url characters. */
const SHORT_MAC_BYTES = 16;

export const CHAT_ACTIONS = ['acknowledge', 'resolve'] as const;
export type ChatAction = (typeof CHAT_ACTIONS)[number];

/** What a button names: its incident, and the person paged when the message was a page to them. */
export interface ButtonTarget {
  incidentId: string;
  userId?: string | undefined;
}

export type ButtonCheck =
  | ({ ok: true; action?: ChatAction } & ButtonTarget)
  | { ok: false; reason: 'invalid' | 'expired' };

export interface ChatButtons {
  /** A Slack button value for `target`, good until `issuedAt` + CHAT_BUTTON_TTL_MS. */
  slackValue(target: ButtonTarget, issuedAt?: number): string;
  openSlackValue(value: string): ButtonCheck;
  /**
   * Telegram `callback_data` for `action` on `target` in the chat `chat` (the address it is sent
   * to); undefined when it would not fit in 64 bytes.
   */
  telegramData(action: ChatAction, target: ButtonTarget, chat: string, issuedAt?: number): string | undefined;
  /** What `data` names, when it was made for one of `chats` (a chat's id, or its @username). */
  openTelegramData(data: string, chats: readonly string[]): ButtonCheck;
}

const ACTION_CODE: Record<ChatAction, string> = { acknowledge: 'a', resolve: 'r' };
const ID = /^[A-Za-z0-9_-]{1,40}$/;

/** The action a Telegram button's `callback_data` names, unchecked: for choosing which buttons a message keeps. */
export function telegramDataAction(data: string): ChatAction | undefined {
  return CHAT_ACTIONS.find((a) => data.startsWith(`${ACTION_CODE[a]}.`));
}

/** Buttons signed under `secret` (read on first use). `now` is for tests. */
export function chatButtons(secret: () => Buffer, now: () => number = Date.now): ChatButtons {
  const slack = new TokenSigner(secret, 'vigil chat button v1', now);
  const telegram = new TokenSigner(secret, 'vigil telegram button v1', now);
  const shortMac = (data: string) => telegram.mac(data).subarray(0, SHORT_MAC_BYTES).toString('base64url');
  return {
    slackValue: (target, issuedAt = now()) =>
      slack.issue(
        { i: target.incidentId, ...(target.userId && { u: target.userId }) },
        issuedAt + CHAT_BUTTON_TTL_MS,
      ),
    openSlackValue(value) {
      const opened = slack.open(value);
      if (!opened.ok) return opened;
      const { i, u } = opened.claims;
      if (typeof i !== 'string' || (u !== undefined && typeof u !== 'string'))
        return { ok: false, reason: 'invalid' };
      return { ok: true, incidentId: i, userId: u };
    },
    telegramData(action, target, chat, issuedAt = now()) {
      if (!ID.test(target.incidentId) || (target.userId && !ID.test(target.userId))) return undefined;
      const until = Math.ceil((issuedAt + CHAT_BUTTON_TTL_MS) / HOUR_MS).toString(36);
      const plain = `${ACTION_CODE[action]}.${target.incidentId}.${target.userId ?? ''}.${until}`;
      const data = `${plain}.${shortMac(`${plain}\n${chat}`)}`;
      return Buffer.byteLength(data) <= TELEGRAM_CALLBACK_LIMIT ? data : undefined;
    },
    openTelegramData(data, chats) {
      const parts = data.split('.');
      if (parts.length !== 5) return { ok: false, reason: 'invalid' };
      const [code, incidentId, userId, until, mac] = parts as [string, string, string, string, string];
      const plain = `${code}.${incidentId}.${userId}.${until}`;
      const given = Buffer.from(mac, 'base64url');
      const signed = chats.some((chat) => {
        const expected = telegram.mac(`${plain}\n${chat}`).subarray(0, SHORT_MAC_BYTES);
        return given.length === expected.length && timingSafeEqual(expected, given);
      });
      const action = CHAT_ACTIONS.find((a) => ACTION_CODE[a] === code);
      if (!signed || !action || !ID.test(incidentId)) return { ok: false, reason: 'invalid' };
      if (Number.parseInt(until, 36) * HOUR_MS <= now()) return { ok: false, reason: 'expired' };
      return { ok: true, action, incidentId, userId: userId || undefined };
    },
  };
}
