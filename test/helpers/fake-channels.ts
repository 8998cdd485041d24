/**
 * Loopback fakes of the notification services Vigil's channels send to (Microsoft Teams
 * Workflows, Discord, Google Chat, Mattermost, Rocket.Chat, ntfy, Pushover, Gotify, Matrix,
 * Twilio). Each checks a request against what its vendor documents (method, path, authentication,
 * content type, body shape) and answers as the vendor does: its success answer, its error body
 * for a refusal (a request that breaks the documented shape is refused that way too), and its
 * 429 with the vendor's own retry hint, if it gives one. A test queues refusals and rate limits.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { type FakeServer, listenFake, readBody } from './fake-http.js';

export interface FakeRequest {
  method: string;
  /** The path with its query string. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  raw: string;
  /** The body as JSON, or undefined when it is not JSON. */
  json: unknown;
  /** The body as a form (application/x-www-form-urlencoded). */
  form: URLSearchParams;
}

export interface FakeAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** What one vendor documents and how it answers. */
export interface VendorFake {
  /** Problems with a request, by the vendor's documentation; empty when it is well formed. */
  check(req: FakeRequest): string[];
  /** The answer to a well-formed request. */
  ok(req: FakeRequest): FakeAnswer;
  /** The vendor's refusal of a request, with `message` where the vendor puts its explanation. */
  refuse(message: string): FakeAnswer;
  /** The vendor's 429; `retryAfterS` is the wait it asks for, where it asks for one. */
  rateLimit(retryAfterS: number): FakeAnswer;
  /** Whether the vendor's 429 carries a wait (false: the sender falls back to its backoff). */
  hintsRetry: boolean;
}

export type VendorName =
  | 'microsoft_teams'
  | 'discord'
  | 'google_chat'
  | 'mattermost'
  | 'rocket_chat'
  | 'ntfy'
  | 'pushover'
  | 'gotify'
  | 'matrix'
  | 'twilio';

/** Credentials the fakes expect (the channel's settings or secret in the test). */
export const FAKE_CREDENTIALS = {
  pushoverToken: 'azGDORePK8gMaC0QOYAMyEEuzJnyUi',
  gotifyToken: 'AbCdEfGhIjKlMnO',
  ntfyToken: 'tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2',
  matrixToken: 'syt_dmlnaWw_AbCdEfGhIjKlMnOpQrSt_0a1b2c',
  twilioSid: `AC${'0123456789abcdef'.repeat(2)}`,
  twilioToken: 'twilio-auth-token-0123456789abcd',
  twilioFrom: '+14155550100',
};

const json = (status: number, body: unknown, headers: Record<string, string> = {}): FakeAnswer => ({
  status,
  body,
  headers: { 'content-type': 'application/json', ...headers },
});

const isJson = (req: FakeRequest) => /^application\/json\b/.test(req.headers['content-type'] ?? '');
const isForm = (req: FakeRequest) =>
  /^application\/x-www-form-urlencoded\b/.test(req.headers['content-type'] ?? '');
const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
const problems = (...checks: [boolean, string][]) => checks.filter(([ok]) => !ok).map(([, why]) => why);
/** A string of 1 to `max` characters. */
const between = (v: unknown, max: number) => typeof v === 'string' && v.length >= 1 && v.length <= max;
const E164 = /^\+[1-9][0-9]{6,14}$/;

/** Slack-compatible incoming webhooks (Mattermost, Rocket.Chat): `text` and/or `attachments`. */
function slackCompatible(req: FakeRequest): string[] {
  const b = obj(req.json);
  return problems(
    [req.method === 'POST', 'POST only'],
    [isJson(req), 'Content-Type must be application/json'],
    [typeof b.text === 'string' || Array.isArray(b.attachments), 'text or attachments is required'],
    [
      !Array.isArray(b.attachments) ||
        b.attachments.every((a) => Array.isArray(obj(a).fields) || obj(a).fields === undefined),
      'attachments[].fields must be an array',
    ],
  );
}

export const VENDORS: Record<VendorName, VendorFake> = {
  // https://learn.microsoft.com/en-us/connectors/teams/#microsoft-teams-webhook (Workflows)
  microsoft_teams: {
    check(req) {
      const b = obj(req.json);
      const a = obj(Array.isArray(b.attachments) ? b.attachments[0] : undefined);
      const card = obj(a.content);
      return problems(
        [req.method === 'POST', 'POST only'],
        [isJson(req), 'Content-Type must be application/json'],
        [b.type === 'message', 'type must be message'],
        [
          a.contentType === 'application/vnd.microsoft.card.adaptive',
          'attachments[0] must be an Adaptive Card',
        ],
        [card.type === 'AdaptiveCard' && typeof card.version === 'string', 'the card needs type and version'],
        [Array.isArray(card.body) && card.body.length > 0, 'the card needs a body'],
      );
    },
    ok: () => ({ status: 202 }),
    refuse: (message) => json(400, { error: { code: 'TriggerInputSchemaMismatch', message } }),
    rateLimit: (s) =>
      json(
        429,
        { error: { code: 'TooManyRequests', message: `Rate limit is exceeded. Try again in ${s} seconds.` } },
        { 'retry-after': String(s) },
      ),
    hintsRetry: true,
  },
  // https://discord.com/developers/docs/resources/webhook#execute-webhook, .../topics/rate-limits
  discord: {
    check(req) {
      const b = obj(req.json);
      const embeds = Array.isArray(b.embeds) ? b.embeds.map(obj) : [];
      return problems(
        [req.method === 'POST', 'POST only'],
        [/^\/api\/webhooks\/\d+\/[\w-]+$/.test(req.path), 'Unknown Webhook'],
        [isJson(req), 'Content-Type must be application/json'],
        [typeof b.content === 'string' || embeds.length > 0, 'Cannot send an empty message'],
        [embeds.length <= 10, 'embeds: at most 10'],
        [
          embeds.every((e) => typeof e.title !== 'string' || e.title.length <= 256),
          'embed title: at most 256',
        ],
        [embeds.every((e) => !Array.isArray(e.fields) || e.fields.length <= 25), 'embed fields: at most 25'],
        [
          embeds.every(
            (e) =>
              !Array.isArray(e.fields) ||
              e.fields.map(obj).every((f) => between(f.name, 256) && between(f.value, 1024)),
          ),
          'embed field name (1-256) and value (1-1024) are required',
        ],
      );
    },
    // With ?wait=true Discord answers the message it saved.
    ok: (req) =>
      req.query.get('wait') === 'true'
        ? json(200, { id: '1187000000000000000', type: 0, channel_id: '1187', webhook_id: '1' })
        : { status: 204 },
    refuse: (message) => json(400, { message, code: 50035, errors: {} }),
    // Discord's body gives the exact wait in seconds (a float); its header is rounded up.
    rateLimit: (s) =>
      json(
        429,
        { message: 'You are being rate limited.', retry_after: s, global: false },
        { 'retry-after': String(Math.ceil(s)), 'x-ratelimit-scope': 'user' },
      ),
    hintsRetry: true,
  },
  // https://developers.google.com/workspace/chat/quickstart/webhooks, .../api/reference/rest/v1/cards
  google_chat: {
    check(req) {
      const b = obj(req.json);
      const cards = Array.isArray(b.cardsV2) ? b.cardsV2.map(obj) : [];
      return problems(
        [req.method === 'POST', 'POST only'],
        [/^\/v1\/spaces\/[^/]+\/messages$/.test(req.path), 'Not Found'],
        [!!req.query.get('key') && !!req.query.get('token'), 'key and token are required'],
        [isJson(req), 'Content-Type must be application/json'],
        [typeof b.text === 'string' || cards.length > 0, 'Message cannot be empty'],
        [
          cards.every((c) => typeof c.cardId === 'string' && Array.isArray(obj(c.card).sections)),
          'cardsV2[].cardId and card.sections are required',
        ],
      );
    },
    ok: (req) => json(200, { name: `${req.path.slice(4)}/abc.def`, text: obj(req.json).text }),
    refuse: (message) => json(400, { error: { code: 400, message, status: 'INVALID_ARGUMENT' } }),
    rateLimit: (s) =>
      json(
        429,
        {
          error: {
            code: 429,
            message: 'Resource has been exhausted (e.g. check quota).',
            status: 'RESOURCE_EXHAUSTED',
          },
        },
        { 'retry-after': String(s) },
      ),
    hintsRetry: true,
  },
  // https://developers.mattermost.com/integrate/webhooks/incoming/
  mattermost: {
    check: (req) => [
      ...problems([/^\/hooks\/[a-z0-9]+$/.test(req.path), 'Invalid webhook']),
      ...slackCompatible(req),
    ],
    ok: () => ({ status: 200, body: 'ok', headers: { 'content-type': 'text/plain' } }),
    refuse: (message) =>
      json(400, {
        id: 'web.incoming_webhook.parse.app_error',
        message,
        detailed_error: '',
        request_id: 'r8bkxf3sb7dmzbbxiaj1gsg1hw',
        status_code: 400,
      }),
    rateLimit: (s) =>
      json(
        429,
        { id: 'api.context.rate_limit.app_error', message: 'Too many requests', status_code: 429 },
        { 'retry-after': String(s), 'x-ratelimit-reset': String(s) },
      ),
    hintsRetry: true,
  },
  // https://docs.rocket.chat/use-rocket.chat/workspace-administration/integrations#incoming-webhook-script
  rocket_chat: {
    check: (req) => [
      ...problems([/^\/hooks\/[\w]+\/[\w]+$/.test(req.path), 'Invalid integration']),
      ...slackCompatible(req),
    ],
    ok: () => json(200, { success: true }),
    refuse: (message) => json(400, { success: false, error: message }),
    // Rocket.Chat's rate limiter says the wait in its error text.
    rateLimit: (s) =>
      json(429, {
        success: false,
        error: `Error, too many requests. Please slow down. You must wait ${s} seconds before trying this endpoint again. [error-too-many-requests]`,
      }),
    hintsRetry: true,
  },
  // https://docs.ntfy.sh/publish/#publish-as-json, #action-buttons, #access-tokens
  ntfy: {
    check(req) {
      const b = obj(req.json);
      const actions = Array.isArray(b.actions) ? b.actions.map(obj) : [];
      return problems(
        [req.method === 'POST' || req.method === 'PUT', 'POST or PUT'],
        [req.path === '/', 'JSON is published to the root URL'],
        [typeof b.topic === 'string' && /^[\w-]{1,64}$/.test(b.topic), 'invalid topic'],
        [b.priority === undefined || [1, 2, 3, 4, 5].includes(b.priority as number), 'invalid priority'],
        [b.tags === undefined || Array.isArray(b.tags), 'tags must be an array'],
        [actions.length <= 3, 'too many actions'],
        [
          actions.every(
            (a) => a.action === 'view' && typeof a.label === 'string' && typeof a.url === 'string',
          ),
          'invalid action: view actions need label and url',
        ],
        [
          req.headers.authorization === undefined ||
            req.headers.authorization === `Bearer ${FAKE_CREDENTIALS.ntfyToken}`,
          'unauthorized',
        ],
      );
    },
    ok: (req) =>
      json(200, { id: 'sPs71M8A2T', time: 1700000000, event: 'message', topic: obj(req.json).topic }),
    refuse: (message) =>
      json(400, {
        code: 40024,
        http: 400,
        error: message,
        link: 'https://ntfy.sh/docs/publish/#action-buttons',
      }),
    // ntfy's 429 names no wait.
    rateLimit: () =>
      json(429, {
        code: 42901,
        http: 429,
        error: 'limit reached: too many requests',
        link: 'https://ntfy.sh/docs/publish/#limitations',
      }),
    hintsRetry: false,
  },
  // https://pushover.net/api
  pushover: {
    check(req) {
      const f = req.form;
      const priority = Number(f.get('priority') ?? '0');
      return problems(
        [req.method === 'POST' && req.path === '/1/messages.json', 'POST /1/messages.json'],
        [isForm(req), 'form-encoded'],
        [f.get('token') === FAKE_CREDENTIALS.pushoverToken, 'application token is invalid'],
        [/^[A-Za-z0-9]{30}$/.test(f.get('user') ?? ''), 'user identifier is invalid'],
        [!!f.get('message') && (f.get('message') as string).length <= 1024, 'message cannot be blank'],
        [(f.get('title') ?? '').length <= 250, 'title is too long'],
        [(f.get('url') ?? '').length <= 512, 'url is too long'],
        [priority >= -2 && priority <= 2, 'priority is invalid'],
        [
          priority !== 2 ||
            (Number(f.get('retry')) >= 30 && Number(f.get('expire')) > 0 && Number(f.get('expire')) <= 10800),
          'retry (at least 30) and expire (at most 10800) are required for emergency priority',
        ],
      );
    },
    ok: (req) =>
      json(200, {
        status: 1,
        request: '647d2300-702c-4b38-8b2f-d56326ae460b',
        ...(req.form.get('priority') === '2' && { receipt: 'rLqVuqTRh62UzxtmqiaLzQmVcPgiCy' }),
      }),
    refuse: (message) =>
      json(400, { user: 'invalid', errors: [message], status: 0, request: '5042853c-402d-4a18-abcb' }),
    rateLimit: () =>
      json(429, { errors: ['application has exceeded its monthly message limit'], status: 0, request: 'x' }),
    hintsRetry: false,
  },
  // https://gotify.net/api-docs#/message/createMessage, https://gotify.net/docs/msgextras
  gotify: {
    check(req) {
      const b = obj(req.json);
      return problems(
        [req.method === 'POST' && req.path === '/message', 'POST /message'],
        [
          req.headers['x-gotify-key'] === FAKE_CREDENTIALS.gotifyToken,
          'you need to provide a valid access token',
        ],
        [!req.query.has('token'), 'the token goes in X-Gotify-Key here'],
        [isJson(req), 'Content-Type must be application/json'],
        [typeof b.message === 'string' && b.message !== '', "Field 'message' is required"],
        [b.priority === undefined || Number.isInteger(b.priority), 'priority must be an integer'],
      );
    },
    ok: (req) => json(200, { id: 25, appid: 5, ...obj(req.json), date: '2026-03-29T00:30:00Z' }),
    refuse: (message) => json(400, { error: 'Bad Request', errorCode: 400, errorDescription: message }),
    // Gotify itself does not limit; the proxy in front of it does, with Retry-After.
    rateLimit: (s) => ({
      status: 429,
      body: '429 Too Many Requests',
      headers: { 'content-type': 'text/plain', 'retry-after': String(s) },
    }),
    hintsRetry: true,
  },
  // https://spec.matrix.org/v1.11/client-server-api/#put_matrixclientv3roomsroomidsendeventtypetxnid
  matrix: {
    check(req) {
      const b = obj(req.json);
      return problems(
        [req.method === 'PUT', 'PUT only'],
        [
          /^\/_matrix\/client\/v3\/rooms\/(!|%21)[^/]+\/send\/m\.room\.message\/[^/]+$/.test(req.path),
          'Unrecognized request',
        ],
        [req.headers.authorization === `Bearer ${FAKE_CREDENTIALS.matrixToken}`, 'Unknown access token'],
        [b.msgtype === 'm.text' && typeof b.body === 'string', 'msgtype and body are required'],
        [
          b.format === undefined ||
            (b.format === 'org.matrix.custom.html' && typeof b.formatted_body === 'string'),
          'format needs formatted_body',
        ],
      );
    },
    // A repeated transaction id answers the event it made the first time.
    ok: (req) => json(200, { event_id: `$${Buffer.from(req.path).toString('base64url').slice(-20)}` }),
    refuse: (message) => json(403, { errcode: 'M_FORBIDDEN', error: message }),
    rateLimit: (s) =>
      json(429, { errcode: 'M_LIMIT_EXCEEDED', error: 'Too many requests', retry_after_ms: s * 1000 }),
    hintsRetry: true,
  },
  // https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource,
  // https://www.twilio.com/docs/voice/api/call-resource#create-a-call-resource
  twilio: {
    check(req) {
      const f = req.form;
      const m = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/(Messages|Calls)\.json$/.exec(req.path);
      const auth = `Basic ${Buffer.from(`${FAKE_CREDENTIALS.twilioSid}:${FAKE_CREDENTIALS.twilioToken}`).toString('base64')}`;
      const body = f.get('Body') ?? '';
      const twiml = f.get('Twiml') ?? '';
      return problems(
        [req.method === 'POST' && !!m, 'The requested resource was not found'],
        [m?.[1] === FAKE_CREDENTIALS.twilioSid && req.headers.authorization === auth, 'Authenticate'],
        [isForm(req), 'form-encoded'],
        [E164.test(f.get('To') ?? ''), `The 'To' number ${f.get('To')} is not a valid phone number.`],
        [f.get('From') === FAKE_CREDENTIALS.twilioFrom, `The 'From' number ${f.get('From')} is not yours`],
        [
          m?.[2] !== 'Messages' || (body !== '' && body.length <= 1600),
          'A message Body of 1-1600 characters is required',
        ],
        [
          m?.[2] !== 'Calls' ||
            /^(<\?xml[^>]*\?>)?<Response>.*<Say[^>]*>.+<\/Say>.*<\/Response>$/s.test(twiml),
          'Twiml must be a <Response> that says something',
        ],
        [twiml.length <= 4000, 'Twiml is at most 4000 characters'],
      );
    },
    ok: (req) =>
      json(201, {
        sid: `${req.path.endsWith('/Calls.json') ? 'CA' : 'SM'}${'0'.repeat(32)}`,
        status: 'queued',
        to: req.form.get('To'),
        from: req.form.get('From'),
      }),
    refuse: (message) =>
      json(400, { code: 21211, message, more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 }),
    rateLimit: () =>
      json(429, {
        code: 20429,
        message: 'Too Many Requests',
        more_info: 'https://www.twilio.com/docs/errors/20429',
        status: 429,
      }),
    hintsRetry: false,
  },
};

export interface FakeChannel {
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** Every request received, in order. */
  requests: FakeRequest[];
  /** The next request gets the vendor's refusal with `message`. */
  refuseNext(message: string): void;
  /** The next request gets the vendor's 429 asking for `retryAfterS` seconds. */
  rateLimitNext(retryAfterS: number): void;
  close(): Promise<void>;
}

/** A loopback fake of `vendor`, answering as it documents. */
export async function startFakeChannel(vendor: VendorName): Promise<FakeChannel> {
  const fake = VENDORS[vendor];
  const queued: FakeAnswer[] = [];
  const requests: FakeRequest[] = [];
  const server: FakeServer = await listenFake(async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake');
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    const request: FakeRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      raw,
      json: parsed,
      form: new URLSearchParams(raw),
    };
    requests.push(request);
    const wrong = fake.check(request);
    const answer = queued.shift() ?? (wrong.length ? fake.refuse(wrong.join('; ')) : fake.ok(request));
    const body =
      answer.body === undefined
        ? ''
        : typeof answer.body === 'string'
          ? answer.body
          : JSON.stringify(answer.body);
    res.writeHead(answer.status, answer.headers ?? {}).end(body);
  });
  return {
    base: `http://127.0.0.1:${server.port}`,
    requests,
    refuseNext: (message) => queued.push(fake.refuse(message)),
    rateLimitNext: (s) => queued.push(fake.rateLimit(s)),
    close: () => server.close(),
  };
}

/** The fake's documented-shape problems with a request it received (empty: as documented). */
export function shapeProblems(vendor: VendorName, req: FakeRequest): string[] {
  return VENDORS[vendor].check(req);
}
