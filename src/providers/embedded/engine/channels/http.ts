/**
 * JSON over HTTP for the channels that POST: the target guard, a timeout, no redirects, and how
 * an answer turns into an outcome (4xx permanent with the vendor's words; 408, 429 and 5xx
 * retried, after the time the vendor asked for when it said).
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkLiteral, guardedLookup, TargetRefusedError } from '../../checks/target-guard.js';
import { PermanentDeliveryError, RetryableDeliveryError } from './channel.js';

const TIMEOUT_MS = 10_000;

/** How much of an answer's body is read, for its error message. */
const MAX_ANSWER_BYTES = 16 * 1024;

/**
 * POSTs JSON and answers the status and the start of the body. Cloud metadata addresses are
 * refused (a webhook URL is user input), judged on the address at connect time as checks are;
 * redirects are not followed.
 */
export function request(
  url: string,
  body: string,
  headers: Record<string, string>,
  method = 'POST',
): Promise<{ status: number; text: string; headers: IncomingHttpHeaders }> {
  const target = new URL(url);
  checkLiteral(target.hostname, false);
  return new Promise((resolve, reject) => {
    const req = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, {
      method,
      headers: { 'content-type': 'application/json', 'user-agent': 'vigil', ...headers },
      lookup: guardedLookup(false) as never,
      timeout: TIMEOUT_MS,
    });
    req.on('timeout', () =>
      req.destroy(new Error(`No answer from ${target.host} within ${TIMEOUT_MS / 1000} s`)),
    );
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (text.length < MAX_ANSWER_BYTES) text += chunk;
      });
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
    });
    req.end(body);
  });
}

/** POSTs JSON; a non-2xx answer is a failure (see `deliver`). */
export async function post(url: string, body: string, headers: Record<string, string>): Promise<void> {
  await deliver(url, body, { headers });
}

/** What a vendor's error answer says: its own message, and how long it asked to wait. */
export interface Explained {
  message?: string | undefined;
  retryAfterMs?: number | undefined;
}

/**
 * Sends and judges the answer: 2xx is success (its text is answered); 408, 429 and 5xx throw
 * RetryableDeliveryError carrying the wait the vendor asked for (its `explain`ed body field, else
 * `Retry-After`); any other answer throws PermanentDeliveryError with the vendor's message.
 */
export async function deliver(
  url: string,
  body: string,
  opts: {
    headers?: Record<string, string>;
    method?: string;
    /** Reads the vendor's error body; default: its text. */
    explain?: (body: unknown, text: string) => Explained;
    /** What a refusal says was refused (default: the message). */
    refused?: string;
  } = {},
): Promise<string> {
  let answer: Awaited<ReturnType<typeof request>>;
  try {
    answer = await request(url, body, opts.headers ?? {}, opts.method);
  } catch (err) {
    // A refused address stays refused: no retry mends it.
    throw err instanceof TargetRefusedError ? new PermanentDeliveryError(err.message) : err;
  }
  const { status, text, headers } = answer;
  if (status >= 200 && status < 300) return text;
  const host = new URL(url).host;
  const said = explainAnswer(text, opts.explain);
  const why = said.message ? `: ${said.message}` : '';
  if (status === 408 || status === 429 || status >= 500) {
    throw new RetryableDeliveryError(
      `HTTP ${status} from ${host}${why}`,
      said.retryAfterMs ?? retryAfter(headers['retry-after']),
    );
  }
  throw new PermanentDeliveryError(`${host} refused the ${opts.refused ?? 'message'} (HTTP ${status})${why}`);
}

function explainAnswer(text: string, explain: ((body: unknown, text: string) => Explained) | undefined) {
  const plain = text.trim().slice(0, 300) || undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { message: plain };
  }
  const said = explain?.(body, text) ?? {};
  return { message: said.message?.slice(0, 500) || plain, retryAfterMs: said.retryAfterMs };
}

/** The parts a vendor's error body gave, joined with `: `; undefined when it gave none. */
export function joined(...parts: (string | undefined)[]): string | undefined {
  return parts.filter(Boolean).join(': ') || undefined;
}

/** The value at `path` in a parsed JSON body; undefined where there is none. */
export function at(body: unknown, ...path: string[]): unknown {
  let v = body;
  for (const key of path)
    v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}

/** The string at `path`, or undefined. */
export function textAt(body: unknown, ...path: string[]): string | undefined {
  const v = at(body, ...path);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A `Retry-After` header in ms: delay-seconds or an HTTP date (RFC 9110); undefined when absent or bad. */
export function retryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** `key: value` pairs as an `application/x-www-form-urlencoded` body, leaving out undefined ones. */
export function form(fields: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) params.append(k, String(v));
  return params.toString();
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
