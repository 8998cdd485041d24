/**
 * Loopback fakes of the chat services whose buttons Vigil handles, following their documented
 * requests and error answers:
 *
 * - Slack: incoming webhooks (`POST /services/…`, JSON `text` and Block Kit `blocks`; errors are
 *   plain-text codes such as `invalid_blocks` with 400) and a message's `response_url`
 *   (`POST /actions/…`, JSON with `replace_original` or `response_type: ephemeral`);
 * - Telegram's Bot API: `POST /bot<token>/<method>` with a JSON body, answering
 *   `{ok: true, result}` or `{ok: false, error_code, description, parameters?}` (401 for a wrong
 *   token, 400 "Bad Request: …" for a bad request, 429 with `parameters.retry_after`).
 *
 * Every request is checked against that shape; a request that breaks it is answered as the
 * service would (400) and kept in `refused`, so a test fails on it. `signSlack` signs a request as
 * Slack does; `pageMessage` is a message for the channels to send.
 */
import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Outgoing } from '../../src/providers/embedded/engine/channels/channel.js';
import { type FakeServer, listenFake, readBody } from './fake-http.js';

/** A page to Ann about incident #7 with her responder link, as the engine builds one; `over` changes parts. */
export const pageMessage = (over: Partial<Outgoing> = {}): Outgoing => ({
  id: 'PDELIVERY00001',
  event: 'incident.triggered',
  sent_at: new Date().toISOString(),
  payload: {},
  text: '[#7] Disk full (Storage, high urgency) — acknowledge: https://vigil.example.com/r/abc.def',
  subject: 'x',
  body: 'x',
  title: '[#7] Disk full',
  urgency: 'high',
  fields: [],
  speech: 'x',
  incident: {
    id: 'PINCIDENT00007',
    userId: 'PUSERANN000001',
    respondUrl: 'https://vigil.example.com/r/abc.def',
  },
  ...over,
});

export interface Call {
  path: string;
  method: string;
  body: unknown;
}

/** Slack's signature headers for `body` at `timestamp` (seconds) under `secret`. */
export function signSlack(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)) {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature };
}

function json(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why a Block Kit button breaks Slack's documented limits; undefined when it does not. */
function buttonProblem(b: unknown): string | undefined {
  if (!isObject(b) || b.type !== 'button') return 'element is not a button';
  if (typeof b.action_id !== 'string' || b.action_id.length > 255) return 'action_id missing or over 255';
  const text = b.text as Record<string, unknown> | undefined;
  if (!isObject(text) || text.type !== 'plain_text' || typeof text.text !== 'string' || text.text.length > 75)
    return 'button text must be plain_text up to 75 characters';
  if (b.value !== undefined && (typeof b.value !== 'string' || b.value.length > 2000))
    return 'value over 2000';
  if (b.url !== undefined && (typeof b.url !== 'string' || b.url.length > 3000)) return 'url over 3000';
  if (b.style !== undefined && b.style !== 'primary' && b.style !== 'danger') return 'style';
  return undefined;
}

/** Why `blocks` is not valid Block Kit for a message (the subset Vigil sends). */
export function blocksProblem(blocks: unknown): string | undefined {
  if (!Array.isArray(blocks) || blocks.length === 0 || blocks.length > 50)
    return 'blocks must be 1-50 blocks';
  for (const block of blocks) {
    if (!isObject(block)) return 'block is not an object';
    if (block.type === 'section') {
      const t = block.text as Record<string, unknown> | undefined;
      if (!isObject(t) || t.type !== 'mrkdwn' || typeof t.text !== 'string' || t.text.length > 3000)
        return 'section text must be mrkdwn up to 3000 characters';
    } else if (block.type === 'actions') {
      const els = block.elements;
      if (!Array.isArray(els) || els.length === 0 || els.length > 25)
        return 'actions must have 1-25 elements';
      const ids = new Set<string>();
      for (const e of els) {
        const p = buttonProblem(e);
        if (p) return p;
        if (ids.has((e as { action_id: string }).action_id)) return 'action_ids in a block must differ';
        ids.add((e as { action_id: string }).action_id);
      }
    } else if (block.type === 'context') {
      if (!Array.isArray(block.elements) || block.elements.length === 0) return 'context needs elements';
    } else return `unexpected block type ${String(block.type)}`;
  }
  return undefined;
}

export interface FakeSlack {
  base: string;
  /** Incoming webhook messages, then response_url posts. */
  messages: Call[];
  responses: Call[];
  refused: { path: string; why: string }[];
  /** Web API `users.info` (GET, `Bearer` bot token): each known user's email by Slack user id. */
  emails: Map<string, string>;
  botToken: string;
  /** The next webhook post answers this (status and Slack's plain-text error code). */
  failNext(status: number, text: string, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

export async function fakeSlack(): Promise<FakeSlack> {
  const messages: Call[] = [];
  const responses: Call[] = [];
  const refused: { path: string; why: string }[] = [];
  const faults: { status: number; text: string; headers: Record<string, string> }[] = [];
  const refuse = (res: ServerResponse, path: string, why: string, code = 'invalid_payload') => {
    refused.push({ path, why });
    res.writeHead(400, { 'content-type': 'text/plain' }).end(code);
  };
  const emails = new Map<string, string>();
  const botToken = 'xoxb-fake-bot-token-0001';
  const server: FakeServer = await listenFake(async (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '';
    const raw = await readBody(req);
    if (path.startsWith('/api/users.info')) {
      // As Slack answers: 200 with ok false and an error code for a bad token or an unknown user.
      if (req.headers.authorization !== `Bearer ${botToken}`)
        return json(res, 200, { ok: false, error: 'invalid_auth' });
      const id = new URL(path, 'http://x').searchParams.get('user') ?? '';
      const email = emails.get(id);
      if (!email) return json(res, 200, { ok: false, error: 'user_not_found' });
      return json(res, 200, { ok: true, user: { id, name: id.toLowerCase(), profile: { email } } });
    }
    if (req.method !== 'POST') return refuse(res, path, `method ${req.method}`);
    if (!String(req.headers['content-type']).startsWith('application/json'))
      return refuse(res, path, 'content-type must be application/json');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return refuse(res, path, 'not JSON');
    }
    if (path.startsWith('/services/')) {
      const fault = faults.shift();
      if (fault) {
        res.writeHead(fault.status, { 'content-type': 'text/plain', ...fault.headers }).end(fault.text);
        return;
      }
      if (typeof body.text !== 'string' || body.text === '') return refuse(res, path, 'no text', 'no_text');
      if (body.blocks !== undefined) {
        const why = blocksProblem(body.blocks);
        if (why) return refuse(res, path, why, 'invalid_blocks');
      }
      messages.push({ path, method: 'POST', body });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (path.startsWith('/actions/')) {
      const ephemeral = body.response_type === 'ephemeral';
      if (!ephemeral && body.replace_original !== true)
        return refuse(res, path, 'response_url posts here replace the original or are ephemeral');
      if (typeof body.text !== 'string') return refuse(res, path, 'no text', 'no_text');
      if (body.blocks !== undefined) {
        const why = blocksProblem(body.blocks);
        if (why) return refuse(res, path, why, 'invalid_blocks');
      }
      responses.push({ path, method: 'POST', body });
      return json(res, 200, { ok: true });
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('no_service');
  });
  return {
    base: `http://127.0.0.1:${server.port}`,
    messages,
    responses,
    refused,
    emails,
    botToken,
    failNext: (status, text, headers = {}) => faults.push({ status, text, headers }),
    close: () => server.close(),
  };
}

export interface FakeTelegram {
  base: string;
  token: string;
  /** Every accepted call, in order. */
  calls: Call[];
  refused: { method: string; why: string }[];
  /** Chats the bot may write to (others: "Bad Request: chat not found"). */
  chats: Set<string>;
  /** The next call of `method` answers this Bot API error. */
  failNext(method: string, status: number, description: string, parameters?: Record<string, unknown>): void;
  close(): Promise<void>;
}

/** Why an inline keyboard breaks the Bot API's rules; undefined when it does not. */
function keyboardProblem(markup: unknown): string | undefined {
  if (!isObject(markup) || !Array.isArray(markup.inline_keyboard)) return 'reply_markup.inline_keyboard';
  for (const row of markup.inline_keyboard) {
    if (!Array.isArray(row)) return 'keyboard rows must be arrays';
    for (const b of row) {
      if (!isObject(b) || typeof b.text !== 'string' || b.text === '') return 'button text';
      const kinds = ['callback_data', 'url'].filter((k) => b[k] !== undefined);
      if (kinds.length !== 1) return 'a button has exactly one of callback_data, url';
      if (b.callback_data !== undefined) {
        const n = Buffer.byteLength(String(b.callback_data));
        if (typeof b.callback_data !== 'string' || n < 1 || n > 64) return 'BUTTON_DATA_INVALID';
      }
      if (b.url !== undefined && (typeof b.url !== 'string' || !/^https?:\/\//.test(b.url)))
        return 'BUTTON_URL_INVALID';
    }
  }
  return undefined;
}

export async function fakeTelegram(token = '123456:TEST-token-for-the-fake-bot-api'): Promise<FakeTelegram> {
  const calls: Call[] = [];
  const refused: { method: string; why: string }[] = [];
  const chats = new Set<string>();
  const faults: {
    method: string;
    status: number;
    description: string;
    parameters?: Record<string, unknown>;
  }[] = [];
  let nextMessageId = 100;
  const error = (res: ServerResponse, status: number, description: string, parameters?: unknown) =>
    json(res, status, { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) });
  const server = await listenFake(async (req, res) => {
    const raw = await readBody(req);
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
    if (!m) return error(res, 404, 'Not Found');
    const [, given, method] = m as unknown as [string, string, string];
    if (given !== token) return error(res, 401, 'Unauthorized');
    const bad = (why: string) => {
      refused.push({ method, why });
      error(res, 400, `Bad Request: ${why}`);
    };
    if (req.method !== 'POST') return bad('use POST');
    if (!String(req.headers['content-type']).startsWith('application/json')) return bad('expected JSON');
    let p: Record<string, unknown>;
    try {
      p = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return bad('body is not JSON');
    }
    const fault = faults.findIndex((f) => f.method === method);
    if (fault >= 0) {
      const [f] = faults.splice(fault, 1);
      if (f) return error(res, f.status, f.description, f.parameters);
    }
    const chatOk = () =>
      (typeof p.chat_id === 'string' || typeof p.chat_id === 'number') && chats.has(String(p.chat_id));
    if (method === 'sendMessage' || method === 'editMessageText') {
      if (!chatOk()) return bad('chat not found');
      if (typeof p.text !== 'string' || p.text.length < 1 || p.text.length > 4096)
        return bad('message text is empty or too long');
      if (method === 'editMessageText' && typeof p.message_id !== 'number') return bad('message_id required');
      if (p.reply_markup !== undefined) {
        const why = keyboardProblem(p.reply_markup);
        if (why) return bad(why);
      }
      calls.push({ path: req.url ?? '', method, body: p });
      const messageId = method === 'sendMessage' ? nextMessageId++ : (p.message_id as number);
      return json(res, 200, {
        ok: true,
        result: {
          message_id: messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: Number(p.chat_id), type: 'private' },
          text: p.text,
          ...(p.reply_markup ? { reply_markup: p.reply_markup } : {}),
        },
      });
    }
    if (method === 'answerCallbackQuery') {
      if (typeof p.callback_query_id !== 'string') return bad('callback_query_id required');
      if (p.text !== undefined && (typeof p.text !== 'string' || p.text.length > 200))
        return bad('text over 200');
      calls.push({ path: req.url ?? '', method, body: p });
      return json(res, 200, { ok: true, result: true });
    }
    return error(res, 404, 'Not Found: method not found');
  });
  return {
    base: `http://127.0.0.1:${server.port}`,
    token,
    calls,
    refused,
    chats,
    failNext: (method, status, description, parameters) =>
      faults.push({ method, status, description, ...(parameters ? { parameters } : {}) }),
    close: () => server.close(),
  };
}
